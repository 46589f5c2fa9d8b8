/**
 * PIN hashing. A 4–8 digit PIN has at most 10^8 values, so the hash must be slow (scrypt,
 * memory-hard) and salted per operator; the lockout in operators.ts bounds online guessing.
 * Stored form: `scrypt$N$r$p$saltB64$hashB64`, so parameters can be raised later and old
 * hashes still verify.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

function scrypt(pin: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(pin, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const DEFAULT = { N: 1 << 14, r: 8, p: 1 };

export async function hashPin(pin: string, params = DEFAULT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(pin, salt, 32, { ...params, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((v) => Number.isInteger(v) && v > 0)) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  const key = await scrypt(pin, salt, expected.length, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
