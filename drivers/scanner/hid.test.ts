import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/api/errors';
import { HidKeyboardDecoder, HidPosDecoder, hidPosReports, keyboardReports } from './hid';

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
    it('and the next clean code still decodes, without the garbage\'s prefix', () => {
      const d = new HidKeyboardDecoder();
      run(d, keyboardReports('999').slice(0, 4));
      expect(() => d.push(rep(0, 0, 0x04))).toThrow(AppError);
      expect(run(d, keyboardReports('123456'))).toEqual(['123456']);
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

  it('drops a half-received code when the next report is garbage', () => {
    const d = new HidPosDecoder();
    const [first] = hidPosReports('9'.repeat(100));
    expect(d.push(first!)).toBeNull();
    expect(() => d.push(new Uint8Array(10))).toThrow(AppError);
    expect(run(d, hidPosReports('123456'))).toEqual(['123456']);
  });
});
