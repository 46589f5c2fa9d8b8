/**
 * The till's trusted time, and the day every day counter is keyed by (the withdrawal limit per
 * customer, the offline wallet day totals behind the certificate, policy and regulator caps).
 *
 * Invariants:
 * - The counter day never goes back: `counterDay()` returns the latest day it has returned,
 *   persisted, so a clock set back (by hand, a flat CMOS battery) cannot reopen a day whose
 *   limit was used. Holding a later day only ever makes a limit stricter.
 * - The terminal's wall clock is not followed across a jump: time is measured by the machine's
 *   monotonic clock (its uptime, which also runs across sleep) from the last trusted anchor. A
 *   wall clock that moves away from that by more than `toleranceMs`, back or forward, is a jump:
 *   the status says so in words (zh-CN, en) and the counters keep the trusted time, so moving the
 *   clock to tomorrow does not reopen today's limit either. Small moves (NTP) are followed.
 * - The acquirer's time wins when it is known (each sync's server time, NTP-style): it
 *   re-anchors the trusted time, and the status says by how much the terminal's clock is off.
 * - Across a restart the last trusted time and the uptime it was seen at are persisted (settings
 *   `clock.*`): on the same boot the elapsed time is known exactly, so a jump made while the
 *   app was closed is caught too; after a reboot a wall clock behind the last trusted time is
 *   a jump back, and one ahead of it is followed (nothing tells it apart from a closed shop)
 *   until the acquirer confirms or corrects it.
 */
import os from 'node:os';
import type { ClockStatus } from '../api/system';
import { chinaDay } from '../china-time';
import type { EventBus } from '../events';
import type { Db } from '../store/db';

/** The China calendar day of an epoch ms, YYYY-MM-DD: the business day of counters (core/china-time.ts). */
export { chinaDay };

/** What the offline store and the service point need of the clock. */
export interface DayClock {
  /** The trusted time, epoch ms. */
  now(): number;
  /** The day counters are keyed by: the trusted time's China day, never earlier than one returned before. */
  counterDay(): string;
  /** The acquirer's clock minus this terminal's wall clock, measured by a sync. */
  observeAcquirerOffset(offsetMs: number): void;
}

export interface TrustedClockOptions {
  /** The terminal's wall clock (Date.now); tests move it. */
  wall?: () => number;
  /** A monotonic clock in ms (uptime, running across sleep); tests drive it. */
  mono?: () => number;
  /** A wall-clock move beyond this, either way, is a jump (default 2 min: well past NTP steps). */
  toleranceMs?: number;
}

const KEYS = { seen: 'clock.last_seen', mono: 'clock.last_mono', day: 'clock.last_day', off: 'clock.wall_off' } as const;
/** Persist the last seen time at most this often (and at every new counter day). */
const PERSIST_EVERY_MS = 30_000;

const MESSAGES = {
  ok: { zh: '本机时间正常。', en: 'The terminal clock is fine.' },
  jumped_back: {
    zh: '本机时间被调慢了约 {m} 分钟：每日限额仍按原来的时间计算，请检查电脑时间。',
    en: 'The terminal clock went back by about {m} min: daily limits still count by the trusted time; check the PC clock.',
  },
  jumped_forward: {
    zh: '本机时间被调快了约 {m} 分钟：每日限额仍按原来的时间计算，请检查电脑时间。',
    en: 'The terminal clock jumped forward by about {m} min: daily limits still count by the trusted time; check the PC clock.',
  },
  acquirer_corrected: {
    zh: '本机时间与收单机构相差约 {m} 分钟：已按收单机构的时间计算每日限额，请校准电脑时间。',
    en: 'The terminal clock is about {m} min off the acquirer’s: daily limits count by the acquirer’s time; set the PC clock.',
  },
} as const;

function say(state: keyof typeof MESSAGES, offMs: number) {
  const m = String(Math.max(1, Math.round(Math.abs(offMs) / 60_000)));
  return { zh: MESSAGES[state].zh.replace('{m}', m), en: MESSAGES[state].en.replace('{m}', m) };
}

export class TrustedClock implements DayClock {
  private readonly wall: () => number;
  private readonly mono: () => number;
  private readonly tolerance: number;
  /** Trusted time = anchorAt + (mono() − anchorMono). */
  private anchorAt = 0;
  private anchorMono = 0;
  /** Wall clock minus trusted time as last accepted: 0 until the acquirer says the wall clock is off. */
  private wallOff = 0;
  private source: ClockStatus['source'] = 'terminal';
  private lastDay = '';
  private lastPersist = Number.NEGATIVE_INFINITY;
  private current: ClockStatus;
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly db: Db | null, private readonly bus: EventBus | null, opts: TrustedClockOptions) {
    this.wall = opts.wall ?? Date.now;
    this.mono = opts.mono ?? (() => os.uptime() * 1000);
    this.tolerance = opts.toleranceMs ?? 120_000;
    this.current = { state: 'ok', source: 'terminal', offMs: 0, since: this.wall(), ...MESSAGES.ok };
  }

  /** Opens the clock from its persisted state (`db` null: in memory, for tests). */
  static async open(db: Db | null, bus: EventBus | null, opts: TrustedClockOptions = {}): Promise<TrustedClock> {
    const c = new TrustedClock(db, bus, opts);
    const rows = db ? await db.all<{ key: string; value: string }>("SELECT key, value FROM settings WHERE key LIKE 'clock.%'") : [];
    const saved = new Map(rows.map((r) => [r.key, r.value]));
    const seen = Number(saved.get(KEYS.seen)) || null;
    const seenMono = Number(saved.get(KEYS.mono));
    c.lastDay = saved.get(KEYS.day) ?? '';
    c.wallOff = Number(saved.get(KEYS.off)) || 0;
    if (c.wallOff !== 0) c.source = 'acquirer';
    const mono = c.mono();
    c.anchorMono = mono;
    c.anchorAt = c.wall() - c.wallOff;
    if (seen !== null) {
      // Same boot (the monotonic clock has not restarted): the time elapsed since is known exactly.
      if (Number.isFinite(seenMono) && mono >= seenMono) c.anchorAt = seen + (mono - seenMono);
      // After a reboot only a clock behind the last trusted time is known to be wrong.
      else if (c.anchorAt < seen - c.tolerance) c.anchorAt = seen;
    }
    c.now(); // reports a jump found at start
    c.persist(true);
    return c;
  }

  now(): number {
    const wall = this.wall();
    const trusted = this.anchorAt + (this.mono() - this.anchorMono);
    const jump = wall - this.wallOff - trusted;
    let t = trusted;
    if (Math.abs(jump) <= this.tolerance) {
      // Small steps (NTP) are followed; a fixed clock ends a reported jump.
      this.reanchor(wall - this.wallOff);
      t = wall - this.wallOff;
      if (this.current.state === 'jumped_back' || this.current.state === 'jumped_forward') this.settled();
    } else {
      const state = jump < 0 ? 'jumped_back' : 'jumped_forward';
      if (this.current.state !== state || Math.abs(this.current.offMs - jump) > this.tolerance) this.report(state, jump);
    }
    this.persist(false);
    return t;
  }

  counterDay(): string {
    const d = chinaDay(this.now());
    if (d > this.lastDay) {
      this.lastDay = d;
      this.persist(true);
    }
    return this.lastDay;
  }

  observeAcquirerOffset(offsetMs: number): void {
    const off = Math.round(offsetMs);
    this.reanchor(this.wall() + off);
    this.source = 'acquirer';
    const was = this.wallOff;
    this.wallOff = -off;
    if (Math.abs(off) > this.tolerance) {
      if (this.current.state !== 'acquirer_corrected' || Math.abs(was - this.wallOff) > this.tolerance) this.report('acquirer_corrected', this.wallOff);
    } else {
      this.wallOff = 0;
      if (this.current.state !== 'ok') this.report('ok', 0);
    }
    this.persist(true);
  }

  status(): ClockStatus {
    return { ...this.current };
  }

  private settled(): void {
    if (this.wallOff !== 0) this.report('acquirer_corrected', this.wallOff);
    else this.report('ok', 0);
  }

  private reanchor(at: number): void {
    this.anchorAt = at;
    this.anchorMono = this.mono();
  }

  private report(state: ClockStatus['state'], offMs: number): void {
    this.current = { state, source: this.source, offMs: Math.round(offMs), since: this.wall(), ...(state === 'ok' ? MESSAGES.ok : say(state, offMs)) };
    this.bus?.emit('clock:changed', this.status());
  }

  /** Best effort and throttled: a lost write costs at most the last 30 s of trusted time. */
  private persist(force: boolean): void {
    if (!this.db) return;
    const mono = this.mono();
    if (!force && mono - this.lastPersist < PERSIST_EVERY_MS) return;
    this.lastPersist = mono;
    const entries: Array<[string, string]> = [
      [KEYS.seen, String(Math.round(this.anchorAt + (mono - this.anchorMono)))],
      [KEYS.mono, String(Math.round(mono))],
      [KEYS.day, this.lastDay],
      [KEYS.off, String(this.wallOff)],
    ];
    const db = this.db;
    // Chained, so writes land in order and `flush` can wait for the last one.
    this.writing = this.writing
      .then(() => db.tx(async (q) => {
        for (const [k, v] of entries) await q.run('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)', [k, v]);
      }))
      .catch(() => undefined);
  }

  /** Writes the current trusted time now and waits for it (shutdown, tests). */
  async flush(): Promise<void> {
    this.persist(true);
    await this.writing;
  }
}
