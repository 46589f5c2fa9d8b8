import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallContext, EventPayload } from '../api/contract';
import { WedgeProfiles, type WedgeProfile } from '../api/settings';
import { cleanTempDirs, openTerminalDb, tempDir } from '../offline/test-kit';
import type { Db } from '../store/db';
import { defaultWedgeProfiles, profileFromPreset } from '../../drivers/scanner/wedge-profiles';
import { WEDGE_PROFILES_KEY, WedgeSettings } from './wedge';

afterAll(cleanTempDirs);

let db: Db;
let svc: WedgeSettings;
let emitted: EventPayload<'settings:wedgeProfilesChanged'>[];
const supervisor: CallContext = { operator: { id: 's1', name: 'Super', role: 'supervisor' } };

beforeEach(async () => {
  db = await openTerminalDb(tempDir('wedge'));
  emitted = [];
  svc = new WedgeSettings({ db, emit: (p) => emitted.push(p), now: () => 1_700_000_000_000 });
});
afterEach(async () => {
  await db.close();
});

/** The input as the dispatcher hands it over: parsed by the contract's schema. */
const parsed = (profiles: unknown) => WedgeProfiles.parse({ profiles }).profiles;
const prefixed = (over: Partial<WedgeProfile> = {}): WedgeProfile => ({ ...profileFromPreset('custom', 'p1', '左边扫码枪'), prefix: '~]', ...over });

/** Everything a refused change could have touched. */
async function written() {
  return {
    row: await db.get('SELECT value FROM settings WHERE key = ?', [WEDGE_PROFILES_KEY]),
    audit: await db.all("SELECT * FROM audit_log WHERE action = 'settings.wedge_profiles'"),
    emitted: emitted.length,
  };
}

async function refused(profiles: unknown, code: string, field?: string) {
  const before = await written();
  const e = await svc.set(parsed(profiles), supervisor).catch((x: unknown) => x);
  expect(e).toMatchObject({ code, ...(field ? { detail: { field } } : {}) });
  expect(await written()).toEqual(before);
  expect(await svc.get()).toEqual(defaultWedgeProfiles());
  return e as { zh: string; en: string };
}

describe('wedge scanner profiles in settings', () => {
  it('reads as the factory default (Enter, no prefix, 30 ms) until a supervisor saves some', async () => {
    expect(await svc.get()).toEqual([{ id: 'default', name: '', model: 'generic', active: true, prefix: '', suffix: 'Enter', maxGapMs: 30, endTimeoutMs: 50, minLength: 6, maxLength: 512, layout: 'os' }]);
  });

  it('saves a valid list with its audit row in one go, and tells every window', async () => {
    const list = [prefixed(), profileFromPreset('zebra', 'p2')];
    expect(await svc.set(parsed(list), supervisor)).toEqual(list);
    expect(await svc.get()).toEqual(list);
    const [row] = await db.all<{ operator_id: string; detail: string; at: number }>("SELECT * FROM audit_log WHERE action = 'settings.wedge_profiles'");
    expect(row).toMatchObject({ operator_id: 's1', at: 1_700_000_000_000 });
    const detail = JSON.parse(row!.detail) as { before: string[]; after: string[] };
    expect(detail.before).toEqual(['default:generic prefix="" suffix=Enter gap=30 len=6-512 layout=os']);
    expect(detail.after[0]).toBe('p1:custom prefix="~]" suffix=Enter gap=30 len=6-512 layout=os');
    expect(detail.after[1]).toContain('suffix=none');
    expect(emitted).toEqual([{ profiles: list }]);
  });

  it('refuses a gap a typist could reach, or one no scanner needs, naming the profile; nothing changes', async () => {
    const e = await refused([prefixed({ maxGapMs: 60 })], 'settings.wedge_invalid', 'gap');
    expect(e.zh).toContain('“左边扫码枪”');
    expect(e.zh).toContain('5–50 毫秒');
    expect(e.en).toMatch(/5–50 ms.*nothing was changed/);
    await refused([prefixed({ maxGapMs: 4 })], 'settings.wedge_invalid', 'gap');
  });

  it('refuses a prefix with control characters (or too long), and says so in both languages', async () => {
    const e = await refused([prefixed({ prefix: '\u0002' })], 'settings.wedge_invalid', 'prefix');
    expect(e.zh).toContain('控制字符');
    expect(e.en).toContain('no control characters');
    await refused([prefixed({ prefix: 'ABCDEFGHI' })], 'settings.wedge_invalid', 'prefix');
    await refused([prefixed({ prefix: '前缀' })], 'settings.wedge_invalid', 'prefix');
  });

  it('refuses more than 8 profiles with nothing changed', async () => {
    const nine = Array.from({ length: 9 }, (_, i) => profileFromPreset('generic', `p${i}`));
    const e = await refused(nine, 'settings.wedge_too_many');
    expect(e.zh).toContain('最多只能有 8 个');
  });

  it('refuses lengths out of order, a suffix-less profile without a usable silence, no active profile, a duplicate id, a control character in a name', async () => {
    await refused([prefixed({ minLength: 20, maxLength: 10 })], 'settings.wedge_invalid', 'length');
    await refused([prefixed({ maxLength: 513 })], 'settings.wedge_invalid', 'length');
    await refused([prefixed({ suffix: 'none', endTimeoutMs: 30 })], 'settings.wedge_invalid', 'endTimeout');
    await refused([prefixed({ active: false })], 'settings.wedge_none_active');
    await refused([prefixed(), prefixed()], 'settings.wedge_duplicate');
    await refused([prefixed({ name: 'a\nb' })], 'settings.wedge_invalid', 'name');
  });

  it('refuses a caller who is not logged in', async () => {
    await expect(svc.set(parsed([prefixed()]), { operator: null })).rejects.toMatchObject({ code: 'auth.not_logged_in' });
    expect((await written()).row).toBeUndefined();
  });

  it('reads a damaged row as the factory default rather than a half-valid list', async () => {
    for (const bad of ['not json', JSON.stringify([prefixed({ maxGapMs: 500 })]), JSON.stringify([{ id: 'x' }]), JSON.stringify([])]) {
      await db.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [WEDGE_PROFILES_KEY, bad]);
      expect(await svc.get()).toEqual(defaultWedgeProfiles());
    }
  });

  it('after the training reset emptied the table, tells every window the default again', async () => {
    await svc.set(parsed([prefixed()]), supervisor);
    await db.run('DELETE FROM settings WHERE key = ?', [WEDGE_PROFILES_KEY]);
    await svc.reload();
    expect(emitted.at(-1)).toEqual({ profiles: defaultWedgeProfiles() });
  });
});
