/**
 * PIN hashing. A 4–8 digit PIN has at most 10^8 values, so the hash must be slow (scrypt,
 * memory-hard) and salted per operator; the lockout in operators.ts bounds online guessing.
 *
 * Offline guessing (someone who copied the database) is bounded two ways on a live counter:
 * - the cost: scrypt N=2^17, r=8, p=1 (128 MiB per hash), OWASP's Password Storage Cheat
 *   Sheet's minimum for scrypt. Every guess costs the thief that much memory and time;
 * - a pepper: a random 32-byte secret kept in the OS secret store (the keychain under
 *   Electron), never in the database. The PIN is keyed with it (HMAC-SHA256) before scrypt, so
 *   the database alone is not enough to test a single guess.
 * Demo (training) mode keeps the lighter cost and no pepper: its PINs are printed on its own
 * login screen and its data is training data.
 *
 * Stored forms, so parameters can be raised later and old hashes still verify (and are
 * replaced at the operator's next correct login, `needsRehash`):
 *   `scrypt$N$r$p$saltB64$hashB64`              (no pepper; every hash written before peppers)
 *   `scryptp$pepperId$N$r$p$saltB64$hashB64`    (peppered; pepperId names which pepper)
 */
import { createHash, createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../api/errors';
import type { SecretStore } from '../platform';

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

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet, scrypt: "minimum CPU/memory cost parameter of (2^17), a minimum block size of 8 (1024 bytes), and a parallelization parameter of 1". */
export const LIVE_PIN_COST: ScryptParams = { N: 1 << 17, r: 8, p: 1 };
/** Demo (training) mode and tests: the cost every hash had before, 2^14. */
export const DEMO_PIN_COST: ScryptParams = { N: 1 << 14, r: 8, p: 1 };
/** Hashes with a larger N are refused rather than computed: the stored form is ours, but a corrupt one must not take the machine's memory. */
const MAX_N = 1 << 20;

/** The secret keyed into every PIN before scrypt, and a short public name for it (stored with each hash). */
export interface Pepper {
  id: string;
  key: Buffer;
}

export interface PinHashing {
  cost: ScryptParams;
  pepper: Pepper | null;
}

/** The name of the pepper in the shell's secret store. */
export const PEPPER_SECRET = 'auth.pinPepper';

export function pepperFrom(key: Buffer): Pepper {
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 12), key };
}

/**
 * The pepper from the OS secret store, made on first use. Null where the store cannot keep a
 * secret (Electron on Linux without a keychain refuses, electron/main/secrets.ts): hashes are
 * then written unpeppered, still at full cost, and peppered at the next login once it can.
 */
export async function loadPepper(secrets: SecretStore, log: (m: string) => void = console.warn): Promise<Pepper | null> {
  const stored = await secrets.get(PEPPER_SECRET).catch(() => null);
  if (stored !== null) {
    const key = Buffer.from(stored, 'base64');
    if (key.length === 32) return pepperFrom(key);
  }
  const key = randomBytes(32);
  try {
    await secrets.set(PEPPER_SECRET, key.toString('base64'));
  } catch (e) {
    log(`[auth] no OS secret store for the PIN pepper; PIN hashes are not peppered: ${e instanceof Error ? e.message : e}`);
    return null;
  }
  return pepperFrom(key);
}

export const PinErrors = {
  /** A peppered hash whose pepper is not in this PC's secret store (a new OS profile, a copied database): nobody can check the PIN. */
  pepperMissing: () =>
    new AppError('auth.pepper_missing', '本机的系统密钥库中没有 PIN 密钥，无法核对 PIN（数据可能来自另一台电脑或另一个系统账户）。请联系安装人员。',
      'The PIN key is not in this PC’s system keychain, so no PIN can be checked (the data may come from another PC or another system account). Call the installer.'),
};

function scrypt(secret: Buffer, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** What scrypt is given: the PIN itself, or the PIN keyed with the pepper. */
function secretOf(pin: string, pepper: Pepper | null): Buffer {
  return pepper ? createHmac('sha256', pepper.key).update(pin, 'utf8').digest() : Buffer.from(pin, 'utf8');
}

const maxmem = (p: ScryptParams) => 256 * p.N * p.r;

export async function hashPin(pin: string, hashing: PinHashing = { cost: DEMO_PIN_COST, pepper: null }): Promise<string> {
  const { cost, pepper } = hashing;
  const salt = randomBytes(16);
  const key = await scrypt(secretOf(pin, pepper), salt, 32, { ...cost, maxmem: maxmem(cost) });
  const tail = [cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')];
  return (pepper ? ['scryptp', pepper.id, ...tail] : ['scrypt', ...tail]).join('$');
}

interface Parsed {
  pepperId: string | null;
  cost: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

function parse(stored: string): Parsed | null {
  const parts = stored.split('$');
  let pepperId: string | null = null;
  if (parts[0] === 'scryptp' && parts.length === 7) pepperId = parts.splice(1, 1)[0]!;
  else if (parts[0] !== 'scrypt' || parts.length !== 6) return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((v) => Number.isInteger(v) && v > 0) || N > MAX_N || (N & (N - 1)) !== 0) return null;
  return { pepperId, cost: { N, r, p }, salt: Buffer.from(parts[4]!, 'base64'), hash: Buffer.from(parts[5]!, 'base64') };
}

/**
 * Whether `pin` matches `stored`. A peppered hash checked without its pepper throws
 * `auth.pepper_missing` rather than saying "wrong PIN": no guess could ever match, and counting
 * it as one would lock out every operator.
 */
export async function verifyPin(pin: string, stored: string, pepper: Pepper | null = null): Promise<boolean> {
  const h = parse(stored);
  if (!h) return false;
  if (h.pepperId !== null && h.pepperId !== pepper?.id) throw PinErrors.pepperMissing();
  const key = await scrypt(secretOf(pin, h.pepperId === null ? null : pepper), h.salt, h.hash.length, { ...h.cost, maxmem: maxmem(h.cost) });
  return key.length === h.hash.length && timingSafeEqual(key, h.hash);
}

/** True when a verified hash is weaker than what would be written now: a lower cost, or no pepper while one is held. */
export function needsRehash(stored: string, hashing: PinHashing): boolean {
  const h = parse(stored);
  if (!h) return false;
  const weaker = h.cost.N < hashing.cost.N || h.cost.r < hashing.cost.r || h.cost.p < hashing.cost.p;
  return weaker || (hashing.pepper !== null && h.pepperId !== hashing.pepper.id);
}
