/**
 * The forwarding wire format, shared by the terminal (encoder of batches) and the acquirer
 * simulator (decoder). One HTTP request carries a whole batch: certificates are sent once per
 * batch and referenced by index, each code shrinks to its payload and wallet signature, and
 * the whole body is deflated (node:zlib). The answer lists one verdict per item, in order.
 *
 * Invariants:
 * - Decoding is total: malformed input throws WireError, never a library exception or a
 *   partial result; sizes are bounded before any allocation.
 * - The decoded code bytes are exactly the bytes the wallet signed (FORMAT.md §2), so the
 *   acquirer verifies the same signatures the terminal did.
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { CODE_BYTES, CODE_VERSION, offlineOrderNo } from '../offline/code';

export class WireError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'WireError';
  }
}

const CERT_LEN = 126; // certificate body 62 + issuer signature 64 (FORMAT.md §2)
const MAX_ITEMS = 5000;
const MAX_BODY = 8 * 1024 * 1024;

export interface WireItem {
  orderNo: string;
  amountFen: number;
  purpose: 'sale' | 'cash_out';
  acceptedAt: number;
  flags: number;
  /** The full 207-byte offline code. */
  code: Uint8Array;
}

export interface WireBatch {
  terminalId: string;
  batchId: string;
  items: WireItem[];
}

export type WireVerdict = { status: 'accepted' | 'declined' | 'review'; reason: string | null; replayed: boolean };

class Writer {
  private parts: Buffer[] = [];
  private cur = Buffer.alloc(4096);
  private n = 0;
  private ensure(k: number): void {
    if (this.n + k > this.cur.length) {
      this.parts.push(this.cur.subarray(0, this.n));
      this.cur = Buffer.alloc(Math.max(4096, k));
      this.n = 0;
    }
  }
  u8(v: number): void {
    this.ensure(1);
    this.cur[this.n++] = v;
  }
  varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new WireError('varint out of range');
    this.ensure(8);
    while (v >= 0x80) {
      this.cur[this.n++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.cur[this.n++] = v;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.cur.set(b, this.n);
    this.n += b.length;
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.varint(b.length);
    this.bytes(b);
  }
  done(): Buffer {
    return Buffer.concat([...this.parts, this.cur.subarray(0, this.n)]);
  }
}

class Reader {
  private o = 0;
  constructor(private readonly b: Buffer) {}
  private need(k: number): void {
    if (this.o + k > this.b.length) throw new WireError('truncated');
  }
  u8(): number {
    this.need(1);
    return this.b[this.o++];
  }
  varint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const x = this.u8();
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 0x80;
    }
    throw new WireError('varint too long');
  }
  bytes(k: number): Buffer {
    this.need(k);
    const out = this.b.subarray(this.o, this.o + k);
    this.o += k;
    return out;
  }
  str(max: number): string {
    const k = this.varint();
    if (k > max) throw new WireError('string too long');
    return this.bytes(k).toString('utf8');
  }
  end(): void {
    if (this.o !== this.b.length) throw new WireError('trailing bytes');
  }
}

const PURPOSES = ['sale', 'cash_out'] as const;

/**
 * Certificates travel by reference by default: the acquirer issued every certificate it
 * trusts, so the wallet id and 4 bytes of the certificate's SHA-256 name it (12 bytes instead
 * of 126; the 4 bytes only tell apart the certificates of one wallet). An acquirer that cannot resolve a reference answers 409 and the forwarder resends
 * that batch with full certificates (`fullCerts`).
 */
export function certRef(cert: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(cert.subarray(4, 12)), createHash('sha256').update(cert).digest().subarray(0, 4)]);
}

export function encodeBatch(batch: WireBatch, opts: { fullCerts?: boolean } = {}): Buffer {
  const w = new Writer();
  w.bytes(Buffer.from('VB'));
  w.u8(1);
  w.str(batch.terminalId);
  w.str(batch.batchId);
  const certIndex = new Map<string, number>();
  const certs: Uint8Array[] = [];
  const refs = batch.items.map((it) => {
    if (it.code.length !== CODE_BYTES) throw new WireError('bad code length');
    const cert = it.code.subarray(1, 1 + CERT_LEN);
    const key = Buffer.from(cert).toString('base64');
    let i = certIndex.get(key);
    if (i === undefined) {
      i = certs.length;
      certIndex.set(key, i);
      certs.push(cert);
    }
    return i;
  });
  w.varint(certs.length);
  for (const c of certs) {
    if (opts.fullCerts) {
      w.u8(0);
      w.bytes(c);
    } else {
      w.u8(1);
      w.bytes(certRef(c));
    }
  }
  w.varint(batch.items.length);
  let prevAt = 0;
  batch.items.forEach((it, k) => {
    // The order number is not sent: both sides derive it from the code (offlineOrderNo).
    if (it.orderNo !== offlineOrderNo(it.code)) throw new WireError('order number does not match its code');
    w.varint(it.amountFen);
    w.u8((PURPOSES.indexOf(it.purpose) & 1) | ((it.flags & 0x7f) << 1));
    // Times are delta-coded (zig-zag) against the previous item: batches are in order.
    const d = it.acceptedAt - prevAt;
    w.varint(d >= 0 ? d * 2 : -d * 2 - 1);
    prevAt = it.acceptedAt;
    w.varint(refs[k]);
    // codeTime is seconds near acceptedAt and the counter is small: both as varints; then the
    // nonce and the wallet signature as they are (random bytes do not compress).
    const tail = it.code.subarray(1 + CERT_LEN);
    const dv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    const dt = dv.getUint32(0) - Math.floor(it.acceptedAt / 1000);
    w.varint(dt >= 0 ? dt * 2 : -dt * 2 - 1);
    w.varint(dv.getUint32(4));
    w.bytes(tail.subarray(8));
  });
  return zlib.deflateRawSync(w.done(), { level: 9 });
}

function inflate(body: Buffer): Buffer {
  if (body.length > MAX_BODY) throw new WireError('body too large');
  try {
    return zlib.inflateRawSync(body, { maxOutputLength: 4 * MAX_BODY });
  } catch {
    throw new WireError('not a deflated body');
  }
}

export class UnknownCertificate extends WireError {
  constructor() {
    super('unknown certificate reference');
  }
}

/** `resolve` maps a certificate reference (certRef) to the certificate the acquirer issued. */
export function decodeBatch(body: Buffer, resolve: (ref: Buffer) => Uint8Array | null = () => null): WireBatch {
  const r = new Reader(inflate(body));
  if (r.bytes(2).toString() !== 'VB' || r.u8() !== 1) throw new WireError('not a batch');
  const terminalId = r.str(16);
  const batchId = r.str(64);
  const nCerts = r.varint();
  if (nCerts > MAX_ITEMS) throw new WireError('too many certificates');
  const certs: Buffer[] = [];
  for (let i = 0; i < nCerts; i++) {
    const kind = r.u8();
    if (kind === 0) certs.push(r.bytes(CERT_LEN));
    else if (kind === 1) {
      const c = resolve(r.bytes(12));
      if (!c || c.length !== CERT_LEN) throw new UnknownCertificate();
      certs.push(Buffer.from(c));
    } else throw new WireError('bad certificate kind');
  }
  const n = r.varint();
  if (n > MAX_ITEMS) throw new WireError('too many items');
  const items: WireItem[] = [];
  let prevAt = 0;
  for (let k = 0; k < n; k++) {
    const amountFen = r.varint();
    const pf = r.u8();
    const z = r.varint();
    const at = prevAt + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
    if (!Number.isSafeInteger(at) || at < 0) throw new WireError('bad time');
    prevAt = at;
    const ci = r.varint();
    if (ci >= certs.length) throw new WireError('bad certificate index');
    const zt = r.varint();
    const codeTime = Math.floor(at / 1000) + (zt % 2 === 0 ? zt / 2 : -(zt + 1) / 2);
    const counter = r.varint();
    if (codeTime < 0 || codeTime > 0xffffffff || counter > 0xffffffff) throw new WireError('field out of range');
    const rest = r.bytes(CODE_BYTES - 1 - CERT_LEN - 8);
    const code = new Uint8Array(CODE_BYTES);
    code[0] = CODE_VERSION;
    code.set(certs[ci], 1);
    const dv = new DataView(code.buffer);
    dv.setUint32(1 + CERT_LEN, codeTime);
    dv.setUint32(1 + CERT_LEN + 4, counter);
    code.set(rest, 1 + CERT_LEN + 8);
    items.push({ orderNo: offlineOrderNo(code), amountFen, purpose: PURPOSES[pf & 1], flags: pf >> 1, acceptedAt: at, code });
  }
  r.end();
  return { terminalId, batchId, items };
}

const VERDICTS = ['accepted', 'declined', 'review'] as const;

export function encodeResults(batchId: string, verdicts: WireVerdict[]): Buffer {
  const w = new Writer();
  w.bytes(Buffer.from('VR'));
  w.u8(1);
  w.str(batchId);
  w.varint(verdicts.length);
  for (const v of verdicts) {
    w.u8(VERDICTS.indexOf(v.status) | (v.replayed ? 0x80 : 0));
    if (v.status !== 'accepted') w.str(v.reason ?? '');
  }
  return zlib.deflateRawSync(w.done());
}

export function decodeResults(body: Buffer): { batchId: string; verdicts: WireVerdict[] } {
  const r = new Reader(inflate(body));
  if (r.bytes(2).toString() !== 'VR' || r.u8() !== 1) throw new WireError('not a result');
  const batchId = r.str(64);
  const n = r.varint();
  if (n > MAX_ITEMS) throw new WireError('too many verdicts');
  const verdicts: WireVerdict[] = [];
  for (let i = 0; i < n; i++) {
    const b = r.u8();
    const s = b & 0x7f;
    if (s >= VERDICTS.length) throw new WireError('bad verdict');
    const status = VERDICTS[s];
    const reason = status === 'accepted' ? null : r.str(40);
    if (reason !== null && !/^[a-z_]{1,40}$/.test(reason)) throw new WireError('bad reason');
    verdicts.push({ status, reason, replayed: (b & 0x80) !== 0 });
  }
  r.end();
  return { batchId, verdicts };
}

export const FLAG_BITS = { near_limit_repeated: 1, repeated_cash_out: 2 } as const;
export function flagBits(flags: readonly string[]): number {
  return flags.reduce((m, f) => m | (FLAG_BITS[f as keyof typeof FLAG_BITS] ?? 0), 0);
}

/** What the request signature covers in place of the body on /offline/v1/: with the signing rules. */
export { bodyDigest } from '../acquirer/signing';
