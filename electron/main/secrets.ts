/**
 * Secrets in the OS keychain: Electron's safeStorage encrypts with a key held by DPAPI on
 * Windows, the Keychain on macOS and libsecret/kwallet on Linux. Only ciphertext touches disk.
 * Where no keychain is available (a bare Linux without a secret service) safeStorage would fall
 * back to a hard-coded key; we refuse to store secrets then rather than pretend.
 */
import fs from 'node:fs';
import type { SafeStorage } from 'electron';
import type { SecretStore } from '../../core/platform';

export class KeychainSecretStore implements SecretStore {
  constructor(
    private readonly safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>,
    private readonly file: string,
  ) {}

  private read(): Record<string, string> {
    try {
      const v: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      return typeof v === 'object' && v !== null ? (v as Record<string, string>) : {};
    } catch {
      return {};
    }
  }

  private usable(): boolean {
    if (!this.safeStorage.isEncryptionAvailable()) return false;
    if (process.platform === 'linux' && this.safeStorage.getSelectedStorageBackend() === 'basic_text') return false;
    return true;
  }

  async get(name: string): Promise<string | null> {
    const enc = this.read()[name];
    if (typeof enc !== 'string' || !this.usable()) return null;
    return this.safeStorage.decryptString(Buffer.from(enc, 'base64'));
  }

  async set(name: string, value: string): Promise<void> {
    if (!this.usable()) throw new Error('no OS keychain is available to store secrets');
    this.write({ ...this.read(), [name]: this.safeStorage.encryptString(value).toString('base64') });
  }

  async delete(name: string): Promise<void> {
    const all = this.read();
    if (!(name in all)) return;
    delete all[name];
    this.write(all);
  }

  /**
   * Whole or not at all: a new file, then renamed over the old one, so a power cut while a key
   * is saved never leaves a half-written file that loses the keys already there.
   */
  private write(all: Record<string, string>): void {
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
