/**
 * Raw-HID scanner through hidapi (`node-hid`): the OS keeps its own HID driver (Windows' and
 * macOS's HID stack, Linux's hidraw), so nothing is detached or replaced. Only the transport is
 * here; the reports are decoded by hid-reader.ts, the same path as over libusb (usb-hid.ts).
 *
 * - The report format: on Linux the collection's report descriptor is read from sysfs
 *   (`/sys/class/hidraw/hidrawN/device/report_descriptor`, readable without opening the device);
 *   hidapi on Windows and macOS gives none through node-hid, so the collection's usage page and
 *   usage, which the OS lists, say keyboard or HID POS (hid-reader.ts `layoutFromUsage`).
 * - The read loop: `read(timeout)` resolves an empty buffer when no report came in time (the
 *   idle case: a code left unfinished is refused then); a rejection ends the loop (unplugged) and
 *   the device manager starts a new reader on replug. One read is outstanding at a time, and
 *   `stop` waits for it (at most one read time-out) before closing the handle.
 * - `loadNodeHid` loads the native module lazily (like `usb` in usb/host.ts): unit tests, demo
 *   mode and Linux's default path never load it. Its prebuilt binaries ship inside the npm
 *   package (N-API, one binary for Node and Electron alike).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { isAccessDenied } from '../usb/webusb';
import type { KeyboardDecoderOptions } from './hid';
import { HidReportReader, layoutFromDescriptor, layoutFromUsage, READ_TIMEOUT_MS, type HidReaderEvents, type HidReportSource } from './hid-reader';

/** One HID collection as hidapi lists it (node-hid's `Device`). */
export interface HidDeviceInfo {
  path?: string;
  vendorId: number;
  productId: number;
  usagePage?: number;
  usage?: number;
  interface: number;
  product?: string;
  manufacturer?: string;
  serialNumber?: string;
}

/** An open collection: `read` resolves an empty buffer (or undefined) when nothing came within the time-out. */
export interface HidHandle {
  read(timeoutMs: number): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

/** The slice of node-hid the reader uses: the real module (loadNodeHid), or the twin (fake-node-hid.ts). */
export interface HidLib {
  devices(vendorId: number, productId: number): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
  /** The collection's report descriptor where the OS gives it without opening the device (Linux, sysfs); else null. */
  reportDescriptor(d: HidDeviceInfo): Promise<Uint8Array | null>;
}

interface NodeHidModule {
  devicesAsync(vendorId: number, productId: number): Promise<HidDeviceInfo[]>;
  HIDAsync: { open(path: string): Promise<{ read(timeoutMs: number): Promise<Buffer | undefined>; close(): Promise<void> }> };
}

/** Loads node-hid on demand; resolves null (with the reason) where it cannot load (no binary for this machine). */
export async function loadNodeHid(platform: NodeJS.Platform = process.platform): Promise<{ lib: HidLib | null; reason: string }> {
  try {
    // A CommonJS module: its exports are the default export (named ones only where Node detects them).
    const imported = (await import('node-hid')) as unknown as Partial<NodeHidModule> & { default?: NodeHidModule };
    const mod = (imported.default ?? imported) as NodeHidModule;
    return {
      lib: {
        devices: (v, p) => mod.devicesAsync(v, p),
        open: async (p) => mod.HIDAsync.open(p),
        reportDescriptor: (d) => (platform === 'linux' ? hidrawDescriptor(d.path) : Promise.resolve(null)),
      },
      reason: '',
    };
  } catch (e) {
    return { lib: null, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Linux: a hidraw node's report descriptor from sysfs (world-readable, unlike the node itself); null if unreadable. */
export async function hidrawDescriptor(devPath: string | undefined): Promise<Uint8Array | null> {
  const node = devPath && /^\/dev\/(hidraw\d+)$/.exec(devPath)?.[1];
  if (!node) return null;
  try {
    const b = await fs.readFile(path.join('/sys/class/hidraw', node, 'device/report_descriptor'));
    return b.length ? new Uint8Array(b) : null;
  } catch {
    return null;
  }
}

const PAGE_POS = 0x8c;
const isKeyboard = (d: HidDeviceInfo) => d.usagePage === 0x01 && d.usage === 0x06;

/**
 * The collection to read among those hidapi lists for one device: a Bar Code Scanner (HID POS)
 * collection before a keyboard one (a scanner offering both sends codes on the former), then any
 * with a path. Null when hidapi lists nothing (not a HID device to this OS).
 */
export function pickCollection(list: HidDeviceInfo[]): HidDeviceInfo | null {
  const withPath = list.filter((d) => d.path);
  return withPath.find((d) => d.usagePage === PAGE_POS) ?? withPath.find(isKeyboard) ?? withPath[0] ?? null;
}

/** Whether a collection is a keyboard one only (no HID POS on this device). */
export const keyboardOnly = (list: HidDeviceInfo[]) => !list.some((d) => d.usagePage === PAGE_POS) && list.some(isKeyboard);

export class NodeHidScanner {
  private running = false;
  private wanted = false;
  private loop: Promise<void> | null = null;
  private handle: HidHandle | null = null;
  private readonly decode: HidReportReader;
  private readonly readTimeoutMs: number;
  /** How reports are told apart, once opened (null before). */
  layout: HidReportSource | null = null;

  constructor(
    private readonly lib: HidLib,
    private readonly info: HidDeviceInfo,
    private readonly events: HidReaderEvents,
    opts: KeyboardDecoderOptions & { readTimeoutMs?: number } = {},
  ) {
    this.decode = new HidReportReader(events, opts);
    this.readTimeoutMs = opts.readTimeoutMs ?? READ_TIMEOUT_MS;
  }

  get active(): boolean {
    return this.running;
  }

  /** Opens the collection and starts reading; resolves once opened (or failed: see onEnd). */
  async start(): Promise<void> {
    if (this.running) return;
    this.wanted = true;
    if (!this.info.path) return this.events.onEnd('not_a_scanner');
    const desc = await this.lib.reportDescriptor(this.info).catch(() => null);
    this.layout = desc ? layoutFromDescriptor(desc) : layoutFromUsage(this.info.usagePage, this.info.usage);
    this.decode.use(this.layout);
    try {
      this.handle = await this.lib.open(this.info.path);
    } catch (e) {
      return this.events.onEnd(isAccessDenied(e) ? 'no_permission' : 'disconnected');
    }
    if (!this.wanted) {
      await this.close();
      return this.events.onEnd('stopped');
    }
    this.running = true;
    this.loop = this.read(this.handle);
  }

  private async read(h: HidHandle): Promise<void> {
    let end: 'stopped' | 'disconnected' = 'stopped';
    while (this.running) {
      let r: Uint8Array | undefined;
      try {
        r = await h.read(this.readTimeoutMs);
      } catch {
        end = this.running ? 'disconnected' : 'stopped';
        break;
      }
      if (!r?.length) this.decode.idle(Date.now(), this.readTimeoutMs);
      else this.decode.transfer(new Uint8Array(r.buffer, r.byteOffset, r.byteLength), Date.now());
    }
    this.running = false;
    this.decode.reset();
    await this.close();
    this.events.onEnd(end);
  }

  private async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    try {
      await h?.close();
    } catch {
      // The device is gone; there is nothing to close.
    }
  }

  /** Stops after the outstanding read returns (at most one read time-out), or once an open under way is done. */
  async stop(): Promise<void> {
    this.wanted = false;
    this.running = false;
    await this.loop;
  }
}
