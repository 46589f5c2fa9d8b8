/**
 * The receipt settings of the terminal, kept in the `settings` table (keys `receipts.*`), so
 * the core knows the mode when a payment succeeds (and can count paper saved) whatever screen
 * is open.
 *
 * Invariants: `checkSettingsPatch` validates every field before anything is written, and
 * `writeSettings` writes all fields in one transaction — a refused input writes nothing.
 * Header lines are printed: no control characters (a stray ESC reprograms the printer), no
 * invisible or direction-changing characters (they make a printed name differ from what the
 * cashier saw on screen).
 */
import type { ReceiptMode, ReceiptSettings } from '../api/receipts';
import { plainUri } from '../../drivers/printer/receipt';
import type { Db, Queryable } from '../store/db';
import { ReceiptErrors } from './errors';

export const KEYS = { mode: 'receipts.mode', header: 'receipts.header', url: 'receipts.e_receipt_base_url' } as const;

export const HEADER_MAX_LINES = 4;
export const HEADER_MAX_CHARS = 32;

// C0, DEL, C1 controls; zero-width and bidi controls; line/paragraph separators; BOM.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const INVISIBLE = /[\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

const MODES: readonly ReceiptMode[] = ['print', 'qr', 'both'];

export function defaults(merchantName: string): ReceiptSettings {
  return { mode: 'both', header: [cleanDefault(merchantName)], eReceiptBaseUrl: null };
}

function cleanDefault(name: string): string {
  const s = [...name.replace(CONTROL, '').replace(INVISIBLE, '').trim()].slice(0, HEADER_MAX_CHARS).join('');
  return s || '村店收银台';
}

/** Validates and normalises (trims) header lines; throws a bilingual error on the first problem. */
export function checkHeader(input: unknown): string[] {
  if (!Array.isArray(input)) throw ReceiptErrors.badHeader({ zh: '应为若干行文字。', en: 'it must be a list of lines.' });
  if (input.length < 1 || input.length > HEADER_MAX_LINES) {
    throw ReceiptErrors.badHeader({ zh: `应为 1 至 ${HEADER_MAX_LINES} 行。`, en: `it must have 1 to ${HEADER_MAX_LINES} lines.` });
  }
  return input.map((line, i) => {
    const n = i + 1;
    if (typeof line !== 'string') throw ReceiptErrors.badHeader({ zh: `第 ${n} 行不是文字。`, en: `line ${n} is not text.` });
    if (CONTROL.test(line) || INVISIBLE.test(line)) {
      throw ReceiptErrors.badHeader({ zh: `第 ${n} 行含有不可打印的控制字符。`, en: `line ${n} contains control or invisible characters.` });
    }
    const t = line.trim();
    if (!t) throw ReceiptErrors.badHeader({ zh: `第 ${n} 行是空的。`, en: `line ${n} is empty.` });
    if ([...t].length > HEADER_MAX_CHARS) {
      throw ReceiptErrors.badHeader({ zh: `第 ${n} 行超过 ${HEADER_MAX_CHARS} 个字。`, en: `line ${n} is longer than ${HEADER_MAX_CHARS} characters.` });
    }
    return t;
  });
}

export function checkMode(input: unknown): ReceiptMode {
  if (typeof input !== 'string' || !(MODES as readonly string[]).includes(input)) throw ReceiptErrors.badMode();
  return input as ReceiptMode;
}

/** https only: the link is printed as a QR the customer trusts because it came from the shop. */
export function checkUrl(input: unknown): string | null {
  if (input === null) return null;
  if (typeof input !== 'string' || input.length > 200 || CONTROL.test(input) || INVISIBLE.test(input) || /\s/.test(input)) throw ReceiptErrors.badUrl();
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw ReceiptErrors.badUrl();
  }
  if (u.protocol !== 'https:' || !u.hostname || u.username || u.password || u.search || u.hash) throw ReceiptErrors.badUrl();
  // Stored and printed as a plain URI (the QR carries single bytes); one too long once encoded,
  // or whose host has no punycode form, is refused here rather than garbled on paper.
  const plain = plainUri(input);
  if (plain === null || plain.length > 200) throw ReceiptErrors.badUrl();
  return plain;
}

export interface SettingsPatch {
  mode?: ReceiptMode;
  header?: string[];
  eReceiptBaseUrl?: string | null;
}

/** Validates a patch from outside; returns only the fields present, normalised. */
export function checkSettingsPatch(input: Record<string, unknown>): SettingsPatch {
  const out: SettingsPatch = {};
  if (input.mode !== undefined) out.mode = checkMode(input.mode);
  if (input.header !== undefined) out.header = checkHeader(input.header);
  if (input.eReceiptBaseUrl !== undefined) out.eReceiptBaseUrl = checkUrl(input.eReceiptBaseUrl);
  return out;
}

async function getKey(q: Queryable, key: string): Promise<string | null> {
  return (await q.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]))?.value ?? null;
}

/**
 * Reads the settings; a stored value that no longer passes the checks (edited by hand, an older
 * version) falls back to the default for that field rather than printing it.
 */
export async function readSettings(q: Queryable, merchantName: string): Promise<ReceiptSettings> {
  const d = defaults(merchantName);
  const safe = <T>(f: () => T, fallback: T): T => {
    try {
      return f();
    } catch {
      return fallback;
    }
  };
  const mode = await getKey(q, KEYS.mode);
  const header = await getKey(q, KEYS.header);
  const url = await getKey(q, KEYS.url);
  return {
    mode: mode === null ? d.mode : safe(() => checkMode(mode), d.mode),
    header: header === null ? d.header : safe(() => checkHeader(JSON.parse(header) as unknown), d.header),
    eReceiptBaseUrl: url === null || url === '' ? null : safe(() => checkUrl(url), null),
  };
}

export async function writeSettings(db: Db, patch: SettingsPatch): Promise<void> {
  const put = (q: Queryable, k: string, v: string) =>
    q.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [k, v]);
  await db.tx(async (q) => {
    if (patch.mode !== undefined) await put(q, KEYS.mode, patch.mode);
    if (patch.header !== undefined) await put(q, KEYS.header, JSON.stringify(patch.header));
    if (patch.eReceiptBaseUrl !== undefined) await put(q, KEYS.url, patch.eReceiptBaseUrl ?? '');
  });
}
