import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SecretFile } from './secret-file';

const dirs: string[] = [];
function tmpFile(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-secret-'));
  dirs.push(d);
  return path.join(d, 'secrets.json');
}
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the secrets file', () => {
  it('keeps what was set, owner-only, and leaves no temporary file behind', () => {
    const f = tmpFile();
    const s = new SecretFile(f);
    s.set('a', 'one');
    s.set('b', 'two');
    s.delete('a');
    expect(new SecretFile(f).read()).toEqual({ b: 'two' });
    expect(new SecretFile(f).get('a')).toBeNull();
    if (process.platform !== 'win32') expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${f}.tmp`)).toBe(false);
  });

  it('flushes the new content before the rename and the folder after it', () => {
    const f = tmpFile();
    const calls: string[] = [];
    const fsync = vi.spyOn(fs, 'fsyncSync').mockImplementation(() => void calls.push('fsync'));
    const rename = vi.spyOn(fs, 'renameSync');
    rename.mockImplementation((from, to) => {
      calls.push('rename');
      rename.mockRestore();
      fs.renameSync(from, to);
    });
    new SecretFile(f).set('k', 'v');
    expect(calls).toEqual(process.platform === 'win32' ? ['fsync', 'rename'] : ['fsync', 'rename', 'fsync']);
    expect(fsync).toHaveBeenCalled();
    expect(new SecretFile(f).get('k')).toBe('v');
  });

  it('a write cut off before the rename (a stale temporary file) loses nothing already saved', () => {
    const f = tmpFile();
    new SecretFile(f).set('kept', 'yes');
    fs.writeFileSync(`${f}.tmp`, '{"half":');
    expect(new SecretFile(f).read()).toEqual({ kept: 'yes' });
    new SecretFile(f).set('next', 'ok');
    expect(new SecretFile(f).read()).toEqual({ kept: 'yes', next: 'ok' });
  });

  it('reads a missing, damaged or foreign file as empty and drops entries that are not strings', () => {
    const f = tmpFile();
    expect(new SecretFile(f).read()).toEqual({});
    fs.writeFileSync(f, 'not json');
    expect(new SecretFile(f).read()).toEqual({});
    fs.writeFileSync(f, '["a"]');
    expect(new SecretFile(f).read()).toEqual({});
    fs.writeFileSync(f, '{"a":"x","b":1,"c":{"d":1}}');
    expect(new SecretFile(f).read()).toEqual({ a: 'x' });
  });
});

describe('the temporary file (issue 13, item 11)', () => {
  it.runIf(process.platform !== 'win32')('never follows a symbolic link planted at the temporary name, nor keeps a stale file’s mode', () => {
    const f = tmpFile();
    const victim = path.join(path.dirname(f), 'victim.txt');
    fs.writeFileSync(victim, 'untouched');
    fs.symlinkSync(victim, `${f}.tmp`);
    new SecretFile(f).set('key', 'secret-value');
    // The link's target is untouched; the secrets are in the file, owner-only.
    expect(fs.readFileSync(victim, 'utf8')).toBe('untouched');
    expect(new SecretFile(f).get('key')).toBe('secret-value');
    expect(fs.lstatSync(f).isFile()).toBe(true);
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    // A temporary file left readable by everyone (a crash, or another user) is not reused as it is.
    fs.writeFileSync(`${f}.tmp`, 'stale', { mode: 0o644 });
    fs.chmodSync(`${f}.tmp`, 0o644);
    new SecretFile(f).set('other', 'x');
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    expect(new SecretFile(f).read()).toEqual({ key: 'secret-value', other: 'x' });
  });
});
