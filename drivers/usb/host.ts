/**
 * The USB host: lists attached devices and notices plugging and unplugging.
 *
 * Traps of `usb` v3 this file exists to contain (checked on our build machines):
 * - on a host without USB (containers, some VMs) `getDevices()` rejects, and merely adding a
 *   'connect'/'disconnect' listener makes the library call the native device list without a
 *   catch, and rethrow hotplug setup failures from a timer: Node dies of an unhandled rejection
 *   or an uncaught exception. Hotplug events also need udevd on Linux.
 * So we never add the library's hotplug listeners: we poll `getDevices()` (every 2 s, a few
 * microseconds of work) and diff the lists. Polling works with or without udevd, survives a
 * host without USB (reported `unavailable`), and notices replugs just as well for a cashier.
 * - the native module is loaded lazily, only in live mode, so unit tests and demo mode never
 *   touch it.
 */
import { usbDeviceKey, type UsbDeviceLike } from './webusb';

export interface UsbHost {
  getDevices(): Promise<UsbDeviceLike[]>;
}

export type HostState = { available: true } | { available: false; reason: string };

export interface WatchEvents<T> {
  onAttach(key: string, d: T): void;
  onDetach(key: string): void;
  onState(s: HostState): void;
  /** After every look at the list (a reader that ended can be revived while its device is listed). */
  onPolled?(): void;
}
export type UsbWatchEvents = WatchEvents<UsbDeviceLike>;

/** Loads `usb` v3 on demand; resolves null (with the reason) where it cannot load. */
export async function loadUsbHost(): Promise<{ host: UsbHost | null; reason: string }> {
  try {
    const mod = (await import('usb')) as unknown as { usb: UsbHost };
    return { host: mod.usb, reason: '' };
  } catch (e) {
    return { host: null, reason: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Polls a device list and reports what appeared and disappeared, by key. USB devices here;
 * serial ports (scanner/serial.ts) the same way, since `serialport` has no hotplug events either.
 */
export class ListWatcher<T> {
  private known = new Map<string, T>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private state: HostState | null = null;
  private polling: Promise<void> | null = null;

  constructor(
    private readonly list: () => Promise<T[]>,
    private readonly keyOf: (d: T) => string,
    private readonly events: WatchEvents<T>,
    private readonly intervalMs = 2000,
  ) {}

  start(): Promise<void> {
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref?.();
    return this.poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look at the list; overlapping calls share the same look. */
  poll(): Promise<void> {
    this.polling ??= this.look().finally(() => (this.polling = null));
    return this.polling;
  }

  /** What is attached now, as of the last look. */
  current(): ReadonlyMap<string, T> {
    return this.known;
  }

  private async look(): Promise<void> {
    let list: T[];
    try {
      list = await this.list();
    } catch (e) {
      this.setState({ available: false, reason: e instanceof Error ? e.message : String(e) });
      for (const k of this.known.keys()) this.events.onDetach(k);
      this.known.clear();
      return;
    }
    this.setState({ available: true });
    const now = new Map(list.map((d) => [this.keyOf(d), d]));
    const before = this.known;
    this.known = now;
    for (const k of before.keys()) if (!now.has(k)) this.events.onDetach(k);
    for (const [k, d] of now) if (!before.has(k)) this.events.onAttach(k, d);
    this.events.onPolled?.();
  }

  private setState(s: HostState): void {
    if (this.state && this.state.available === s.available) return;
    this.state = s;
    this.events.onState(s);
  }
}

export class UsbWatcher extends ListWatcher<UsbDeviceLike> {
  constructor(host: UsbHost, events: UsbWatchEvents, intervalMs = 2000) {
    super(() => host.getDevices(), usbDeviceKey, events, intervalMs);
  }
}
