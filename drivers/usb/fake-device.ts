/**
 * A fake WebUSB device for the transport tests: it records every transfer and can be told to
 * stall, time out, or be unplugged in the middle of a job. Time-outs reject with "Cancelled"
 * as `usb` v3 does; a transfer after unplug rejects as the library does for a gone device.
 * Demo mode's simulated counter (demo-counter.ts) plugs these in too, waiting real time-outs.
 */
import type { UsbConfigurationLike, UsbDeviceLike, UsbDirection, UsbTransferStatus } from './webusb';

export type Fault = 'ok' | 'stall' | 'timeout' | 'disconnect' | 'short';

export class FakeUsbDevice implements UsbDeviceLike {
  opened = false;
  configuration: UsbConfigurationLike | null = null;
  readonly out: { endpoint: number; data: Uint8Array }[] = [];
  readonly claimed = new Set<number>();
  readonly detached = new Set<number>();
  readonly log: string[] = [];
  /** Faults to inject on the next OUT transfers, in order. */
  outFaults: Fault[] = [];
  /** Replies queued for IN transfers, per endpoint; empty → the read times out. */
  readonly inQueue = new Map<number, Uint8Array[]>();
  /** Called for every OUT transfer that went through (e.g. a printer answering DLE EOT). */
  onOut: (endpoint: number, data: Uint8Array) => void = () => {};
  manufacturerName: string | null = null;
  private gone = false;
  /** Pulled out: every transfer fails; plugged back, it is a fresh device (closed, nothing claimed). */
  get unplugged(): boolean {
    return this.gone;
  }
  set unplugged(v: boolean) {
    this.gone = v;
    this.wake();
    if (v) {
      this.opened = false;
      this.claimed.clear();
    }
  }
  /** Kernel driver bound: claiming fails "busy" until detached (Linux behaviour). */
  kernelDriverBound = true;
  busyIn = new Set<number>();
  /**
   * How long an IN transfer with nothing queued waits before it times out: a tick in the tests,
   * so read loops stay fast; null waits the transfer's own time-out (demo mode: no busy loop).
   * A report queued or an unplug ends the wait at once.
   */
  idleWaitMs: number | null = 2;
  private readonly waiting = new Set<() => void>();
  private wake(): void {
    for (const w of this.waiting) w();
  }
  private readonly config: UsbConfigurationLike;
  get configurations(): UsbConfigurationLike[] {
    return [this.config];
  }

  constructor(
    readonly vendorId: number,
    readonly productId: number,
    config: UsbConfigurationLike,
    readonly productName: string | null = 'Fake',
    readonly bus = '1',
    readonly ports: number[] = [2],
  ) {
    this.config = config;
  }

  private alive(): void {
    if (this.unplugged) throw new Error('LIBUSB_ERROR_NO_DEVICE: device disconnected');
  }
  async open() {
    this.alive();
    this.opened = true;
    this.log.push('open');
  }
  async close() {
    this.opened = false;
    this.claimed.clear();
    this.log.push('close');
  }
  async selectConfiguration(v: number) {
    this.alive();
    this.configuration = this.config;
    this.log.push(`config ${v}`);
  }
  async detachKernelDriver(n: number) {
    this.alive();
    if (!this.kernelDriverBound) throw new Error('LIBUSB_ERROR_NOT_FOUND');
    this.kernelDriverBound = false;
    this.detached.add(n);
    this.log.push(`detach ${n}`);
  }
  async claimInterface(n: number) {
    this.alive();
    if (this.kernelDriverBound) throw new Error('LIBUSB_ERROR_BUSY: resource busy');
    // One claim per interface, as the OS allows: a second reader of the same device fails.
    if (this.claimed.has(n)) throw new Error('LIBUSB_ERROR_BUSY: interface already claimed');
    this.claimed.add(n);
    this.log.push(`claim ${n}`);
  }
  async releaseInterface(n: number) {
    this.claimed.delete(n);
    this.log.push(`release ${n}`);
  }
  async clearHalt(direction: UsbDirection, endpoint: number) {
    this.alive();
    this.log.push(`clearHalt ${direction} ${endpoint}`);
  }
  async transferOut(endpoint: number, data: Uint8Array): Promise<{ status: UsbTransferStatus; bytesWritten: number }> {
    this.alive();
    const fault = this.outFaults.shift();
    if (fault === 'disconnect') {
      this.unplugged = true;
      this.alive();
    }
    if (fault === 'timeout') throw new Error('Cancelled');
    if (fault === 'stall') return { status: 'stall', bytesWritten: 0 };
    const n = fault === 'short' ? Math.ceil(data.length / 2) : data.length;
    const copy = Uint8Array.from(data.subarray(0, n));
    this.out.push({ endpoint, data: copy });
    this.onOut(endpoint, copy);
    return { status: 'ok', bytesWritten: n };
  }
  async transferIn(endpoint: number, length: number, timeoutMs = 1000): Promise<{ status: UsbTransferStatus; data?: DataView }> {
    this.alive();
    if (this.busyIn.has(endpoint)) throw new Error('two transfers at once on one endpoint');
    this.busyIn.add(endpoint);
    try {
      let next = this.inQueue.get(endpoint)?.shift();
      if (!next) {
        await new Promise<void>((r) => {
          const done = () => {
            clearTimeout(t);
            this.waiting.delete(done);
            r();
          };
          const t = setTimeout(done, Math.min(timeoutMs, this.idleWaitMs ?? timeoutMs));
          this.waiting.add(done);
        });
        this.alive();
        next = this.inQueue.get(endpoint)?.shift();
        if (!next) throw new Error('Cancelled');
      }
      const d = next.subarray(0, length);
      return { status: 'ok', data: new DataView(d.buffer, d.byteOffset, d.byteLength) };
    } finally {
      this.busyIn.delete(endpoint);
    }
  }
  /** The HID report descriptor a control read returns; null: the request stalls (a device that will not say). */
  reportDescriptor: Uint8Array | null = null;
  async controlTransferIn(setup: { request: number; value: number; index: number }, length: number): Promise<{ status: UsbTransferStatus; data?: DataView }> {
    this.alive();
    if (setup.request !== 6 || setup.value !== 0x2200 || !this.reportDescriptor) return { status: 'stall' };
    const d = this.reportDescriptor.subarray(0, length);
    return { status: 'ok', data: new DataView(d.buffer, d.byteOffset, d.byteLength) };
  }
  queueIn(endpoint: number, data: Uint8Array) {
    const q = this.inQueue.get(endpoint) ?? [];
    q.push(data);
    this.inQueue.set(endpoint, q);
    this.wake();
  }
  /** All bytes sent to an endpoint, joined. */
  sent(endpoint: number): Uint8Array {
    const parts = this.out.filter((o) => o.endpoint === endpoint).map((o) => o.data);
    const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return all;
  }
}

/** A printer-class device (interface 0, class 7, bulk OUT 1, bulk IN 2). */
export function fakePrinterConfig(): UsbConfigurationLike {
  return {
    configurationValue: 1,
    interfaces: [{
      interfaceNumber: 0,
      alternate: {
        interfaceClass: 7, interfaceSubclass: 1, interfaceProtocol: 2,
        endpoints: [
          { endpointNumber: 1, direction: 'out', type: 'bulk', packetSize: 64 },
          { endpointNumber: 2, direction: 'in', type: 'bulk', packetSize: 64 },
        ],
      },
    }],
  };
}

/** A HID scanner (interface 0, class 3, interrupt IN 1). */
export function fakeHidConfig(packetSize = 8): UsbConfigurationLike {
  return {
    configurationValue: 1,
    interfaces: [{
      interfaceNumber: 0,
      alternate: { interfaceClass: 3, interfaceSubclass: 1, interfaceProtocol: 1, endpoints: [{ endpointNumber: 1, direction: 'in', type: 'interrupt', packetSize }] },
    }],
  };
}

/** A wireless keyboard-and-mouse receiver: a boot keyboard (interface 0) and a boot mouse (interface 1). */
export function fakeKeyboardMouseConfig(): UsbConfigurationLike {
  const hid = fakeHidConfig().interfaces[0]!;
  return {
    configurationValue: 1,
    interfaces: [hid, { interfaceNumber: 1, alternate: { ...hid.alternate, interfaceProtocol: 2, endpoints: [{ endpointNumber: 2, direction: 'in', type: 'interrupt', packetSize: 8 }] } }],
  };
}

/** A vendor-specific interface (class 0xff) with bulk OUT 1 and bulk IN 2: a USB-serial chip (CH340), or a printer that is not printer-class. */
export function fakeVendorBulkConfig(): UsbConfigurationLike {
  const printer = fakePrinterConfig().interfaces[0]!;
  return { configurationValue: 1, interfaces: [{ ...printer, alternate: { ...printer.alternate, interfaceClass: 0xff, interfaceSubclass: 0, interfaceProtocol: 0 } }] };
}
