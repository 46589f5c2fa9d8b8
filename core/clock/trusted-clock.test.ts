/**
 * Issue 11, item 8: the trusted clock behind every day counter. A PC clock moved back or
 * forward changes neither the counter day nor the trusted time, is reported in words, and the
 * acquirer's time wins when a sync brings it; the last trusted time survives a restart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClockStatus } from '../api/system';
import { EventBus } from '../events';
import { Db } from '../store/db';
import { migrate } from '../store/migrate';
import { migrations } from '../store/migrations';
import { chinaDay, TrustedClock } from './trusted-clock';

const H = 3_600_000;
/** 2026-12-06 10:00 in China. */
const T0 = Date.parse('2026-12-06T10:00:00+08:00');

/** A PC: a wall clock anyone can set, and an uptime that only runs forward. */
function machine() {
  const m = { wall: T0, mono: 1_000_000, elapse(ms: number) { m.wall += ms; m.mono += ms; } };
  return m;
}

let dir: string;
let db: Db;
let bus: EventBus;
let seen: ClockStatus[];
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clock-'));
  db = await Db.open({ filename: path.join(dir, 't.sqlite') });
  await migrate(db, migrations);
  bus = new EventBus();
  seen = [];
  bus.subscribe((name, p) => name === 'clock:changed' && seen.push(p as ClockStatus));
});
afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const open = (m: ReturnType<typeof machine>) => TrustedClock.open(db, bus, { wall: () => m.wall, mono: () => m.mono });

describe('the trusted clock of the day counters', () => {
  it('keeps the counter day and the time when the PC clock is set back a day, and says so in both languages', async () => {
    const m = machine();
    const c = await open(m);
    expect(c.counterDay()).toBe('2026-12-06');
    m.elapse(60_000);
    m.wall -= 24 * H;
    expect(c.counterDay()).toBe('2026-12-06');
    expect(Math.abs(c.now() - (T0 + 60_000))).toBeLessThan(1000);
    expect(c.status()).toMatchObject({ state: 'jumped_back', source: 'terminal' });
    expect(c.status().zh).toContain('调慢');
    expect(c.status().en).toContain('went back');
    expect(seen.at(-1)?.state).toBe('jumped_back');
    // The clock put right: the warning goes.
    m.wall += 24 * H;
    c.now();
    expect(c.status().state).toBe('ok');
  });

  it('does not follow a PC clock moved forward a day: the day stays, then turns when the real day does', async () => {
    const m = machine();
    const c = await open(m);
    m.wall += 24 * H;
    expect(c.counterDay()).toBe('2026-12-06');
    expect(c.status()).toMatchObject({ state: 'jumped_forward' });
    expect(c.status().zh).toContain('调快');
    m.elapse(15 * H); // the real next day
    expect(c.counterDay()).toBe('2026-12-07');
  });

  it('follows small steps (NTP) without a word', async () => {
    const m = machine();
    const c = await open(m);
    m.wall += 30_000;
    expect(c.now()).toBe(m.wall);
    expect(c.status().state).toBe('ok');
    expect(seen).toEqual([]);
  });

  it('trusts the acquirer’s time when a sync brings it, and the day follows it', async () => {
    const m = machine();
    m.wall = Date.parse('2026-12-05T23:00:00+08:00'); // the PC is two hours behind
    const c = await open(m);
    expect(c.counterDay()).toBe('2026-12-05');
    c.observeAcquirerOffset(2 * H);
    expect(c.counterDay()).toBe('2026-12-06');
    expect(c.status()).toMatchObject({ state: 'acquirer_corrected', source: 'acquirer', offMs: -2 * H });
    expect(c.status().en).toContain('acquirer');
    // The PC clock (still two hours behind) is not a jump any more: the offset is known.
    m.elapse(60_000);
    expect(Math.abs(c.now() - (m.wall + 2 * H))).toBeLessThan(1000);
    expect(c.status().state).toBe('acquirer_corrected');
  });

  it('catches a clock set back while the app was closed, on the same boot and after a reboot', async () => {
    const m = machine();
    const c = await open(m);
    m.elapse(10 * 60_000);
    expect(c.counterDay()).toBe('2026-12-06');
    await c.flush();
    // Closed; the clock set back two days; opened again on the same boot.
    m.elapse(5 * 60_000);
    m.wall -= 48 * H;
    const again = await open(m);
    expect(again.counterDay()).toBe('2026-12-06');
    expect(Math.abs(again.now() - (T0 + 15 * 60_000))).toBeLessThan(1000);
    expect(again.status().state).toBe('jumped_back');
    await again.flush();
    // After a reboot the uptime starts again: the last trusted time still holds the day.
    m.mono = 5_000;
    const rebooted = await open(m);
    expect(rebooted.counterDay()).toBe('2026-12-06');
    expect(rebooted.status().state).toBe('jumped_back');
  });

  it('China days are UTC+8 calendar days', () => {
    expect(chinaDay(Date.parse('2026-12-06T15:59:59Z'))).toBe('2026-12-06');
    expect(chinaDay(Date.parse('2026-12-06T16:00:00Z'))).toBe('2026-12-07');
  });
});
