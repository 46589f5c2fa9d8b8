/**
 * A HID report descriptor → what the device's input reports are: pure, bytes in.
 *
 * The raw-HID reader decides keyboard vs HID POS from this, not from each report's length and
 * first byte: a keyboard application collection (usage page 0x01, usage 0x06) sends keyboard
 * reports, one on the Bar Code Scanner page (0x8C) sends Scanned Data Reports; their report ids
 * and input lengths come from the descriptor, so a transfer of several coalesced keyboard reports
 * (64 bytes = 8 of them) is split, not refused. Only short items are read (HID 1.11 §6.2.2; long
 * items are reserved and skipped); anything malformed makes the whole descriptor unreadable (null),
 * and the reader says it is guessing.
 */

export interface ReportFormat {
  /** The report id that prefixes every report of this kind, or null (the device has no report ids). */
  reportId: number | null;
  /** Bytes per input report, report id included. */
  length: number;
}

export interface HidLayout {
  keyboard: ReportFormat | null;
  pos: ReportFormat | null;
}

const PAGE_GENERIC_DESKTOP = 0x01;
const USAGE_KEYBOARD = 0x06;
const PAGE_BARCODE_SCANNER = 0x8c;

interface App {
  page: number;
  usage: number;
  reportIds: Set<number>;
}

/** Parses the descriptor; null when it is malformed (truncated item, unbalanced collections). */
export function parseReportDescriptor(d: Uint8Array): HidLayout | null {
  const apps: App[] = [];
  const bits = new Map<number, number>(); // report id (0: none) → input bits
  const appOfId = new Map<number, App>();
  let global = { page: 0, size: 0, count: 0, id: 0 };
  const stack: (typeof global)[] = [];
  let usages: number[] = [];
  let depth = 0;
  let app: App | null = null;
  let k = 0;
  while (k < d.length) {
    const prefix = d[k]!;
    if (prefix === 0xfe) {
      // Long item: bDataSize, bLongItemTag, data.
      if (k + 2 >= d.length) return null;
      k += 3 + d[k + 1]!;
      continue;
    }
    const size = [0, 1, 2, 4][prefix & 3]!;
    if (k + 1 + size > d.length) return null;
    let v = 0;
    for (let b = size - 1; b >= 0; b--) v = v * 256 + d[k + 1 + b]!;
    const type = (prefix >> 2) & 3;
    const tag = prefix >> 4;
    k += 1 + size;
    if (type === 1) {
      if (tag === 0) global.page = v;
      else if (tag === 7) global.size = v;
      else if (tag === 8) {
        if (v === 0 || v > 255) return null;
        global.id = v;
      } else if (tag === 9) global.count = v;
      else if (tag === 10) stack.push({ ...global });
      else if (tag === 11) {
        const g = stack.pop();
        if (!g) return null;
        global = g;
      }
    } else if (type === 2) {
      if (tag === 0) usages.push(size === 4 ? v : global.page * 0x10000 + v);
    } else if (type === 0) {
      if (tag === 10) {
        if (depth === 0 && v === 1) {
          const u = usages[0] ?? 0;
          app = { page: u >>> 16, usage: u & 0xffff, reportIds: new Set() };
          apps.push(app);
        }
        depth++;
      } else if (tag === 12) {
        if (--depth < 0) return null;
        if (depth === 0) app = null;
      } else if (tag === 8) {
        bits.set(global.id, (bits.get(global.id) ?? 0) + global.size * global.count);
        if (app) {
          app.reportIds.add(global.id);
          appOfId.set(global.id, app);
        }
      }
      usages = [];
    } else return null;
  }
  if (depth !== 0) return null;
  const formatOf = (match: (a: App) => boolean): ReportFormat | null => {
    const a = apps.find(match);
    if (!a) return null;
    const id = [...a.reportIds][0];
    if (id === undefined) return null;
    return { reportId: id === 0 ? null : id, length: Math.ceil((bits.get(id) ?? 0) / 8) + (id === 0 ? 0 : 1) };
  };
  return {
    keyboard: formatOf((a) => a.page === PAGE_GENERIC_DESKTOP && a.usage === USAGE_KEYBOARD),
    pos: formatOf((a) => a.page === PAGE_BARCODE_SCANNER),
  };
}

/**
 * Splits one interrupt transfer into the device's reports: a transfer may hold several
 * (coalesced keyboard reports). Null: it is not a whole number of reports the layout describes.
 */
export function splitTransfer(t: Uint8Array, layout: HidLayout): { kind: 'keyboard' | 'pos'; report: Uint8Array }[] | null {
  const out: { kind: 'keyboard' | 'pos'; report: Uint8Array }[] = [];
  let k = 0;
  while (k < t.length) {
    const rest = t.subarray(k);
    const kinds = (['pos', 'keyboard'] as const).filter((x) => {
      const f = layout[x];
      return f && (f.reportId === null ? true : rest[0] === f.reportId) && rest.length >= f.length;
    });
    // With report ids the id says which; without, the device has one kind of report only.
    const kind = kinds[0];
    if (!kind) return null;
    const len = layout[kind]!.length;
    out.push({ kind, report: rest.subarray(0, len) });
    k += len;
  }
  return out;
}
