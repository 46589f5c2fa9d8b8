/**
 * Secrets for the browser shell, which has no OS keychain binding: a JSON file readable by
 * its owner only (0600). The Electron shell uses the OS keychain through safeStorage instead;
 * live terminals run under Electron.
 */
import type { SecretStore } from '../core/platform';
import { SecretFile } from '../core/secret-file';

export class FileSecretStore implements SecretStore {
  /** Written whole or not at all and flushed to disk (see core/secret-file.ts). */
  private readonly stored: SecretFile;

  constructor(file: string) {
    this.stored = new SecretFile(file);
  }

  async get(name: string): Promise<string | null> {
    return this.stored.get(name);
  }

  async set(name: string, value: string): Promise<void> {
    this.stored.set(name, value);
  }

  async delete(name: string): Promise<void> {
    this.stored.delete(name);
  }
}
