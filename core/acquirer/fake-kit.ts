/**
 * Tests only: what the fake wallet gateways (alipay/fake-gateway.ts, wechat/fake-gateway.ts)
 * share: the queue of scripted behaviours per method or path, and the small timings the wallet
 * tests run with. Not imported by production code.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AcquirerTimings } from './types';

/** Every timing small: the fakes answer at once on loopback. */
export const WALLET_TEST_TIMINGS: AcquirerTimings = {
  requestTimeoutMs: 800, userpayingPollMs: 20, userpayingMaxWaitMs: 600, unknownFirstQueryMs: 10, unknownQueryEveryMs: 15, unknownQueries: 3,
  cancelNotBeforeMs: 0, cancelAttempts: 3, cancelEveryMs: 10, refundAttempts: 3, refundEveryMs: 10, qrExpiryMs: 1_000, qrPollMs: 20, sweepEveryMs: 60_000,
};

/** What both fakes can make one call meet, besides a documented answer of their own. */
export interface GatewayScript {
  /** A pay: do the work, leave the order waiting for the customer's password. */
  userpaying?: boolean;
  /** Wait this long first (then do whatever else the script says). */
  delayMs?: number;
  /** Do the work, then drop the connection before answering. */
  dropAfterCommit?: boolean;
  /** Sign the answer with a key that is not the gateway's. */
  wrongSignature?: boolean;
  /** Answer this HTTP status without processing. */
  httpStatus?: number;
  /** Neither process nor answer (the client times out). */
  hang?: boolean;
  /** Reset the connection without processing. */
  reset?: boolean;
}

/** Scripts queued per key (a method or a path): each serves one call, in order. */
export class ScriptQueue<S> {
  private readonly q = new Map<string, S[]>();

  push(key: string, s: S): void {
    const list = this.q.get(key) ?? [];
    list.push(s);
    this.q.set(key, list);
  }

  /** The next script for `key`, or none (the call does the documented work). */
  take(key: string): S | undefined {
    return this.q.get(key)?.shift();
  }

  clear(): void {
    this.q.clear();
  }
}

/** The server side both fakes share: a loopback listener, stopping, and the scripts. */
export abstract class FakeGateway<S extends GatewayScript> {
  protected server: http.Server | null = null;
  protected readonly scripts = new ScriptQueue<S>();
  /**
   * Consulted for a call no script was queued for: a money-test harness's fault plan
   * (alipay|wechat/harness.ts), which may leave the call alone (undefined).
   */
  planner: ((key: string) => S | undefined) | null = null;
  /** Codes of wallets that ask for a password: a pay with one waits for the customer. */
  readonly passwordCodes = new Set<string>();

  /** What the next call of `key` meets: a queued script, else the planner's, else nothing. */
  protected script(key: string): S {
    return this.scripts.take(key) ?? this.planner?.(key) ?? ({} as S);
  }

  /**
   * The script of a call, after what it does before any work: the wait, then no answer at all
   * (the client times out), a reset, or an HTTP error. Null: the call ends there, unprocessed.
   */
  protected async begin(key: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<S | null> {
    const script = this.script(key);
    if (script.delayMs) await new Promise((r) => setTimeout(r, script.delayMs));
    if (script.hang) return null;
    if (script.reset) {
      req.socket.destroy();
      return null;
    }
    if (script.httpStatus) {
      res.writeHead(script.httpStatus).end('<html>gateway error</html>');
      return null;
    }
    return script;
  }

  /** Listens on a free loopback port; returns the port. */
  protected async listen(server: http.Server): Promise<number> {
    this.server = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Forgets every script not yet played (the faults stop). */
  clearScripts(): void {
    this.scripts.clear();
  }

  /** Scripts the next call of `key` (a method or a path; queued: each script serves one call). */
  next(key: string, s: S): void {
    this.scripts.push(key, s);
  }
}
