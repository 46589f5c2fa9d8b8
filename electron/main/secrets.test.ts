import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeychainSecretStore } from './secrets';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function store(backend: string, available = true) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-sec-'));
  dirs.push(dir);
  const file = path.join(dir, 'secrets.json');
  const safeStorage = {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend as 'gnome_libsecret',
    // A reversible stand-in for the OS cipher: what matters is that only its output hits disk.
    encryptString: (s: string) => Buffer.from(Buffer.from(s).map((b) => b ^ 0x5a)),
    decryptString: (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a)).toString(),
  };
  return { s: new KeychainSecretStore(safeStorage, file), file };
}

describe('KeychainSecretStore', () => {
  it('round-trips a secret and writes only ciphertext, owner-readable', async () => {
    const { s, file } = store('gnome_libsecret');
    await s.set('acquirer.key', 'k3y-material');
    expect(await s.get('acquirer.key')).toBe('k3y-material');
    expect(fs.readFileSync(file, 'utf8')).not.toContain('k3y-material');
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('forgets a secret and keeps the others, leaving no half-written file behind', async () => {
    const { s, file } = store('gnome_libsecret');
    await s.set('acquirer.signing.A', 'one');
    await s.set('acquirer.offline.B', 'two');
    await s.delete('acquirer.signing.A');
    await s.delete('never-set');
    expect(await s.get('acquirer.signing.A')).toBeNull();
    expect(await s.get('acquirer.offline.B')).toBe('two');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['secrets.json']);
  });

  it('refuses to store secrets when no keychain is available', async () => {
    const { s } = store('gnome_libsecret', false);
    await expect(s.set('k', 'v')).rejects.toThrow(/keychain/);
    expect(await s.get('k')).toBeNull();
  });

  it('refuses Linux basic_text, which would encrypt with a hard-coded key', async () => {
    if (process.platform !== 'linux') return;
    const { s } = store('basic_text');
    await expect(s.set('k', 'v')).rejects.toThrow(/keychain/);
  });
});
