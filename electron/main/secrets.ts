/**
 * Secrets in the OS keychain: Electron's safeStorage encrypts with a key held by DPAPI on
 * Windows, the Keychain on macOS and libsecret/kwallet on Linux. Only ciphertext touches disk.
 * Where no keychain is available (a bare Linux without a secret service) safeStorage would fall
 * back to a hard-coded key; we refuse to store secrets then rather than pretend.
 */
import type { SafeStorage } from 'electron';
import type { SecretStore } from '../../core/platform';
import { SecretFile } from '../../core/secret-file';

export class KeychainSecretStore implements SecretStore {
  constructor(
    private readonly safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>,
    file: string,
  ) {
    this.stored = new SecretFile(file);
  }

  /** Ciphertext only, written whole or not at all and flushed to disk (see core/secret-file.ts). */
  private readonly stored: SecretFile;

  private usable(): boolean {
    if (!this.safeStorage.isEncryptionAvailable()) return false;
    if (process.platform === 'linux' && this.safeStorage.getSelectedStorageBackend() === 'basic_text') return false;
    return true;
  }

  async get(name: string): Promise<string | null> {
    const enc = this.stored.get(name);
    if (enc === null || !this.usable()) return null;
    return this.safeStorage.decryptString(Buffer.from(enc, 'base64'));
  }

  async set(name: string, value: string): Promise<void> {
    if (!this.usable()) throw new Error('no OS keychain is available to store secrets');
    this.stored.set(name, this.safeStorage.encryptString(value).toString('base64'));
  }

  async delete(name: string): Promise<void> {
    this.stored.delete(name);
  }
}
