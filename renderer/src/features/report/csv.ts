/**
 * CSV export of the daily (Z) report, which the core computes (reports:z). Pure, so it is
 * unit-tested: spreadsheet programs open what a village shop sends its accountant.
 */

/** One CSV field: quoted when it holds a comma, quote or line break; formula-leading characters neutralised. */
export function csvField(v: string | number): string {
  let s = String(v);
  if (/^[=+\-@]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  // A BOM so spreadsheet programs read the Chinese as UTF-8.
  return `\uFEFF${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}
