/**
 * The file both shells keep their secrets' stored form in (ciphertext from the OS keychain under
 * Electron; the value itself in the browser shell): one JSON object of name → string, readable
 * by its owner only (0600).
 *
 * Written whole or not at all, and durable once a call returns: the new content goes to a
 * temporary file that is flushed to disk, renamed over the old file, and then the folder is
 * flushed so the rename itself survives. A power cut — common at village counters — leaves
 * either the old file or the new one, never a half-written file that loses the keys already
 * there, and never a "saved" key that is gone after the restart.
 *
 * No Electron, no DOM: both shells import it.
 */
import fs from 'node:fs';
import path from 'node:path';

export class SecretFile {
  constructor(readonly file: string) {}

  /** Everything stored. A missing or unreadable file reads as empty; non-string entries are dropped. */
  read(): Record<string, string> {
    let v: unknown;
    try {
      v = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch {
      return {};
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }

  get(name: string): string | null {
    const v = this.read()[name];
    return v === undefined ? null : v;
  }

  set(name: string, stored: string): void {
    this.write({ ...this.read(), [name]: stored });
  }

  delete(name: string): void {
    const all = this.read();
    if (!(name in all)) return;
    delete all[name];
    this.write(all);
  }

  private write(all: Record<string, string>): void {
    const tmp = `${this.file}.tmp`;
    const fd = openNew(tmp);
    try {
      fs.writeFileSync(fd, JSON.stringify(all));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    syncFolder(path.dirname(this.file));
  }
}

/**
 * The temporary file, created anew: exclusive (O_EXCL) and not following a symbolic link
 * (O_NOFOLLOW), owner-only (0600). A plain 'w' would follow a link another local user planted
 * at the temporary name and write the secrets wherever it points, or keep the mode of a file
 * they created. One left by a crash mid-write is removed first (unlink removes a link itself,
 * never its target) and the exclusive open tried once more.
 */
function openNew(tmp: string): number {
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0);
  try {
    return fs.openSync(tmp, flags, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    fs.unlinkSync(tmp);
    return fs.openSync(tmp, flags, 0o600);
  }
}

/** Flush a folder's entries (the rename). Windows cannot open a folder for this; NTFS journals renames itself. */
function syncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A folder readable by this OS account only (0700), made so or tightened if it exists from
 * before: the data folder (the databases hold PIN hashes, credit customers' names and phone
 * numbers), its logs and its backups. The databases
 * and secrets are 0600 (core/store/db.ts, SecretFile above). On Windows the folder is in the
 * user's own profile, whose ACL already keeps other accounts out; chmod does nothing there.
 */
export function ownerOnlyFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') fs.chmodSync(dir, 0o700);
}
