/**
 * Secrets for the browser shell, which has no OS keychain binding: a JSON file readable by
 * its owner only (0600). The Electron shell uses the OS keychain through safeStorage instead;
 * live terminals run under Electron.
 */
import fs from 'node:fs';
import type { SecretStore } from '../core/platform';

export class FileSecretStore implements SecretStore {
  constructor(private readonly file: string) {}

  private read(): Record<string, string> {
    try {
      const v: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      return typeof v === 'object' && v !== null ? (v as Record<string, string>) : {};
    } catch {
      return {};
    }
  }

  async get(name: string): Promise<string | null> {
    const v = this.read()[name];
    return typeof v === 'string' ? v : null;
  }

  async set(name: string, value: string): Promise<void> {
    const all = { ...this.read(), [name]: value };
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
