import { describe, expect, it } from 'vitest';
import { chinaClock, chinaDateTime, chinaDay, chinaHour, chinaMinute, chinaTime, dayEnd, dayStart, isChinaDay, parseChinaDay } from './china-time';

// 2026-03-08 00:00:00 China time is 2026-03-07 16:00:00 UTC.
const MIDNIGHT = Date.UTC(2026, 2, 7, 16, 0, 0);

describe('China time, whatever the machine’s zone', () => {
  it('puts a sale one second after midnight China time on the new China day', () => {
    expect(chinaDay(MIDNIGHT + 1000)).toBe('2026-03-08');
    expect(chinaDateTime(MIDNIGHT + 1000)).toBe('2026-03-08 00:00:01');
    expect(chinaHour(MIDNIGHT + 1000)).toBe(0);
  });

  it('keeps the last millisecond before midnight on the old day', () => {
    expect(chinaDay(MIDNIGHT - 1)).toBe('2026-03-07');
    expect(chinaTime(MIDNIGHT - 1)).toBe('23:59:59');
    expect(chinaHour(MIDNIGHT - 1)).toBe(23);
  });

  it('writes the Chinese 24-hour forms, never a.m./p.m. or month-first', () => {
    const t = Date.UTC(2026, 11, 31, 7, 5, 9); // 15:05:09 China time
    expect(chinaDateTime(t)).toBe('2026-12-31 15:05:09');
    expect(chinaMinute(t)).toBe('2026-12-31 15:05');
    expect(chinaClock(t)).toBe('15:05');
  });

  it('does not follow the process’s own zone (New York here)', () => {
    const before = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      // The PC's local date of this instant is still 2026-03-07 (11:00 in New York).
      expect(new Date(MIDNIGHT + 1000).getDate()).toBe(7);
      expect(chinaDay(MIDNIGHT + 1000)).toBe('2026-03-08');
      expect(dayStart('2026-03-08')).toBe(MIDNIGHT);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it('bounds a China day from its first to its last millisecond', () => {
    expect(dayStart('2026-03-08')).toBe(MIDNIGHT);
    expect(dayEnd('2026-03-08')).toBe(MIDNIGHT + 86_400_000 - 1);
    expect(chinaDay(dayStart('2026-03-08'))).toBe('2026-03-08');
    expect(chinaDay(dayEnd('2026-03-08'))).toBe('2026-03-08');
    expect(chinaDay(dayEnd('2026-03-08') + 1)).toBe('2026-03-09');
  });
});

describe('a typed day', () => {
  it('is read exactly as yyyy-MM-dd', () => {
    expect(parseChinaDay('2026-03-08')).toEqual({ kind: 'day', day: '2026-03-08' });
    expect(parseChinaDay(' 2026-03-08 ')).toEqual({ kind: 'day', day: '2026-03-08' });
    expect(parseChinaDay('')).toEqual({ kind: 'empty' });
    // Full-width digits and dashes from a Chinese IME read as what the cashier sees.
    expect(parseChinaDay('２０２６－０３－０８')).toEqual({ kind: 'day', day: '2026-03-08' });
  });

  it.each(['03/08/2026', '08/03/2026', '2026/03/08', '2026-3-8', '20260308', '2026-03-08T00:00', 'yesterday', '2026-03-08x'])(
    'refuses %s in words (format), never guessing the order',
    (text) => {
      const r = parseChinaDay(text);
      expect(r.kind).toBe('refused');
      if (r.kind === 'refused') {
        expect(r.error.code).toBe('date.format');
        expect(r.error.zh).toContain('年-月-日');
        expect(r.error.en).toContain('year-month-day');
      }
    },
  );

  it.each(['2026-02-30', '2026-13-01', '2026-00-10', '2026-04-31', '2027-02-29'])('refuses %s: no such day, never rolled over', (text) => {
    const r = parseChinaDay(text);
    expect(r.kind === 'refused' && r.error.code).toBe('date.not_a_day');
    expect(isChinaDay(text)).toBe(false);
  });

  it('takes a leap day that exists', () => {
    expect(isChinaDay('2028-02-29')).toBe(true);
  });
});
