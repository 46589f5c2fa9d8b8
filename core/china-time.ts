/**
 * The one time zone and the one date format of the whole app: China time (Asia/Shanghai,
 * UTC+8), written the Chinese way — `yyyy-MM-dd`, `HH:mm:ss`, 24-hour — on every screen, in
 * every filter and in the core's day keys, whatever zone or locale the PC or the browser is
 * set to (a trainer's laptop abroad, a Chromium whose date inputs follow the browser's locale
 * as mm/dd/yyyy). The English screens keep the same numeric forms, so a date means one thing.
 *
 * Pure (no Node, no DOM): the core and the renderer both import it (the renderer's ESLint
 * allow-list names it). The offset is fixed arithmetic, not the PC's zone database: China has
 * kept UTC+8 with no daylight saving since 1991, and arithmetic on the epoch value cannot be
 * bent by the machine's own zone (which `Date#getHours` and `toLocaleString` follow).
 *
 * Invariants: a day text is exactly `yyyy-MM-dd` of a real calendar day; `dayStart(d)` is the
 * epoch ms of 00:00:00.000 China time on d and `dayEnd(d)` its last millisecond, so
 * `chinaDay(dayStart(d)) === chinaDay(dayEnd(d)) === d`; a typed day is accepted exactly as
 * typed or refused in words (never guessed, never rolled over: 2026-02-30 is refused).
 */
import { AppError } from './api/errors';

/** China's offset from UTC, ms (no daylight saving since 1991). */
export const CHINA_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;

/** The epoch ms moved so that its UTC fields read as China's wall clock. */
const wall = (ms: number) => new Date(ms + CHINA_OFFSET_MS).toISOString();

/** The China calendar day of an epoch ms, `yyyy-MM-dd`: the business day every counter is keyed by. */
export function chinaDay(ms: number): string {
  return wall(ms).slice(0, 10);
}

/** China time of day, `HH:mm:ss` (24-hour). */
export function chinaTime(ms: number): string {
  return wall(ms).slice(11, 19);
}

/** China time of day to the minute, `HH:mm`. */
export function chinaClock(ms: number): string {
  return wall(ms).slice(11, 16);
}

/** Date and time in China, `yyyy-MM-dd HH:mm:ss`. */
export function chinaDateTime(ms: number): string {
  return `${chinaDay(ms)} ${chinaTime(ms)}`;
}

/** Date and time in China to the minute, `yyyy-MM-dd HH:mm` (tables, where seconds are noise). */
export function chinaMinute(ms: number): string {
  return `${chinaDay(ms)} ${chinaClock(ms)}`;
}

/** The China hour (0–23) of an epoch ms: the Z report's hourly buckets. */
export function chinaHour(ms: number): number {
  return new Date(ms + CHINA_OFFSET_MS).getUTCHours();
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a `yyyy-MM-dd` text naming a real calendar day (no 02-30, no month 13). */
export function isChinaDay(text: string): boolean {
  const m = DAY_PATTERN.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 2000 || y > 2099 || mo < 1 || mo > 12 || d < 1) return false;
  const t = Date.UTC(y, mo - 1, d);
  return new Date(t).getUTCDate() === d;
}

/** Epoch ms of 00:00:00.000 China time on `day` (`yyyy-MM-dd`, checked by the caller). */
export function dayStart(day: string): number {
  const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, mo - 1, d) - CHINA_OFFSET_MS;
}

/** Epoch ms of the last millisecond (23:59:59.999) China time on `day`. */
export function dayEnd(day: string): number {
  return dayStart(day) + DAY_MS - 1;
}

export const DateErrors = {
  format: () =>
    new AppError('date.format', '日期格式不正确：请按“年-月-日”输入，例如 2026-03-08。',
      'The date is not valid: type it as year-month-day, e.g. 2026-03-08.'),
  notADay: () =>
    new AppError('date.not_a_day', '没有这一天，请核对月份和日期。', 'There is no such day: check the month and the day.'),
  order: () =>
    new AppError('date.order', '开始日期不能晚于结束日期。', 'The start date cannot be after the end date.'),
};

/** What a typed date field holds: nothing yet, a day, or a refusal saying why. */
export type TypedDay = { kind: 'empty' } | { kind: 'day'; day: string } | { kind: 'refused'; error: AppError };

/**
 * A typed day, read strictly: `yyyy-MM-dd` only (full-width digits and hyphens from a Chinese
 * IME are read as ASCII, as the amount parser does, since a cashier cannot see the difference).
 * Surrounding spaces are ignored; anything else is refused with a message, never rewritten.
 */
export function parseChinaDay(raw: string): TypedDay {
  const text = raw
    .trim()
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[－—–]/g, '-');
  if (text === '') return { kind: 'empty' };
  if (!DAY_PATTERN.test(text)) return { kind: 'refused', error: DateErrors.format() };
  if (!isChinaDay(text)) return { kind: 'refused', error: DateErrors.notADay() };
  return { kind: 'day', day: text };
}
