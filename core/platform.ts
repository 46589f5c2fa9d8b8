/**
 * Seams to the host, one implementation per shell: Electron (OS keychain through
 * safeStorage), the browser shell (a 0600 file, for development and training machines), and
 * tests (memory). Core code depends on these interfaces only.
 */
export interface SecretStore {
  /** Returns the secret, or null when none is stored under that name. */
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  /** Forgets the secret (nothing happens when there is none). */
  delete(name: string): Promise<void>;
}

export interface Platform {
  secrets: SecretStore;
  /**
   * Where the SM2 verification worker's code is (core/offline/verify-pool.ts): the Electron
   * shell's bundled chunk. Absent (browser shell, tests), the TypeScript source through tsx.
   */
  verifyWorkerPath?: string;
  /**
   * Tests only: the certificates (PEM) an HTTPS acquirer connection trusts instead of the
   * system's (a test acquirer's self-signed one). The shells never set it: a live counter trusts
   * what the operating system trusts.
   */
  acquirerCa?: string;
}

export class MemorySecretStore implements SecretStore {
  private readonly m = new Map<string, string>();
  async get(name: string): Promise<string | null> {
    return this.m.get(name) ?? null;
  }
  async set(name: string, value: string): Promise<void> {
    this.m.set(name, value);
  }
  async delete(name: string): Promise<void> {
    this.m.delete(name);
  }
}
