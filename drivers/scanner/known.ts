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

/** Parses an administrator's "vvvv:pppp" choice; null if malformed. */
export function parseVidPid(s: string): { vendorId: number; productId: number } | null {
  const m = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(s.trim());
  if (!m) return null;
  return { vendorId: parseInt(m[1]!, 16), productId: parseInt(m[2]!, 16) };
}
