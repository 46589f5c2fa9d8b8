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
    this.write({ ...this.read(), [name]: value });
  }

  async delete(name: string): Promise<void> {
    const all = this.read();
    if (!(name in all)) return;
    delete all[name];
    this.write(all);
  }

  /** Whole or not at all: a new file, then renamed over the old one. */
  private write(all: Record<string, string>): void {
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
