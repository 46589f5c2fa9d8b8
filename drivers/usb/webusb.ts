/**
 * The slice of the WebUSB API our transports use. `usb` v3 devices satisfy it (their transfer
 * calls take an extra timeout argument), and so does the fake device in fake-device.ts: the
 * transports are tested without the native module, which must never load in unit tests (on a
 * host without USB it rejects, and its hotplug listener crashes Node; see host.ts).
 */
export type UsbDirection = 'in' | 'out';
export type UsbTransferStatus = 'ok' | 'stall' | 'babble';

export interface UsbEndpointLike {
  endpointNumber: number;
  direction: UsbDirection;
  type: 'bulk' | 'interrupt' | 'isochronous';
  packetSize: number;
}
export interface UsbAlternateLike {
  interfaceClass: number;
  interfaceSubclass: number;
  interfaceProtocol: number;
  endpoints: UsbEndpointLike[];
}
export interface UsbInterfaceLike {
  interfaceNumber: number;
  alternate: UsbAlternateLike;
}
export interface UsbConfigurationLike {
  configurationValue: number;
  interfaces: UsbInterfaceLike[];
}

export interface UsbDeviceLike {
  vendorId: number;
  productId: number;
  /** The device descriptor's class (9 = hub); `usb` v3 gives it, fakes may not. */
  deviceClass?: number;
  productName?: string | null;
  manufacturerName?: string | null;
  /** `usb` v3: where the device is plugged (`1-2.3`); distinguishes two identical scanners. */
  bus?: string;
  ports?: number[];
  readonly opened: boolean;
  readonly configuration: UsbConfigurationLike | null | undefined;
  /** All configurations, readable before the device is opened (to recognise it on attach). */
  readonly configurations?: UsbConfigurationLike[];
  open(): Promise<void>;
  close(): Promise<void>;
  selectConfiguration(value: number): Promise<void>;
  claimInterface(n: number): Promise<void>;
  releaseInterface(n: number): Promise<void>;
  transferOut(endpoint: number, data: Uint8Array, timeoutMs?: number): Promise<{ status: UsbTransferStatus; bytesWritten: number }>;
  transferIn(endpoint: number, length: number, timeoutMs?: number): Promise<{ status: UsbTransferStatus; data?: DataView }>;
  clearHalt(direction: UsbDirection, endpoint: number): Promise<void>;
  /** A control read (the HID report descriptor: GET_DESCRIPTOR 0x22 to the interface); `usb` v3 has it. */
  controlTransferIn?(
    setup: { requestType: 'standard' | 'class' | 'vendor'; recipient: 'device' | 'interface' | 'endpoint' | 'other'; request: number; value: number; index: number },
    length: number,
  ): Promise<{ status: UsbTransferStatus; data?: DataView }>;
  /** Linux only (`usb` v3): usblp/usbhid hold printers and scanners until detached. */
  detachKernelDriver?(n: number): Promise<void>;
}

export const USB_CLASS_HID = 0x03;
export const USB_CLASS_PRINTER = 0x07;
export const USB_CLASS_HUB = 0x09;
/** Communications (CDC) and CDC data: a USB serial device (a scanner in "USB serial" mode). */
export const USB_CLASS_CDC = 0x02;
export const USB_CLASS_CDC_DATA = 0x0a;
/** Vendor-specific: some receipt printers drive ESC/POS over it; so do USB-serial chips (CH340). */
export const USB_CLASS_VENDOR = 0xff;

/** `usb` v3 rejects a transfer that hit its timeout with "Cancelled" (or a timed-out message). */
export function isTimeout(e: unknown): boolean {
  const m = e instanceof Error ? e.message : String(e);
  return /cancel|timed? ?out|timeout/i.test(m);
}

/** Was access refused by the OS (Linux udev permissions, Windows without WinUSB)? */
export function isAccessDenied(e: unknown): boolean {
  const m = e instanceof Error ? e.message : String(e);
  return /access|permission|denied|EACCES|not[ _]supported/i.test(m);
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** A stable id for a plugged device: vendor, product and where it is plugged. */
export function usbDeviceKey(d: UsbDeviceLike): string {
  const where = d.bus ? `${d.bus}${d.ports?.length ? '.' + d.ports.join('.') : ''}` : '';
  return `${hex4(d.vendorId)}:${hex4(d.productId)}${where ? ':' + where.replace(/[^a-z0-9._-]/gi, '') : ''}`;
}

/** Finds the first interface of a class with the wanted endpoints. */
export function findInterface(
  d: UsbDeviceLike,
  cls: number,
  want: { in?: UsbEndpointLike['type']; out?: UsbEndpointLike['type'] },
): { iface: UsbInterfaceLike; epIn: UsbEndpointLike | null; epOut: UsbEndpointLike | null } | null {
  // Before open, a device may report no active configuration: its first one is what it will use.
  for (const iface of (d.configuration ?? d.configurations?.[0])?.interfaces ?? []) {
    if (iface.alternate.interfaceClass !== cls) continue;
    const epIn = want.in ? iface.alternate.endpoints.find((e) => e.direction === 'in' && e.type === want.in) ?? null : null;
    const epOut = want.out ? iface.alternate.endpoints.find((e) => e.direction === 'out' && e.type === want.out) ?? null : null;
    if ((want.in && !epIn) || (want.out && !epOut)) continue;
    return { iface, epIn, epOut };
  }
  return null;
}

/**
 * What a device's descriptors say it offers, read before it is opened (nothing is claimed).
 * This is all the app can know of a device it does not recognise: a keyboard-mode scanner and a
 * keyboard both present a HID boot keyboard, so descriptors cannot tell them apart; a mouse
 * interface (boot protocol 2) can only be a mouse, a keyboard-and-mouse set or its receiver.
 */
export interface UsbCapabilities {
  /** A HID interface with an interrupt IN endpoint: what a raw-HID reader needs. */
  hidIn: boolean;
  /** A HID boot keyboard (subclass 1, protocol 1): keyboards and keyboard-mode scanners alike. */
  bootKeyboard: boolean;
  /** A HID boot mouse (subclass 1, protocol 2): mice, keyboard-and-mouse sets, wireless receivers. */
  bootMouse: boolean;
  /** A printer-class interface with bulk OUT (such a device is listed as a printer by itself). */
  printer: boolean;
  /** A vendor-specific interface with bulk OUT (some receipt printers; USB-serial chips too). */
  vendorBulkOut: boolean;
  /** CDC communications or data interfaces: a USB serial device. */
  cdc: boolean;
  /** A hub (device or interface class 9). */
  hub: boolean;
}

export function usbCapabilities(d: UsbDeviceLike): UsbCapabilities {
  const ifaces = (d.configuration ?? d.configurations?.[0])?.interfaces ?? [];
  const has = (f: (a: UsbInterfaceLike['alternate']) => boolean) => ifaces.some((i) => f(i.alternate));
  const bootHid = (protocol: number) => has((a) => a.interfaceClass === USB_CLASS_HID && a.interfaceSubclass === 1 && a.interfaceProtocol === protocol);
  return {
    hidIn: findInterface(d, USB_CLASS_HID, { in: 'interrupt' }) !== null,
    bootKeyboard: bootHid(1),
    bootMouse: bootHid(2),
    printer: findInterface(d, USB_CLASS_PRINTER, { out: 'bulk' }) !== null,
    vendorBulkOut: findInterface(d, USB_CLASS_VENDOR, { out: 'bulk' }) !== null,
    cdc: has((a) => a.interfaceClass === USB_CLASS_CDC || a.interfaceClass === USB_CLASS_CDC_DATA),
    hub: d.deviceClass === USB_CLASS_HUB || has((a) => a.interfaceClass === USB_CLASS_HUB),
  };
}

/**
 * Opens a device and claims an interface, detaching the kernel driver first where there is one
 * (Linux: usblp holds printers, usbhid holds scanners; claiming without detaching fails "busy").
 */
export async function openAndClaim(d: UsbDeviceLike, interfaceNumber: number): Promise<void> {
  if (!d.opened) await d.open();
  if (!d.configuration) await d.selectConfiguration(1);
  if (d.detachKernelDriver) {
    try {
      await d.detachKernelDriver(interfaceNumber);
    } catch {
      // No driver bound (already detached, or not Linux): nothing to detach, claim directly.
    }
  }
  await d.claimInterface(interfaceNumber);
}
