/**
 * PIN hashing. A 4–8 digit PIN has at most 10^8 values, so the hash must be slow (scrypt,
 * memory-hard) and salted per operator; the lockout in operators.ts bounds online guessing.
 * Stored form: `scrypt$N$r$p$saltB64$hashB64`, so parameters can be raised later and old
 * hashes still verify.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** A new PIN's length. Logging in still takes 4–8 digits, so PINs set before these rules keep working. */
export const NEW_PIN_MIN = 6;
export const NEW_PIN_MAX = 8;

export type PinProblem = 'length' | 'same_digit' | 'run';

/**
 * Why a newly chosen PIN is refused, or null when it is acceptable. Refused: not 6–8 digits;
 * one digit repeated (000000); a run up or down by one (123456, 987654, also wrapping 890123),
 * since these are the first guesses of anyone at the counter, and the lockout only allows
 * MAX_FAILURES of them.
 */
export function pinProblem(pin: string): PinProblem | null {
  if (!/^[0-9]+$/.test(pin) || pin.length < NEW_PIN_MIN || pin.length > NEW_PIN_MAX) return 'length';
  const d = [...pin].map(Number);
  if (d.every((x) => x === d[0])) return 'same_digit';
  for (const step of [1, 9]) {
    if (d.every((x, i) => i === 0 || x === (d[i - 1] + step) % 10)) return 'run';
  }
  return null;
}

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
