import { describe, expect, it } from 'vitest';
import type { AppError } from '../../core/api/errors';
import { FakeSerialLib } from './fake-serial';
import type { ReaderEnd } from './usb-hid';
import { parseSerialBaud, SerialFramer, serialPortKey, SerialScanner, serialUsbIds, type FrameResult } from './serial';

const PAY = '134567890123456789';
const bytes = (s: string) => Buffer.from(s, 'latin1');
const codes = (r: FrameResult[]) => r.map((x) => ('code' in x ? x.code : `refused:${String(x.refused.detail?.why)}`));

describe('serial framer: bytes → codes', () => {
  it('ends a code at CR, LF or CR LF (counted once)', () => {
    const f = new SerialFramer();
    expect(codes(f.push(bytes(`${PAY}\r`), 0))).toEqual([PAY]);
    expect(codes(f.push(bytes(`${PAY}\r\n`), 200))).toEqual([PAY]);
    expect(codes(f.push(bytes(`${PAY}\n`), 400))).toEqual([PAY]);
    expect(codes(f.push(bytes('\r\n\n'), 600))).toEqual([]); // blank lines are nothing
  });

  it('joins a code split over several chunks that arrive in one go', () => {
    const f = new SerialFramer();
    expect(f.push(bytes('13456'), 0)).toEqual([]);
    expect(f.push(bytes('7890123'), 3)).toEqual([]);
    expect(f.push(bytes('456789'), 5)).toEqual([]);
    expect(codes(f.push(bytes('\r'), 6))).toEqual([PAY]);
    // the CR and LF of one suffix split between chunks still end one code
    expect(codes(f.push(bytes('HELLO-128\r'), 300))).toEqual(['HELLO-128']);
    expect(codes(f.push(bytes('\n'), 301))).toEqual([]);
  });

  it('returns two codes that arrive in one chunk, in order', () => {
    const f = new SerialFramer();
    expect(codes(f.push(bytes(`${PAY}\r\n281234567890123456\r\n`), 0))).toEqual([PAY, '281234567890123456']);
  });

  it('refuses a code with a byte that is not printable ASCII, emits nothing for it, and reads the next', () => {
    const f = new SerialFramer();
    const r = f.push(Buffer.concat([bytes('1345678'), Buffer.of(0x00, 0xff), bytes('90123\r'), bytes(`${PAY}\r`)]), 0);
    expect(codes(r)).toEqual(['refused:byte 0x00 is not printable ASCII', PAY]);
    const e = (r[0] as { refused: AppError }).refused;
    expect(e.code).toBe('scanner.bad_report');
    expect(e.zh).toMatch(/丢弃/);
    expect(e.en).toMatch(/discarded/);
  });

  it('refuses an overlong line at once and skips the rest of it, so no piece of it becomes a code', () => {
    const f = new SerialFramer({ maxLength: 32 });
    const first = f.push(bytes('9'.repeat(40)), 0);
    expect(codes(first)).toEqual(['refused:code longer than 32 characters']);
    expect(f.push(bytes('1'.repeat(100)), 2)).toEqual([]); // still the same line: skipped
    expect(f.push(bytes('\r\n'), 3)).toEqual([]); // refused once only
    expect(codes(f.push(bytes(`${PAY}\r`), 4))).toEqual([PAY]);
  });

  it('refuses a code cut off by a pause, and the tail that follows it, but not the next scan', () => {
    const f = new SerialFramer({ interByteTimeoutMs: 100 });
    expect(f.push(bytes('1345678'), 0)).toEqual([]);
    // 300 ms of silence: the timer's flush refuses the first part
    expect(codes(f.flush(300))).toEqual(['refused:code cut off before its CR/LF']);
    // the rest of that code arrives: its tail is not a code of its own
    expect(codes(f.push(bytes('90123456789\r'), 350))).toEqual(['refused:tail of a code cut off by a pause']);
    expect(codes(f.push(bytes(`${PAY}\r`), 400))).toEqual([PAY]);
  });

  it('notices a pause from the next bytes even without a timer', () => {
    const f = new SerialFramer({ interByteTimeoutMs: 100 });
    f.push(bytes('1345678'), 0);
    expect(codes(f.push(bytes('90123456789\r'), 250))).toEqual(['refused:code cut off before its CR/LF', 'refused:tail of a code cut off by a pause']);
  });

  it('takes a scan that comes long after a cut-off code', () => {
    const f = new SerialFramer({ interByteTimeoutMs: 100 });
    f.push(bytes('1345678'), 0);
    expect(codes(f.flush(200))).toHaveLength(1);
    expect(codes(f.push(bytes(`${PAY}\r`), 5000))).toEqual([PAY]);
  });

  it('refuses a code shorter than the minimum', () => {
    const f = new SerialFramer({ minLength: 6 });
    expect(codes(f.push(bytes('123\r'), 0))).toEqual(['refused:code shorter than 6 characters']);
  });
});

describe('serial ports and settings', () => {
  it('keys a port by its USB ids and name, and reads the ids serialport lists', () => {
    expect(serialPortKey({ path: '/dev/ttyACM0', vendorId: '05E0', productId: '1701' })).toBe('05e0:1701:ttyacm0');
    expect(serialPortKey({ path: 'COM3', vendorId: '0c2e', productId: '0b6a' })).toBe('0c2e:0b6a:com3');
    expect(serialPortKey({ path: '/dev/ttyS0' })).toBe('port:ttys0');
    expect(serialUsbIds({ path: '/dev/ttyS0', vendorId: 'zz', productId: '1' })).toBeNull();
  });

  it('accepts only standard baud rates', () => {
    expect(parseSerialBaud('9600')).toBe(9600);
    expect(parseSerialBaud(115200)).toBe(115200);
    for (const bad of ['9601', '-9600', '9600.0', 'abc', '', null, 0]) expect(parseSerialBaud(bad)).toBeNull();
  });
});

describe('serial scanner over a (fake) port', () => {
  function reader(lib: FakeSerialLib, path = '/dev/ttyACM0', baud = 9600) {
    const got = { codes: [] as string[], refused: [] as string[], ends: [] as (ReaderEnd | 'busy')[] };
    const r = new SerialScanner(lib, path, baud, {
      onCode: (c) => got.codes.push(c),
      onRefused: (e) => got.refused.push(e.code),
      onEnd: (w) => got.ends.push(w),
    }, { interByteTimeoutMs: 30 });
    return { r, got };
  }
  const lib = () => {
    const l = new FakeSerialLib();
    l.ports = [{ path: '/dev/ttyACM0', vendorId: '05e0', productId: '1701' }];
    return l;
  };

  it('opens the port at the configured baud rate and emits one event per code', async () => {
    const l = lib();
    const { r, got } = reader(l, '/dev/ttyACM0', 115200);
    await r.start();
    expect(l.last.baudRate).toBe(115200);
    l.last.feed('1345678901');
    l.last.feed(`23456789\r\n281234567890123456\r\n`);
    expect(got.codes).toEqual([PAY, '281234567890123456']);
    await r.stop();
    expect(l.last.closed).toBe(true);
    expect(got.ends).toEqual(['stopped']);
  });

  it('refuses garbage with an error and emits nothing for it', async () => {
    const l = lib();
    const { r, got } = reader(l);
    await r.start();
    l.last.feed(Buffer.of(0x02, 0x31, 0x32, 0xfe, 0x0d));
    expect(got).toMatchObject({ codes: [], refused: ['scanner.bad_report'] });
    await r.stop();
  });

  it('refuses a code left unfinished, from its timer, with no byte after it', async () => {
    const l = lib();
    const { r, got } = reader(l);
    await r.start();
    l.last.feed('1345678');
    for (let i = 0; i < 50 && !got.refused.length; i++) await new Promise((res) => setTimeout(res, 10));
    expect(got).toMatchObject({ codes: [], refused: ['scanner.bad_report'] });
    await r.stop();
  });

  it('ends "disconnected" on unplug, dropping half a code; a reader opened after replug reads the next code whole', async () => {
    const l = lib();
    const { r, got } = reader(l);
    await r.start();
    l.last.feed('9999999');
    l.last.unplug();
    expect(got.ends).toEqual(['disconnected']);
    expect(r.active).toBe(false);
    await r.start(); // the device manager opens it again once the port is listed again
    l.last.feed(`${PAY}\r`);
    expect(got.codes).toEqual([PAY]);
    expect(got.refused).toEqual([]);
    await r.stop();
  });

  it('tells a permission problem and a port held by another program from an unplug', async () => {
    for (const [msg, why] of [
      ['Error: Permission denied, cannot open /dev/ttyACM0', 'no_permission'],
      ['Error Resource temporarily unavailable Cannot lock port', 'busy'],
      ['Error: No such file or directory, cannot open /dev/ttyACM0', 'disconnected'],
    ] as const) {
      const l = lib();
      l.openError = msg;
      const { r, got } = reader(l);
      await r.start();
      expect(got.ends).toEqual([why]);
      expect(r.active).toBe(false);
    }
  });
});
