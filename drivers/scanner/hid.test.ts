import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/api/errors';
import { HidKeyboardDecoder, HidPosDecoder, hidPosReports, keyboardReports, KEYBOARD_GAP_MS, TAIL_MS } from './hid';

const rep = (...b: number[]) => Uint8Array.from(b);
const UP = rep(0, 0, 0, 0, 0, 0, 0, 0);

function run(dec: { push(r: Uint8Array): string | null }, reports: Uint8Array[]): string[] {
  const codes: string[] = [];
  for (const r of reports) {
    const c = dec.push(r);
    if (c !== null) codes.push(c);
  }
  return codes;
}
function refusedCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('scanner.bad_report');
    return String((e as AppError).detail?.why);
  }
  throw new Error('not refused');
}

// Recorded from a boot-keyboard scanner reading "aB3" then Enter: press/release per character.
const RECORDED_AB3 = [
  rep(0x00, 0, 0x04, 0, 0, 0, 0, 0), UP,
  rep(0x02, 0, 0x05, 0, 0, 0, 0, 0), rep(0x02, 0, 0, 0, 0, 0, 0, 0), UP,
  rep(0x00, 0, 0x20, 0, 0, 0, 0, 0), UP,
  rep(0x00, 0, 0x28, 0, 0, 0, 0, 0), UP,
];

describe('HID keyboard reports', () => {
  it('decodes letters, shift and digits from a recorded sequence', () => {
    expect(run(new HidKeyboardDecoder(), RECORDED_AB3)).toEqual(['aB3']);
  });

  it('decodes right shift like left shift', () => {
    expect(run(new HidKeyboardDecoder(), [rep(0x20, 0, 0x09, 0, 0, 0, 0, 0), UP, rep(0, 0, 0x28, 0, 0, 0, 0, 0)])).toEqual(['F']);
  });

  it('decodes a 24-digit payment code', () => {
    const code = '281234567890123456789012';
    expect(run(new HidKeyboardDecoder(), keyboardReports(code))).toEqual([code]);
  });

  it('decodes keypad digits and keypad Enter', () => {
    const r = [rep(0, 0, 0x59, 0, 0, 0, 0, 0), UP, rep(0, 0, 0x62, 0, 0, 0, 0, 0), UP, rep(0, 0, 0x58, 0, 0, 0, 0, 0), UP];
    expect(run(new HidKeyboardDecoder(), r)).toEqual(['10']);
  });

  it('counts a repeated character once per press, not once per report', () => {
    const r = [rep(0, 0, 0x1e, 0, 0, 0, 0, 0), rep(0, 0, 0x1e, 0, 0, 0, 0, 0), UP, rep(0, 0, 0x1e, 0, 0, 0, 0, 0), UP, rep(0, 0, 0x28, 0, 0, 0, 0, 0)];
    expect(run(new HidKeyboardDecoder(), r)).toEqual(['11']);
  });

  it('takes Tab as the suffix when configured, and refuses it as a character otherwise', () => {
    const r = [rep(0, 0, 0x1e, 0, 0, 0, 0, 0), UP, rep(0, 0, 0x2b, 0, 0, 0, 0, 0), UP];
    expect(run(new HidKeyboardDecoder({ suffix: 'Tab' }), r)).toEqual(['1']);
    expect(refusedCode(() => run(new HidKeyboardDecoder(), r))).toMatch(/not a character/);
  });

  it('decodes a scanner set to the French layout (digits need Shift)', () => {
    const r = [rep(0x02, 0, 0x1e, 0, 0, 0, 0, 0), UP, rep(0x00, 0, 0x14, 0, 0, 0, 0, 0), UP, rep(0, 0, 0x28, 0, 0, 0, 0, 0)];
    expect(run(new HidKeyboardDecoder({ layout: 'fr' }), r)).toEqual(['1a']);
  });

  it('strips a report id when the device uses one', () => {
    const r = keyboardReports('123456').map((x) => Uint8Array.of(1, ...x));
    expect(run(new HidKeyboardDecoder({ reportId: 1 }), r)).toEqual(['123456']);
    expect(refusedCode(() => run(new HidKeyboardDecoder({ reportId: 1 }), keyboardReports('1')))).toMatch(/report id/);
  });

  it('returns the code with its suffix removed, and the next code separately', () => {
    expect(run(new HidKeyboardDecoder(), [...keyboardReports('ABC123'), ...keyboardReports('987654')])).toEqual(['ABC123', '987654']);
  });

  describe('refuses garbage and drops the partial code', () => {
    it('a truncated report', () => expect(refusedCode(() => new HidKeyboardDecoder().push(rep(0, 0, 0x04)))).toMatch(/3 bytes/));
    it('an over-long report', () => expect(refusedCode(() => new HidKeyboardDecoder().push(new Uint8Array(12)))).toMatch(/12 bytes/));
    it('the reserved byte set', () => expect(refusedCode(() => new HidKeyboardDecoder().push(rep(0, 7, 0x04, 0, 0, 0, 0, 0)))).toMatch(/reserved/));
    it('a rollover error', () => expect(refusedCode(() => new HidKeyboardDecoder().push(rep(0, 0, 1, 1, 1, 1, 1, 1)))).toMatch(/rollover/));
    it('a key after an empty slot', () => expect(refusedCode(() => new HidKeyboardDecoder().push(rep(0, 0, 0, 0x04, 0, 0, 0, 0)))).toMatch(/malformed/));
    it('the same key twice', () => expect(refusedCode(() => new HidKeyboardDecoder().push(rep(0, 0, 4, 4, 0, 0, 0, 0)))).toMatch(/malformed/));
    it('a usage that is no character (F1)', () => expect(refusedCode(() => new HidKeyboardDecoder().push(rep(0, 0, 0x3a, 0, 0, 0, 0, 0)))).toMatch(/0x3a/));
    it('Ctrl with a key', () => expect(refusedCode(() => new HidKeyboardDecoder().push(rep(0x01, 0, 0x06, 0, 0, 0, 0, 0)))).toMatch(/control/));
    it('an Enter with nothing before it', () => expect(refusedCode(() => new HidKeyboardDecoder().push(rep(0, 0, 0x28, 0, 0, 0, 0, 0)))).toMatch(/short/));
    it('a code longer than 512 characters', () =>
      expect(refusedCode(() => run(new HidKeyboardDecoder(), keyboardReports('1'.repeat(513))))).toMatch(/too long/));

    it('but refuses a held key once, not again at each repeat of the same state (HID idle reports)', () => {
      const d = new HidKeyboardDecoder();
      const enter = rep(0, 0, 0x28, 0, 0, 0, 0, 0);
      expect(refusedCode(() => d.push(enter))).toMatch(/short/);
      expect(d.push(enter)).toBeNull(); // the same state repeated: no new key
      expect(d.push(enter)).toBeNull();
      expect(d.push(UP)).toBeNull();
      expect(refusedCode(() => d.push(enter))).toMatch(/short/); // pressed again: refused again
      expect(run(d, [UP, ...keyboardReports('123456')])).toEqual(['123456']);
    });
    it('and the next clean code still decodes once the refused scan\'s tail has ended, without the garbage\'s prefix', () => {
      const d = new HidKeyboardDecoder();
      run(d, keyboardReports('999').slice(0, 4));
      expect(() => d.push(rep(0, 0, 0x04))).toThrow(AppError);
      // The rest of the refused scan, up to its Enter, is its tail: refused once, at its end.
      expect(refusedCode(() => run(d, keyboardReports('9')))).toMatch(/tail/);
      expect(run(d, [UP, ...keyboardReports('123456')])).toEqual(['123456']);
    });
  });
});

describe('HID POS scanned-data reports (usage page 0x8C)', () => {
  it('decodes a code in one report with its symbology', () => {
    const d = new HidPosDecoder();
    expect(run(d, hidPosReports('134567890123456789'))).toEqual(['134567890123456789']);
    expect(d.symbology).toBe(']Q1');
  });

  it('joins a code that spans several reports', () => {
    const url = 'https://qr.example.cn/pay?token=' + 'A'.repeat(81); // 113 bytes: 56 + 56 + 1
    const reports = hidPosReports(url);
    expect(reports.length).toBe(3);
    expect(run(new HidPosDecoder(), reports)).toEqual([url]);
  });

  it('refuses a report of the wrong length or id', () => {
    expect(refusedCode(() => new HidPosDecoder().push(new Uint8Array(63)))).toMatch(/63 bytes/);
    const r = hidPosReports('123')[0]!;
    r[0] = 0x03;
    expect(refusedCode(() => new HidPosDecoder().push(r))).toMatch(/report id/);
  });

  it('refuses a data length over 56, reserved bits, non-printable data and an empty code', () => {
    const long = hidPosReports('123')[0]!;
    long[1] = 57;
    expect(refusedCode(() => new HidPosDecoder().push(long))).toMatch(/56/);
    const flags = hidPosReports('123')[0]!;
    flags[63] = 0x80;
    expect(refusedCode(() => new HidPosDecoder().push(flags))).toMatch(/reserved/);
    const bin = hidPosReports('123')[0]!;
    bin[6] = 0x1b;
    expect(refusedCode(() => new HidPosDecoder().push(bin))).toMatch(/non-printable/);
    expect(refusedCode(() => new HidPosDecoder().push(hidPosReports('')[0]!))).toMatch(/empty/);
  });

  it('drops a half-received code when the next report is garbage, and its tail up to a last report', () => {
    const d = new HidPosDecoder();
    const [first] = hidPosReports('9'.repeat(100));
    expect(d.push(first!)).toBeNull();
    expect(() => d.push(new Uint8Array(10))).toThrow(AppError);
    // The next last report is the refused code's tail, never a code of its own …
    expect(refusedCode(() => run(d, hidPosReports('123456')))).toMatch(/tail/);
    // … and the one after it reads.
    expect(run(d, hidPosReports('123456'))).toEqual(['123456']);
  });
});

/**
 * The tail guard (issue 15, defect 7), every crafted case: after a refused report, the rest of
 * that scan is never a code. Times are given explicitly (ms), as the reader passes them.
 */
describe('the tail of a broken HID scan never becomes a code', () => {
  const SCAN = '134567890123456789';
  /** Pushes reports 2 ms apart from `t0`; returns codes and refusal reasons (thrown and found between reports). */
  function feed(d: HidKeyboardDecoder | HidPosDecoder, reports: Uint8Array[], t0 = 0) {
    const codes: string[] = [];
    const refused: string[] = [];
    reports.forEach((r, i) => {
      let thrown: string | null = null;
      try {
        const c = d.push(r, t0 + i * 2);
        if (c !== null) codes.push(c);
      } catch (e) {
        thrown = String((e as AppError).detail?.why);
      }
      // Found before this report (a code cut off by a pause), then this report's own refusal.
      refused.push(...d.takeRefused().map((e) => String(e.detail?.why)), ...(thrown === null ? [] : [thrown]));
    });
    return { codes, refused };
  }
  const scan = keyboardReports(SCAN);
  const broken = (bad: Uint8Array) => [...scan.slice(0, 8), bad, ...scan.slice(8)];

  for (const [what, bad, why] of [
    ['a rollover error', rep(0, 0, 1, 1, 1, 1, 1, 1), /rollover/],
    ['a phantom state (a key after an empty slot)', rep(0, 0, 0, 0x20, 0, 0, 0, 0), /malformed/],
    ['Ctrl with a key', rep(0x01, 0, 0x06, 0, 0, 0, 0, 0), /control/],
    ['an oversized report', new Uint8Array(12), /12 bytes/],
    ['a report cut short', rep(0, 0, 0x20), /3 bytes/],
  ] as const) {
    it(`keyboard: after ${what} in the middle of a scan, the rest of it is refused, not read as a code`, () => {
      const d = new HidKeyboardDecoder();
      const r = feed(d, broken(bad));
      expect(r.codes).toEqual([]); // before: "890123456789" or so, as a code
      expect(r.refused[0]).toMatch(why);
      expect(r.refused.at(-1)).toMatch(/tail/);
      // The next scan reads whole.
      expect(feed(d, scan, 100).codes).toEqual([SCAN]);
    });
  }

  it('keyboard: 10,000 digits end as no code at all (before: the last 253 as a code)', () => {
    const d = new HidKeyboardDecoder();
    const r = feed(d, keyboardReports('7'.repeat(10_000)));
    expect(r.codes).toEqual([]);
    expect(r.refused).toEqual(['code too long', 'tail of a refused scan']);
    expect(feed(d, scan, 1e6).codes).toEqual([SCAN]);
  });

  it('keyboard: a pause of more than a second after the refusal starts a new scan (no Enter needed)', () => {
    const d = new HidKeyboardDecoder();
    feed(d, scan.slice(0, 6));
    feed(d, [rep(0, 0, 1, 1, 1, 1, 1, 1)], 20);
    expect(feed(d, [UP, ...scan], 20 + TAIL_MS + 50).codes).toEqual([SCAN]);
  });

  it('keyboard: a scan read slowly (a loaded PC: keys 700 ms apart at the reader) is still one code', () => {
    const d = new HidKeyboardDecoder();
    const codes = scan.flatMap((r, i) => d.push(r, i * 700) ?? []);
    expect(codes).toEqual([SCAN]);
  });

  it('keyboard: a scan left unfinished, continued after a pause, is refused and its rest is the tail', () => {
    const d = new HidKeyboardDecoder();
    feed(d, scan.slice(0, 10));
    const r = feed(d, scan.slice(10), 18 + KEYBOARD_GAP_MS + 10);
    expect(r.codes).toEqual([]);
    expect(r.refused).toEqual(['code cut off: its next report did not come', 'tail of a refused scan']);
  });

  const long = hidPosReports('8'.repeat(100)); // two reports, the first "more data follows"
  const pay = hidPosReports(SCAN);

  it('HID POS: a continued report whose continuation never came is not glued to the next code', () => {
    const d = new HidPosDecoder();
    expect(feed(d, [long[0]!]).codes).toEqual([]);
    // The next code 600 ms later: before, "8…8134567890123456789" came out as one code.
    const r = feed(d, pay, 600);
    expect(r.codes).toEqual([]);
    expect(r.refused).toEqual(['code cut off: its next report did not come', 'tail of a refused scan']);
    expect(feed(d, pay, 700).codes).toEqual([SCAN]);
  });

  it('HID POS: the next code after a long pause reads, the cut-off one is refused', () => {
    const d = new HidPosDecoder();
    feed(d, [long[0]!]);
    const r = feed(d, pay, TAIL_MS + 600);
    expect(r.codes).toEqual([SCAN]);
    expect(r.refused).toEqual(['code cut off: its next report did not come']);
  });

  it('HID POS: a continued report of another symbology is not a continuation', () => {
    const d = new HidPosDecoder();
    feed(d, [long[0]!]);
    const r = feed(d, hidPosReports(SCAN, ']E0'), 4);
    expect(r.codes).toEqual([]);
    expect(r.refused[0]).toMatch(/another symbology/);
  });

  it('HID POS: a code over 512 characters is refused whole, its remaining reports too', () => {
    const d = new HidPosDecoder();
    const r = feed(d, hidPosReports('5'.repeat(2000)));
    expect(r.codes).toEqual([]);
    expect(r.refused).toEqual(['code too long', 'tail of a refused scan']);
    expect(feed(d, pay, 1e6).codes).toEqual([SCAN]);
  });
});

/**
 * Pauses counted in the device's silence, not the machine's speed (issue 15, defect 6): a reader
 * that reports its empty reads (`idle(t, quietMs)`) has a code cut off only when the device had
 * nothing to send for longer than the gap; a report late only because a loaded machine was slow to
 * ask for it (no empty read before it) is not a pause.
 */
describe('HID pauses are the device\'s, counted in empty reads', () => {
  const SCAN = '134567890123456789';
  const scan = keyboardReports(SCAN);

  it('keyboard: reports reaching a stalled reader seconds apart, with no empty read between, are one code', () => {
    const d = new HidKeyboardDecoder();
    d.idle(0, 200); // the reader reports empty reads: pauses are counted in them
    const codes = scan.flatMap((r, i) => d.push(r, 1000 + i * 2 * KEYBOARD_GAP_MS) ?? []);
    expect(codes).toEqual([SCAN]); // before: "code cut off" at the second key
    expect(d.takeRefused()).toEqual([]);
  });

  it('keyboard: the device silent longer than the gap (empty reads) cuts the code, and its rest is the tail', () => {
    const d = new HidKeyboardDecoder();
    d.idle(0, 200);
    scan.slice(0, 10).forEach((r, i) => d.push(r, 10 + i));
    for (let k = 1; k <= 8; k++) d.idle(20 + k * 200, 200); // 1.6 s of silence
    expect(d.takeRefused().map((e) => e.detail?.why)).toEqual(['code cut off: its next report did not come']);
    const rest = scan.slice(10).map((r, i) => () => d.push(r, 1700 + i));
    expect(() => rest.forEach((f) => f())).toThrow(/./);
  });

  it('HID POS: a continued report, then the device silent for three empty reads, is not glued to the next code', () => {
    const d = new HidPosDecoder();
    d.idle(0, 200);
    expect(d.push(hidPosReports('8'.repeat(100))[0]!, 10)).toBeNull();
    for (let k = 1; k <= 3; k++) d.idle(10 + k * 200, 200);
    expect(d.takeRefused().map((e) => e.detail?.why)).toEqual(['code cut off: its next report did not come']);
    expect(() => hidPosReports(SCAN).forEach((r) => d.push(r, 700))).toThrow(/./); // its tail
    expect(hidPosReports(SCAN).map((r) => d.push(r, 710)).at(-1)).toBe(SCAN); // the tail ended at its last report
  });
});
