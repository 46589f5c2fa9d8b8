import type { UsbCapabilities } from '../usb/webusb';

/**
 * Scanner makers we recognise by USB vendor id. Raw-HID mode detaches the kernel driver from the
 * device it reads, so it must never pick a keyboard by accident: a HID device is treated as a
 * scanner only if its vendor is listed here or an administrator chose it by vendor:product id.
 */
export const SCANNER_VENDORS: Record<number, string> = {
  0x0c2e: 'Honeywell (Metrologic)',
  0x05e0: 'Zebra (Symbol)',
  0x1eab: 'Newland',
  0x05f9: 'Datalogic',
  0x0536: 'Hand Held Products (Honeywell)',
  // Not listed on purpose: makers of generic USB chips (e.g. QinHeng 0x1a86) that also end up
  // in keyboards. Such scanners are chosen by vendor:product id on the Devices screen.
};

export function knownScannerName(vendorId: number): string | null {
  return SCANNER_VENDORS[vendorId] ?? null;
}

/**
 * Makers of keyboards and mice that make no barcode scanners or receipt printers (as far as we
 * know): a device of theirs chosen "by USB id" is the computer's keyboard or mouse, typed in by
 * mistake, and is refused. Deliberately short: a maker missing here is not let through on trust —
 * the screen still warns that claiming a HID device stops it typing.
 */
export const KEYBOARD_VENDORS: Record<number, string> = {
  0x046d: 'Logitech',
  0x045e: 'Microsoft',
  0x05ac: 'Apple',
  0x413c: 'Dell',
  0x17ef: 'Lenovo',
  0x04f2: 'Chicony', // laptops' built-in USB keyboards
  0x04ca: 'Lite-On',
  0x24ae: 'Rapoo (雷柏)',
  0x1532: 'Razer',
  0x1b1c: 'Corsair',
};

/**
 * Why a device chosen by id is a keyboard or mouse rather than a scanner or printer, as far as
 * the app can tell; null when it cannot tell (which is not a proof that it is no keyboard):
 * - `keyboard_maker`: its vendor id is one of KEYBOARD_VENDORS (attached or not);
 * - `mouse`: it is attached and presents a HID boot mouse (mice, keyboard-and-mouse sets and
 *   their wireless receivers; no scanner does).
 * What it cannot tell: a plain USB keyboard of another maker presents the same HID boot keyboard
 * as a scanner in keyboard mode; and nothing about a device that is not plugged in.
 */
export function keyboardEvidence(vendorId: number, caps: UsbCapabilities | null): 'keyboard_maker' | 'mouse' | null {
  if (KEYBOARD_VENDORS[vendorId]) return 'keyboard_maker';
  if (caps?.bootMouse) return 'mouse';
  return null;
}

/** One field of a "vendor:product" choice as typed: exactly 4 hex digits (spaces around ignored); null otherwise. */
export function parseHex4(s: string): number | null {
  const t = s.trim();
  return /^[0-9a-f]{4}$/i.test(t) ? parseInt(t, 16) : null;
}
