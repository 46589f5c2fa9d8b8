import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../platform';
import { logFiles, memoryLogger, openFileLog, rememberingSecrets } from './log';
import { REDACTED, Redactor } from './redact';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-log-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the redactor', () => {
  const r = new Redactor();

  it('drops secrets and personal fields by name at any depth and in any spelling', () => {
    const out = r.value({
      pin: '1234', newPinAgain: '5678', approver_pin: '2222', signingKey: 'k', nested: { customerName: '李秀兰', phone: '13800001111', Contact: 'x' },
      embedding: 'AAAA', faceImage: 'data:…', account: '3300112233', toName: '王建国', note: '张三家的', orderNo: 'T000120261206000001', creditName: '李秀兰',
      receipt: { blocks: [{ text: '收银员：王芳' }] }, fileName: 'cashier.log',
    }) as Record<string, unknown>;
    expect(out).toMatchObject({
      pin: REDACTED, newPinAgain: REDACTED, signingKey: REDACTED, nested: { customerName: REDACTED, phone: REDACTED, Contact: REDACTED },
      embedding: REDACTED, faceImage: REDACTED, account: REDACTED, note: REDACTED, orderNo: 'T000120261206000001',
      toName: REDACTED, creditName: REDACTED, receipt: REDACTED, fileName: 'cashier.log', approver_pin: REDACTED,
    });
    // Names the list does not spell out are still caught by their shape where they have one.
    expect(JSON.stringify(out)).not.toContain('13800001111');
  });

  it('masks payment codes but keeps error codes', () => {
    expect(r.value({ code: '134567890123456789' })).toEqual({ code: '1345****6789' });
    expect(r.value({ code: 'payment.declined' })).toEqual({ code: 'payment.declined' });
    expect(r.value({ error: { code: 'SQLITE_FULL' } })).toEqual({ error: { code: 'SQLITE_FULL' } });
  });

  it('masks codes, card and ID numbers, phones and opaque tokens inside free text', () => {
    const s = r.text('scan 134567890123456789 from 13912345678, face fp12345678901234, id 11010519491231002X, key 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 order T000120261206000001');
    for (const leak of ['134567890123456789', '13912345678', 'fp12345678901234', '11010519491231002X', '9f86d081884c7d659a2feaa0c55ad015']) expect(s).not.toContain(leak);
    expect(s).toContain('1345****6789');
    expect(s).toContain('139****5678');
    expect(s).toContain('T000120261206000001');
    expect(r.text('-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----')).toBe(REDACTED);
  });

  it('writes the OS account’s home folder as ~ (it is often a person’s name)', () => {
    expect(r.text(`backup to ${path.join(os.homedir(), 'data', 'backups')}`)).toBe(`backup to ${path.join('~', 'data', 'backups')}`);
  });

  it('drops a remembered secret wherever it appears, and never throws on odd values', () => {
    const k = new Redactor();
    k.remember('s3cret-route-key');
    expect(k.text('failed with s3cret-route-key in it')).toBe(`failed with ${REDACTED} in it`);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(k.value(cyclic)).toEqual({ a: 1, self: '[…]' });
    expect(k.value({ big: 10n, buf: Buffer.from('abc'), fn: () => 1 })).toEqual({ big: '10', buf: '[binary 3 bytes]', fn: undefined });
    expect((k.value(new Array(80).fill(0.5)) as unknown[]).length).toBe(51);
  });

  it('keeps an error’s type, code, message (redacted) and stack frames (whole)', () => {
    const e = Object.assign(new Error('write failed for 13912345678'), { code: 'SQLITE_FULL' });
    e.stack = 'Error: write failed for 13912345678\n    at markSending (/work/main/node_modules/some-package-name/lib/a-long-file-name-here.js:10:5)';
    expect(r.value({ err: e })).toMatchObject({
      err: {
        type: 'Error', code: 'SQLITE_FULL', message: 'write failed for 139****5678',
        stack: 'Error: write failed for 139****5678\n    at markSending (/work/main/node_modules/some-package-name/lib/a-long-file-name-here.js:10:5)',
      },
    });
  });
});

describe('the file log', () => {
  it('writes JSON lines with levels, below the threshold nothing, and redacts', async () => {
    const dir = tmp();
    const log = await openFileLog({ dir, level: 'info' });
    log.debug('noise', { x: 1 });
    log.info('call.refused', { method: 'payments:charge', code: 'code.unrecognised', pin: '1111' });
    log.error('boom', { err: new Error('at 134567890123456789') });
    await log.close();
    const files = logFiles(dir);
    expect(files).toHaveLength(1);
    expect(path.basename(files[0]!)).toMatch(/^cashier\.\d{4}-\d{2}-\d{2}\.1\.log$/);
    const lines = fs.readFileSync(files[0]!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['info', 'call.refused'], ['error', 'boom']]);
    expect(lines[0]).toMatchObject({ method: 'payments:charge', code: 'code.unrecognised', pin: REDACTED });
    expect(JSON.stringify(lines)).not.toContain('134567890123456789');
  });

  it.runIf(process.platform !== 'win32')('keeps its folder for this OS account only, tightening one made wider before', async () => {
    const dir = path.join(tmp(), 'logs');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const log = await openFileLog({ dir });
    log.info('x');
    await log.close();
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('rotates past the size limit and keeps only the newest files, across restarts too', async () => {
    const dir = tmp();
    for (let run = 0; run < 2; run++) {
      const log = await openFileLog({ dir, maxFileBytes: 2048, keepFiles: 3 });
      // Spread out as a running app writes (rotation happens between writes, not inside one).
      for (let i = 0; i < 100; i++) {
        log.info('filler', { i, text: 'x'.repeat(100) });
        if (i % 10 === 9) await new Promise((r) => setTimeout(r, 15));
      }
      await log.close();
    }
    await new Promise((r) => setTimeout(r, 100)); // removal of old files runs after the roll
    const files = logFiles(dir);
    expect(files.length).toBeGreaterThan(1);
    expect(files.length).toBeLessThanOrEqual(4); // the kept ones plus the one in use
  });

  it('never writes a secret the core read from or saved to the secret store, wherever it turns up', async () => {
    const m = memoryLogger();
    const store = new MemorySecretStore();
    await store.set('acquirer.terminalKey', 'stored-before-start-key');
    const seen = rememberingSecrets(store, m);
    expect(await seen.get('acquirer.terminalKey')).toBe('stored-before-start-key');
    await seen.set('acquirer.offlineKey', 'saved-while-running-key');
    m.error('careless', { detail: 'signed with stored-before-start-key and saved-while-running-key' });
    expect(m.lines[0]!.detail).toBe(`signed with ${REDACTED} and ${REDACTED}`);
  });

  it('the memory logger redacts the same way (tests use it)', () => {
    const m = memoryLogger();
    m.warn('x', { customerName: '李秀兰' });
    expect(m.lines).toEqual([{ level: 'warn', event: 'x', customerName: REDACTED }]);
  });
});
