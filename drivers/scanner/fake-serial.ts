/**
 * A fake `serialport` for the tests: ports listed and opened like the real library's, data fed
 * in chunks as a USB CDC-ACM link delivers it, and unplugging (the port closes with a
 * "disconnected" error, as `serialport` reports it). Never loads the native module. Demo mode's
 * simulated counter (usb/demo-counter.ts) lists its USB-serial adapter through it too.
 */
import { EventEmitter } from 'node:events';
import type { SerialLib, SerialPortInfo, SerialPortLike } from './serial';

export class FakeSerialPort extends EventEmitter implements SerialPortLike {
  closed = false;
  constructor(
    readonly path: string,
    readonly baudRate: number,
  ) {
    super();
  }
  /** Bytes the app wrote to the port (a serial printer's jobs). */
  readonly written: number[] = [];
  async write(data: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('Port is not open');
    this.written.push(...data);
  }
  /** Bytes arriving from the scanner. */
  feed(data: string | Uint8Array): void {
    this.emit('data', Buffer.from(typeof data === 'string' ? Buffer.from(data, 'latin1') : data));
  }
  /** The device went away: the library closes the port with a disconnect error. */
  unplug(): void {
    this.closed = true;
    this.emit('close', Object.assign(new Error('Disconnected'), { disconnected: true }));
  }
  async close(): Promise<void> {
    if (this.closed) throw new Error('Port is not open');
    this.closed = true;
    this.emit('close', null);
  }
}

export class FakeSerialLib implements SerialLib {
  ports: SerialPortInfo[] = [];
  readonly opened: FakeSerialPort[] = [];
  /** Makes the next open fail with this message (e.g. EACCES, a lock held by another program). */
  openError: string | null = null;

  async list(): Promise<SerialPortInfo[]> {
    return this.ports.map((p) => ({ ...p }));
  }
  async open(path: string, baudRate: number): Promise<FakeSerialPort> {
    if (this.openError) throw new Error(this.openError);
    if (!this.ports.some((p) => p.path === path)) throw new Error(`Error: No such file or directory, cannot open ${path}`);
    const port = new FakeSerialPort(path, baudRate);
    this.opened.push(port);
    return port;
  }
  /** The port opened last (the one a reader is using). */
  get last(): FakeSerialPort {
    const p = this.opened.at(-1);
    if (!p) throw new Error('no port opened');
    return p;
  }
}
