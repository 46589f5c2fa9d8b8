/**
 * Seams to the host, one implementation per shell: Electron (OS keychain through
 * safeStorage), the browser shell (a 0600 file, for development and training machines), and
 * tests (memory). Core code depends on these interfaces only.
 */
export interface SecretStore {
  /** Returns the secret, or null when none is stored under that name. */
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
}

export interface Platform {
  secrets: SecretStore;
}

export class MemorySecretStore implements SecretStore {
  private readonly m = new Map<string, string>();
  async get(name: string): Promise<string | null> {
    return this.m.get(name) ?? null;
  }
  async set(name: string, value: string): Promise<void> {
    this.m.set(name, value);
  }
}
