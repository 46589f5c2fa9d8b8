/**
 * A fake `node-hid` (the HidLib slice node-hid.ts uses) for the tests: collections listed as
 * hidapi lists them (path, usage page, usage), reports queued and read one per `read` as hidapi
 * hands them over, an empty buffer when none came within the read's time-out, a rejected read
 * once unplugged (hidapi: "could not read data from device"), refused opens (permission), and the
 * report descriptor Linux gives through sysfs (null elsewhere). Never loads the native module.
 */
import type { HidDeviceInfo, HidHandle, HidLib } from './node-hid';

export class FakeHidDevice {
  readonly queue: Uint8Array[] = [];
  unplugged = false;
  opens = 0;
  closes = 0;
  /** Open fails with this message (e.g. hidraw without the udev rule: "Permission denied"). */
  openError: string | null = null;
  /** How long a read with nothing queued waits before resolving empty: a tick, so read loops stay fast. */
  idleWaitMs = 2;
  private readonly waiting = new Set<() => void>();

  constructor(
    readonly info: HidDeviceInfo,
    /** What sysfs would give (Linux); null: no descriptor through this transport (Windows, macOS). */
    readonly descriptor: Uint8Array | null = null,
  ) {}

  /** The scanner sends a report (or a transfer as it came off the wire). */
  send(report: Uint8Array): void {
    this.queue.push(report);
    this.wake();
  }

  unplug(): void {
    this.unplugged = true;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiting) w();
  }

  handle(): HidHandle {
    let closed = false;
    return {
      read: async (timeoutMs) => {
        if (closed) throw new Error('device has been closed');
        if (!this.queue.length && !this.unplugged) {
          await new Promise<void>((res) => {
            const done = () => {
              clearTimeout(t);
              this.waiting.delete(done);
              res();
            };
            const t = setTimeout(done, Math.min(this.idleWaitMs, timeoutMs));
            this.waiting.add(done);
          });
        }
        if (this.unplugged) throw new Error('could not read data from device: No such device');
        return this.queue.shift() ?? Buffer.alloc(0);
      },
      close: async () => {
        closed = true;
        this.closes++;
      },
    };
  }
}

export class FakeHidLib implements HidLib {
  readonly devs: FakeHidDevice[] = [];

  add(d: FakeHidDevice): FakeHidDevice {
    this.devs.push(d);
    return d;
  }

  async devices(vendorId: number, productId: number): Promise<HidDeviceInfo[]> {
    return this.devs.filter((d) => !d.unplugged && d.info.vendorId === vendorId && d.info.productId === productId).map((d) => ({ ...d.info }));
  }

  async open(p: string): Promise<HidHandle> {
    const d = this.devs.find((x) => x.info.path === p && !x.unplugged);
    if (!d) throw new Error(`cannot open device with path ${p}`);
    if (d.openError) throw new Error(`cannot open device with path ${p}: ${d.openError}`);
    d.opens++;
    return d.handle();
  }

  async reportDescriptor(info: HidDeviceInfo): Promise<Uint8Array | null> {
    return this.devs.find((x) => x.info.path === info.path)?.descriptor ?? null;
  }
}
