/**
 * The mirror file's format: pure functions, bytes in and out, no disk.
 *
 * A mirror is one append-only text file per terminal on a second medium (a USB stick, a second
 * disk). Line 1 is a header; every later line is one sealed record:
 *
 *   header: {"v":1,"kind":"vc-mirror","terminalId":"T0001","createdAt":…,"salt":b64,"check":b64}
 *   record: {"n":1,"iv":b64,"ct":b64,"tag":b64,"h":hex}
 *
 * - Encrypted at rest: each record's JSON is sealed with AES-256-GCM under a key derived (HKDF-
 *   SHA256 with the header's salt) from the mirror's recovery code. The recovery code is shown
 *   once, to the administrator who turns the mirror on, to keep on paper with the shop's papers:
 *   the PC's own keychain dies with the PC, so the key that opens the mirror must not live only
 *   there.
 * - Hash-chained and bound to its place: the record's additional authenticated data is
 *   `terminalId | n | previous record's h`, and `h` = SHA-256 over the previous `h` and this
 *   record's iv, ct and tag. A record edited, swapped, deleted from the middle or copied from
 *   another terminal's mirror fails to open; one cut off the end is caught by comparing with the
 *   count the terminal itself keeps (writer.ts), and restore says which record was the last.
 * - `check` (an HMAC of a fixed text under a key derived the same way) tells a wrong recovery
 *   code from a damaged file before anything is opened.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const MIRROR_VERSION = 1;
export const GENESIS_H = '0'.repeat(64);

/** Crockford-style base32 without look-alikes (no I, L, O, U): typed back from paper. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_BYTES = 20;

export interface MirrorHeader {
  v: number;
  kind: 'vc-mirror';
  terminalId: string;
  createdAt: number;
  salt: string;
  check: string;
}

export interface SealedRecord {
  n: number;
  iv: string;
  ct: string;
  tag: string;
  h: string;
}

/** A new recovery code: 160 random bits as 32 base32 characters, shown in groups of four. */
export function newRecoveryCode(): string {
  return encodeBase32(randomBytes(CODE_BYTES));
}

export function formatRecoveryCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1-');
}

/** The code as typed back (spaces, dashes, lower case, O for 0 …) → its bytes, or null. */
export function parseRecoveryCode(typed: string): Buffer | null {
  const clean = typed
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (clean.length !== 32 || ![...clean].every((c) => ALPHABET.includes(c))) return null;
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of clean) {
    value = (value << 5) | ALPHABET.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function encodeBase32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export interface MirrorKeys {
  enc: Buffer;
  check: Buffer;
}

export function deriveKeys(secret: Buffer, salt: Buffer): MirrorKeys {
  const okm = Buffer.from(hkdfSync('sha256', secret, salt, 'village-cashier mirror v1', 64));
  return { enc: okm.subarray(0, 32), check: okm.subarray(32) };
}

const CHECK_TEXT = 'village-cashier mirror check';

export function newHeader(terminalId: string, secret: Buffer, now: number): { header: MirrorHeader; keys: MirrorKeys } {
  const salt = randomBytes(16);
  const keys = deriveKeys(secret, salt);
  const check = createHmac('sha256', keys.check).update(CHECK_TEXT).digest('base64');
  return { header: { v: MIRROR_VERSION, kind: 'vc-mirror', terminalId, createdAt: now, salt: salt.toString('base64'), check }, keys };
}

/** The keys for an existing mirror, or null when the secret is not the one it was made with. */
export function openHeader(header: MirrorHeader, secret: Buffer): MirrorKeys | null {
  const keys = deriveKeys(secret, Buffer.from(header.salt, 'base64'));
  const want = createHmac('sha256', keys.check).update(CHECK_TEXT).digest();
  const got = Buffer.from(header.check, 'base64');
  return got.length === want.length && timingSafeEqual(got, want) ? keys : null;
}

export function parseHeader(line: string): MirrorHeader | null {
  try {
    const h = JSON.parse(line) as Partial<MirrorHeader>;
    if (h.kind !== 'vc-mirror' || h.v !== MIRROR_VERSION) return null;
    if (typeof h.terminalId !== 'string' || typeof h.salt !== 'string' || typeof h.check !== 'string' || typeof h.createdAt !== 'number') return null;
    return h as MirrorHeader;
  } catch {
    return null;
  }
}

const aad = (terminalId: string, n: number, prevH: string) => Buffer.from(`${terminalId}|${n}|${prevH}`);
const chain = (prevH: string, iv: Buffer, ct: Buffer, tag: Buffer) =>
  createHash('sha256').update(prevH).update(iv).update(ct).update(tag).digest('hex');

export function seal(keys: MirrorKeys, terminalId: string, n: number, prevH: string, payload: unknown): SealedRecord {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.enc, iv);
  cipher.setAAD(aad(terminalId, n, prevH));
  const ct = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return { n, iv: iv.toString('base64'), ct: ct.toString('base64'), tag: tag.toString('base64'), h: chain(prevH, iv, ct, tag) };
}

export type OpenFailure = 'unreadable' | 'out_of_order' | 'chain_broken' | 'tampered';

/** Opens one record in its place in the chain; says what is wrong rather than throwing. */
export function open(keys: MirrorKeys, terminalId: string, n: number, prevH: string, line: string): { ok: true; record: SealedRecord; payload: unknown } | { ok: false; why: OpenFailure } {
  let r: SealedRecord;
  try {
    r = JSON.parse(line) as SealedRecord;
    if (typeof r.n !== 'number' || typeof r.iv !== 'string' || typeof r.ct !== 'string' || typeof r.tag !== 'string' || typeof r.h !== 'string') return { ok: false, why: 'unreadable' };
  } catch {
    return { ok: false, why: 'unreadable' };
  }
  if (r.n !== n) return { ok: false, why: 'out_of_order' };
  const iv = Buffer.from(r.iv, 'base64');
  const ct = Buffer.from(r.ct, 'base64');
  const tag = Buffer.from(r.tag, 'base64');
  if (chain(prevH, iv, ct, tag) !== r.h) return { ok: false, why: 'chain_broken' };
  try {
    const d = createDecipheriv('aes-256-gcm', keys.enc, iv);
    d.setAAD(aad(terminalId, n, prevH));
    d.setAuthTag(tag);
    const text = Buffer.concat([d.update(ct), d.final()]).toString('utf8');
    return { ok: true, record: r, payload: JSON.parse(text) };
  } catch {
    return { ok: false, why: 'tampered' };
  }
}
