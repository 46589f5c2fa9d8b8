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
  /** Linux only (`usb` v3): usblp/usbhid hold printers and scanners until detached. */
  detachKernelDriver?(n: number): Promise<void>;
}

export const USB_CLASS_HID = 0x03;
export const USB_CLASS_PRINTER = 0x07;

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
