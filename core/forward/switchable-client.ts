/**
 * The forwarder's client on whichever acquirer connection is current (core/acquirer/switchable.ts
 * says why and when a connection is replaced). A batch goes through the shared `LinkGate`, so
 * it is sent whole to one connection; the reads (sync, probe, statement) move nothing and just
 * use the current one. With no connection yet (a live counter not set up), every call fails as
 * "no terminal key", which the forwarder already reports as not provisioned and retries later.
 */
import type { LinkGate } from '../acquirer/switchable';
import { NO_TERMINAL_KEY, TransportError, type OfflineLink } from './client';

export class SwitchableOfflineClient implements OfflineLink {
  constructor(
    private readonly gate: LinkGate,
    private current: OfflineLink | null,
  ) {}

  private link(): OfflineLink {
    if (!this.current) throw new TransportError('refused', NO_TERMINAL_KEY);
    return this.current;
  }

  async sync(): ReturnType<OfflineLink['sync']> {
    return this.link().sync();
  }
  async statement(terminalId: string, date: string): ReturnType<OfflineLink['statement']> {
    return this.link().statement(terminalId, date);
  }
  async probe(): Promise<number> {
    return this.link().probe();
  }
  forward(body: Buffer, timeoutMs: number): ReturnType<OfflineLink['forward']> {
    return this.gate.run(async () => this.link().forward(body, timeoutMs));
  }

  /** Inside `LinkGate.hold` only: the next connection, the previous one closed. */
  replace(next: OfflineLink | null): void {
    const prev = this.current;
    this.current = next;
    prev?.close();
  }

  close(): void {
    this.current?.close();
  }
}
