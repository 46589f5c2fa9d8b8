/**
 * The counter's keyboard-wedge scanner profiles (drivers/scanner/wedge.ts): stored as one JSON
 * row of the settings table, changed by a supervisor or admin (the contract's access list; no
 * second approver: they decide what counts as a scan, not what money may move).
 *
 * Invariants:
 * - Nothing is written unless the whole list is usable: at most `MAX_WEDGE_PROFILES`, at least
 *   one active, unique ids, every profile within the detector's bounds. A refusal names the
 *   profile and the field in both languages and changes nothing.
 * - The list and its audit row (who, before → after) are one transaction; every window is told
 *   (`settings:wedgeProfilesChanged`) only after it commits.
 * - A missing or damaged row reads as the factory default, so a counter's scanner always works.
 */
import { AppError, RpcErrors } from '../api/errors';
import type { CallContext, EventPayload } from '../api/contract';
import { WedgeProfiles, type WedgeProfile } from '../api/settings';
import { audit } from '../audit';
import type { Db } from '../store/db';
import { defaultWedgeProfiles, MAX_WEDGE_PROFILES } from '../../drivers/scanner/wedge-profiles';
import { WEDGE_LIMITS, wedgeConfigIssue, type WedgeConfigIssue } from '../../drivers/scanner/wedge';

export const WEDGE_PROFILES_KEY = 'scanner.wedge_profiles';

const NOTHING = { zh: '未做任何更改。', en: 'nothing was changed.' };
const { gapMs, length, prefixMax, endTimeoutMaxMs } = WEDGE_LIMITS;

function label(p: WedgeProfile, i: number): { zh: string; en: string } {
  return p.name ? { zh: `“${p.name}”`, en: `"${p.name}"` } : { zh: `第 ${i + 1} 个扫码枪设置`, en: `scanner profile ${i + 1}` };
}

const FIELD: Record<WedgeConfigIssue | 'name', (l: { zh: string; en: string }) => { zh: string; en: string }> = {
  gap: (l) => ({
    zh: `${l.zh}的按键最大间隔须为 ${gapMs.min}–${gapMs.max} 毫秒的整数（人打字约 60 毫秒一个键，再大就会把打字当成扫码）`,
    en: `The maximum gap between keys of ${l.en} must be a whole number of ${gapMs.min}–${gapMs.max} ms (a person types a key every ~60 ms; more would take typing for a scan)`,
  }),
  length: (l) => ({
    zh: `${l.zh}的最短和最长位数须在 ${length.min}–${length.max} 之间，且最短不大于最长`,
    en: `The shortest and longest code of ${l.en} must be ${length.min}–${length.max} characters, the shortest no longer than the longest`,
  }),
  prefix: (l) => ({
    zh: `${l.zh}的前缀只能是最多 ${prefixMax} 个可打印的英文字符、数字或符号，不能含控制字符`,
    en: `The prefix of ${l.en} may only be up to ${prefixMax} printable ASCII characters, no control characters`,
  }),
  endTimeout: (l) => ({
    zh: `${l.zh}没有结尾键时，结束等待须长于按键最大间隔，且不超过 ${endTimeoutMaxMs} 毫秒`,
    en: `With no suffix, the end-of-code silence of ${l.en} must be longer than its maximum gap and at most ${endTimeoutMaxMs} ms`,
  }),
  name: (l) => ({ zh: `${l.zh}的名称不能含控制字符`, en: `The name of ${l.en} may not contain control characters` }),
};

export const WedgeErrors = {
  tooMany: (n: number) =>
    new AppError('settings.wedge_too_many', `最多只能有 ${MAX_WEDGE_PROFILES} 个扫码枪设置（收到 ${n} 个）；${NOTHING.zh}`,
      `At most ${MAX_WEDGE_PROFILES} scanner profiles (got ${n}); ${NOTHING.en}`, { max: MAX_WEDGE_PROFILES, count: n }),
  noneActive: () =>
    new AppError('settings.wedge_none_active', `至少要启用一个扫码枪设置，否则键盘模式扫码枪将无法使用；${NOTHING.zh}`,
      `At least one scanner profile must be active, or no keyboard-mode scanner would work; ${NOTHING.en}`),
  duplicateId: (id: string) =>
    new AppError('settings.wedge_duplicate', `两个扫码枪设置的编号相同（${id}），请刷新后重试；${NOTHING.zh}`,
      `Two scanner profiles have the same id (${id}); refresh and try again; ${NOTHING.en}`, { id }),
  badProfile: (p: WedgeProfile, i: number, field: WedgeConfigIssue | 'name') => {
    const m = FIELD[field](label(p, i));
    return new AppError('settings.wedge_invalid', `${m.zh}；${NOTHING.zh}`, `${m.en}; ${NOTHING.en}`, { index: i, field });
  },
};

/** Why a list of profiles cannot be used, or null. The list is already shaped by the contract's schema. */
export function wedgeProfilesProblem(profiles: readonly WedgeProfile[]): AppError | null {
  if (profiles.length > MAX_WEDGE_PROFILES) return WedgeErrors.tooMany(profiles.length);
  const seen = new Set<string>();
  for (const [i, p] of profiles.entries()) {
    if (seen.has(p.id)) return WedgeErrors.duplicateId(p.id);
    seen.add(p.id);
    if ([...p.name].some((c) => c < ' ' || (c >= '\x7f' && c <= '\x9f'))) return WedgeErrors.badProfile(p, i, 'name');
    const issue = wedgeConfigIssue(p);
    if (issue) return WedgeErrors.badProfile(p, i, issue);
  }
  if (!profiles.some((p) => p.active)) return WedgeErrors.noneActive();
  return null;
}

/** The stored row, or the factory default when it is missing or damaged (never a half-valid list). */
function parseStored(raw: string | undefined): WedgeProfile[] {
  if (!raw) return defaultWedgeProfiles();
  try {
    const r = WedgeProfiles.safeParse({ profiles: JSON.parse(raw) });
    if (r.success && !wedgeProfilesProblem(r.data.profiles)) return r.data.profiles;
  } catch {
    // Not JSON: fall through to the default.
  }
  return defaultWedgeProfiles();
}

/** A profile as the audit row keeps it: what decides a scan (the free-text name is left out). */
const brief = (p: WedgeProfile) =>
  `${p.id}:${p.model}${p.active ? '' : '(off)'} prefix=${JSON.stringify(p.prefix)} suffix=${p.suffix} gap=${p.maxGapMs} len=${p.minLength}-${p.maxLength} layout=${p.layout}`;

export interface WedgeSettingsDeps {
  db: Db;
  emit: (payload: EventPayload<'settings:wedgeProfilesChanged'>) => void;
  now?: () => number;
}

export class WedgeSettings {
  private readonly now: () => number;

  constructor(private readonly deps: WedgeSettingsDeps) {
    this.now = deps.now ?? Date.now;
  }

  async get(): Promise<WedgeProfile[]> {
    const row = await this.deps.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [WEDGE_PROFILES_KEY]);
    return parseStored(row?.value);
  }

  async set(profiles: WedgeProfile[], ctx: CallContext): Promise<WedgeProfile[]> {
    const who = ctx.operator;
    if (!who) throw RpcErrors.notLoggedIn();
    const problem = wedgeProfilesProblem(profiles);
    if (problem) throw problem;
    const before = await this.get();
    await this.deps.db.tx(async (q) => {
      await q.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [WEDGE_PROFILES_KEY, JSON.stringify(profiles)]);
      await audit(q, { operatorId: who.id, action: 'settings.wedge_profiles', detail: { before: before.map(brief), after: profiles.map(brief) } }, this.now());
    });
    this.deps.emit({ profiles });
    return profiles;
  }

  /** After the training reset emptied the demo database: every window back to what is stored (the default). */
  async reload(): Promise<void> {
    this.deps.emit({ profiles: await this.get() });
  }
}
