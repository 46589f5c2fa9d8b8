/**
 * The network printer's twin: a local TCP server on 127.0.0.1 behaving like a raw-9100 ESC/POS
 * printer (escpos-twin.ts): it answers DLE EOT and GS r 1 on the same socket, runs out of paper
 * (`paperBytes`), prints slowly (`printDelayMs`), and can be reset mid-job (`reset()`: every
 * connection closed, the buffer gone, as a power cycle does).
 */
import net from 'node:net';
import { EscPosTwin, type TwinBehaviour } from './escpos-twin';

export interface TcpTwin {
  readonly port: number;
  readonly printer: EscPosTwin;
  /** Connections accepted so far (a reconnect after a reset is a new one). */
  readonly connections: () => number;
  reset(): void;
  close(): Promise<void>;
}

export async function startTcpTwin(b: Partial<TwinBehaviour> = {}): Promise<TcpTwin> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  // Replies go to the connection that is talking now (one at a time, as a printer serves).
  let current: net.Socket | null = null;
  const printer = new EscPosTwin((bytes) => current?.write(Uint8Array.from(bytes)), b);
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    current = s;
    s.on('data', (d: Buffer) => {
      current = s;
      printer.receiveStream(d);
    });
    s.on('close', () => sockets.delete(s));
    s.on('error', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    printer,
    connections: () => accepted,
    reset: () => {
      printer.powerCycle();
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
