/**
 * The serial printer's twin: `serialport`'s own stream class over its mock binding
 * (@serialport/binding-mock, shipped with `serialport`), with an ESC/POS printer behind the port
 * (escpos-twin.ts). The app's adapter (scanner/serial.ts `serialLibOf`) runs unchanged on it:
 * open with baud rate and flow control, write + drain, data events, the port lock, close.
 *
 * The printer answers DLE EOT and GS r 1 on the same port (unless told not to), runs out of paper
 * (`paperBytes`), prints slowly (`printDelayMs`), can be reset (`reset()`: the buffer is gone,
 * the port stays, as an RS-232 printer switched off and on), unplugged (`unplug()`: reads fail,
 * the port leaves the list, as a virtual-COM printer pulled out) and plugged back, and can hold
 * the line (`holdLine`: CTS low, as a printer out of paper does under RTS/CTS; a write then waits
 * only if the port was opened with `rtscts`).
 */
import { EscPosTwin, type TwinBehaviour } from './escpos-twin';
import { serialLibOf, type SerialLib, type SerialPortClass, type SerialPortInfo } from '../scanner/serial';

export interface SerialTwinOptions extends Partial<TwinBehaviour> {
  path?: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
}

export interface SerialTwin {
  readonly lib: SerialLib;
  readonly printer: EscPosTwin;
  readonly path: string;
  /** Options of the port's last open (baud rate, rtscts, xon/xoff), null before any. */
  readonly opened: () => { baudRate: number; rtscts: boolean; xon: boolean; xoff: boolean } | null;
  readonly opens: () => number;
  /** CTS low: writes on a port opened with rtscts wait until it is released. */
  holdLine(held: boolean): void;
  /** Bytes the printer sends unasked (line noise, a reply to something else). */
  noise(bytes: number[]): void;
  reset(): void;
  unplug(): void;
  replug(): void;
}

interface MockPort {
  isOpen: boolean;
  openOptions: { baudRate: number; rtscts: boolean; xon: boolean; xoff: boolean };
  emitData(d: Buffer): void;
  write(b: Buffer): Promise<void>;
  read(buf: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }>;
}

interface MockBindingLike {
  createPort(path: string, o: Record<string, unknown>): void;
  list(): Promise<SerialPortInfo[]>;
  open(o: Record<string, unknown>): Promise<MockPort>;
}

let seq = 0;

export async function startSerialTwin(o: SerialTwinOptions = {}): Promise<SerialTwin> {
  const { SerialPortMock } = await import('serialport');
  const mock = SerialPortMock.binding as unknown as MockBindingLike;
  // Paths are unique per twin: the mock binding's port table is shared by the whole process.
  const path = o.path ?? `/dev/ttyTWIN${++seq}`;
  mock.createPort(path, { vendorId: o.vendorId, productId: o.productId, manufacturer: o.manufacturer ?? 'Twin printer' });

  let current: MockPort | null = null;
  let last: MockPort['openOptions'] | null = null;
  let opens = 0;
  let held = false;
  let plugged = true;
  const releases: (() => void)[] = [];
  const unplugs = new Set<(e: Error) => void>();
  const printer = new EscPosTwin((bytes) => {
    if (current?.isOpen) current.emitData(Buffer.from(bytes));
  }, o);

  const binding = {
    ...mock,
    list: async () => (await mock.list()).filter((p) => p.path !== path || plugged),
    open: async (opts: Record<string, unknown>) => {
      if (!plugged && opts.path === path) throw new Error(`Error: No such file or directory, cannot open ${path}`);
      const port = await mock.open(opts);
      if (opts.path !== path) return port;
      current = port;
      last = { baudRate: port.openOptions.baudRate, rtscts: port.openOptions.rtscts, xon: port.openOptions.xon, xoff: port.openOptions.xoff };
      opens++;
      const write = port.write.bind(port);
      port.write = async (b: Buffer) => {
        await write(b);
        if (held && port.openOptions.rtscts) await new Promise<void>((r) => releases.push(r));
        if (!port.isOpen) return;
        printer.receiveStream(Uint8Array.from(b));
      };
      const read = port.read.bind(port);
      port.read = (buf, offset, length) =>
        new Promise((resolve, reject) => {
          unplugs.add(reject);
          read(buf, offset, length).then(resolve, reject).finally(() => unplugs.delete(reject));
        });
      return port;
    },
  };
  class TwinPort extends SerialPortMock {
    static override list = binding.list;
    constructor(opts: ConstructorParameters<typeof SerialPortMock>[0], cb?: ConstructorParameters<typeof SerialPortMock>[1]) {
      super({ ...opts, binding: binding as unknown as typeof SerialPortMock.binding }, cb);
    }
  }

  return {
    lib: serialLibOf(TwinPort as unknown as SerialPortClass),
    printer,
    path,
    opened: () => last,
    opens: () => opens,
    holdLine: (h) => {
      held = h;
      if (!h) for (const r of releases.splice(0)) r();
    },
    noise: (bytes) => current?.isOpen && current.emitData(Buffer.from(bytes)),
    reset: () => printer.powerCycle(),
    unplug: () => {
      plugged = false;
      printer.powerCycle();
      for (const r of unplugs) r(new Error('Disconnected: the device was unplugged'));
    },
    replug: () => {
      plugged = true;
    },
  };
}
