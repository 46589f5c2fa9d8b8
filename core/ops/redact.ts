/**
 * What may be written to a log or a diagnostics bundle. Every record passes through `redact`
 * before it reaches a file, so a careless call site cannot leak what support must never see:
 *
 * - by field name (any depth, any spelling of case, `_` or `-`, and by the name's ending):
 *   PINs, keys, tokens and signatures are dropped; names, phones, contacts, accounts,
 *   addresses, free-text notes, printed receipts and face data (images, embeddings,
 *   templates) are dropped; payment codes are masked like a
 *   receipt (`1345****6789`) unless the value is an error code (`payment.declined`);
 * - in any string: PEM blocks, stand-alone digit runs of 16–24 (payment codes, bank cards,
 *   ID numbers), face-payment codes (`fp…`), mainland mobile numbers, and long opaque tokens
 *   (keys, signatures, offline codes, image data) are masked or dropped;
 * - the OS account's home folder in any path becomes `~` (it often is a person's name);
 * - values registered at run time (`remember`: the secrets the secret store handed out) are
 *   dropped wherever they appear.
 *
 * Over-redaction is the accepted failure: a masked order number costs support a question, a
 * leaked PIN or phone number cannot be taken back.
 */
import os from 'node:os';

export const REDACTED = '[redacted]';

const norm = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Dropped whole: secrets, and personal data that support never needs. */
const DROP = new Set([
  // secrets
  'pin', 'pins', 'newpin', 'newpinagain', 'pinagain', 'oldpin', 'password', 'passwd', 'secret', 'secrets', 'token',
  'apikey', 'key', 'keys', 'signingkey', 'offlinekey', 'privatekey', 'routekey', 'terminalkey', 'sign', 'signature',
  'authorization', 'cookie', 'seed', 'mac', 'salt', 'pinhash',
  // personal
  'name', 'names', 'operatorname', 'customername', 'payername', 'fullname', 'realname', 'merchantname', 'agentname',
  'phone', 'mobile', 'tel', 'telephone', 'contact', 'idcard', 'idno', 'idnumber', 'certno', 'account', 'accountno',
  'bankaccount', 'cardno', 'address', 'note', 'notes', 'remark', 'memo', 'comment', 'payee', 'payer',
  // face data
  'face', 'faceimage', 'image', 'images', 'photo', 'picture', 'embedding', 'embeddings', 'descriptor', 'template',
  'landmarks', 'mesh', 'biometric', 'dataurl', 'frame', 'pixels',
]);

/**
 * Dropped by the end of the name too (`creditName`, `toName`, `approverPin`, `customerPhone`,
 * `offlineRouteKey`, a printed `receipt` with the cashier's name on it), except the few names
 * below that only ever hold a file, a host or a device.
 */
const DROP_SUFFIX = ['pin', 'name', 'phone', 'mobile', 'contact', 'key', 'secret', 'token', 'password', 'account', 'embedding', 'image', 'address', 'note', 'receipt'];
const KEEP = new Set(['filename', 'basename', 'hostname', 'eventname', 'methodname', 'devicename', 'productname', 'schemaname', 'tablename']);

function dropped(k: string): boolean {
  return DROP.has(k) || (!KEEP.has(k) && DROP_SUFFIX.some((x) => k.endsWith(x)));
}

/** Masked like a receipt: the first and last four characters. */
const MASK = new Set(['code', 'paymentcode', 'authcode', 'scannedcode', 'offlinecode', 'qrcode', 'rawcode', 'barcode']);

/** An error or rule code (`payment.declined`, `E_FULL`) is support's best friend: kept. */
const ERROR_CODE = /^[A-Za-z][A-Za-z0-9_]*([.:][A-Za-z0-9_]+)*$/;

export function maskValue(s: string): string {
  if (s.length <= 8) return '****';
  return `${s.slice(0, 4)}****${s.slice(-4)}`;
}

const STRING_RULES: ReadonlyArray<[RegExp, (m: string) => string]> = [
  [/-----BEGIN[\s\S]*?(-----END[^-]*-----|$)/g, () => REDACTED],
  // Long opaque tokens: keys (hex, base64), signatures, offline codes, data URLs.
  [/[A-Za-z0-9+/_=-]{40,}/g, (m) => (/[0-9]/.test(m) && /[A-Za-z]/.test(m) ? REDACTED : m)],
  [/(?<![A-Za-z0-9])fp[0-9]{10,30}(?![0-9])/g, maskValue],
  [/(?<![A-Za-z0-9])[0-9]{17}[0-9Xx](?![A-Za-z0-9])/g, maskValue],
  [/(?<![A-Za-z0-9])[0-9]{16,24}(?![A-Za-z0-9])/g, maskValue],
  [/(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g, (m) => `${m.slice(0, 3)}****${m.slice(7)}`],
];

/**
 * The OS account's home folder is often a person's name (`C:\\Users\\张伟`, `/home/zhangwei`):
 * written as `~` in every path.
 */
const HOME = (() => {
  try {
    const h = os.homedir();
    return h.length >= 4 ? h : null;
  } catch {
    return null;
  }
})();

const unhome = (s: string) => (HOME && s.includes(HOME) ? s.split(HOME).join('~') : s);

const MAX_STRING = 2000;
const MAX_ARRAY = 50;
const MAX_DEPTH = 8;

export class Redactor {
  private readonly known = new Set<string>();

  /** Drops this exact value wherever it appears later (a key read from the secret store). */
  remember(value: string | null | undefined): void {
    if (typeof value === 'string' && value.length >= 6) this.known.add(value);
  }

  /** A string for one record: cut to size, then scrubbed. */
  text(s: string): string {
    return this.scrub(s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}…[${s.length} chars]` : s);
  }

  /** A string of any length (a whole log file) with every rule applied. */
  scrub(s: string): string {
    let out = unhome(s);
    for (const k of this.known) if (out.includes(k)) out = out.split(k).join(REDACTED);
    for (const [re, f] of STRING_RULES) out = out.replace(re, f);
    return out;
  }

  /** A copy of `value` safe to write: never mutates it, never throws. */
  value(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object') {
      return typeof value === 'bigint' ? value.toString() : typeof value === 'function' ? undefined : value;
    }
    if (seen.has(value) || depth >= MAX_DEPTH) return '[…]';
    seen.add(value);
    if (value instanceof Error) return this.error(value, depth, seen);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[binary ${value.byteLength} bytes]`;
    if (Array.isArray(value)) {
      const head = value.slice(0, MAX_ARRAY).map((v) => this.value(v, depth + 1, seen));
      if (value.length > MAX_ARRAY) head.push(`[+${value.length - MAX_ARRAY} more]`);
      return head;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.field(k, v, depth, seen);
    return out;
  }

  private field(key: string, v: unknown, depth: number, seen: WeakSet<object>): unknown {
    const k = norm(key);
    if (dropped(k)) return v === null || v === undefined ? v : REDACTED;
    if (MASK.has(k) && typeof v === 'string') return ERROR_CODE.test(v) && !/[0-9]{6,}/.test(v) ? v : maskValue(v);
    return this.value(v, depth + 1, seen);
  }

  private error(e: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
    const extra = e as Error & { code?: unknown; errno?: unknown };
    return {
      type: e.name,
      message: this.text(e.message),
      code: typeof extra.code === 'string' || typeof extra.code === 'number' ? extra.code : undefined,
      // Frames (`    at fn (file:line:col)`) are code, kept as they are: a long file path would
      // look like an opaque token. The lines before them carry the message: redacted.
      stack: e.stack ? e.stack.split('\n').slice(0, 12).map((l) => (/^\s+at [^\s]/.test(l) ? unhome(l) : this.text(l))).join('\n') : undefined,
      cause: e.cause !== undefined ? this.value(e.cause, depth + 1, seen) : undefined,
    };
  }
}
