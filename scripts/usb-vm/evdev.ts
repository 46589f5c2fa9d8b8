/**
 * The guest's view of QEMU's USB keyboard as the kernel's input layer reports it: struct
 * input_event records read from /dev/input/eventN, with the kernel's own timestamps (taken when
 * the interrupt report arrived), turned into the `KeyboardEvent.key` values the app's wedge
 * detector takes (US layout, Shift).
 *
 * Harness-only on purpose: the product never reads /dev/input (that needs the `input` group and
 * would read every key of the cashier's keyboard, not just the scanner's); in the product the
 * keys reach the wedge detector as DOM key events, and raw HID reads usage ids (scanner/hid.ts).
 */
import fs from 'node:fs';
import path from 'node:path';

/** x86-64: struct timeval (two 64-bit words), __u16 type, __u16 code, __s32 value. */
const EVENT_SIZE = 24;
const EV_KEY = 0x01;
const KEY_ENTER = 28;
const KEY_KPENTER = 96;
const SHIFTS = new Set([42, 54]); // KEY_LEFTSHIFT, KEY_RIGHTSHIFT

/** Linux key codes (input-event-codes.h) of the US keyboard's character keys → [plain, shifted]. */
const CHARS = new Map<number, [string, string]>();
const row = (first: number, plain: string, shifted: string) => [...plain].forEach((c, i) => CHARS.set(first + i, [c, shifted[i]!]));
row(2, '1234567890-=', '!@#$%^&*()_+'); // KEY_1 … KEY_EQUAL
row(16, 'qwertyuiop[]', 'QWERTYUIOP{}'); // KEY_Q … KEY_RIGHTBRACE
row(30, "asdfghjkl;'`", 'ASDFGHJKL:"~'); // KEY_A … KEY_GRAVE
row(43, '\\zxcvbnm,./', '|ZXCVBNM<>?'); // KEY_BACKSLASH … KEY_SLASH
CHARS.set(57, [' ', ' ']); // KEY_SPACE

export interface KeyEvent {
  /** `KeyboardEvent.key`: a character, 'Enter', 'Shift', or 'Unidentified'. */
  key: string;
  /** Kernel timestamp, ms (CLOCK_REALTIME, the evdev default: comparable with Date.now()). */
  t: number;
}

/** Turns key-press records into key values; tracks Shift. Releases and auto-repeats yield nothing. */
export class EvdevKeys {
  private shift = false;

  push(type: number, code: number, value: number, t: number): KeyEvent | null {
    if (type !== EV_KEY) return null;
    if (SHIFTS.has(code)) {
      this.shift = value !== 0;
      return value === 1 ? { key: 'Shift', t } : null;
    }
    if (value !== 1) return null; // 0 release, 2 auto-repeat
    if (code === KEY_ENTER || code === KEY_KPENTER) return { key: 'Enter', t };
    const c = CHARS.get(code);
    return { key: c ? c[this.shift ? 1 : 0] : 'Unidentified', t };
  }
}

/** The /dev/input/eventN whose input device has this name, or null. */
export function findEventDevice(name: string): string | null {
  for (const e of fs.readdirSync('/sys/class/input').filter((x) => /^event\d+$/.test(x))) {
    try {
      if (fs.readFileSync(path.join('/sys/class/input', e, 'device/name'), 'utf8').trim() === name) return `/dev/input/${e}`;
    } catch {
      // the device went away while we looked
    }
  }
  return null;
}

/**
 * Reads key events from an event device until `stop()`. A read blocks one libuv pool thread,
 * so the guest raises UV_THREADPOOL_SIZE; the device vanishing (unplug) ends the reader.
 */
export function readKeys(dev: string, onKey: (k: KeyEvent) => void): { stop(): void; ended: Promise<void> } {
  const keys = new EvdevKeys();
  const stream = fs.createReadStream(dev, { highWaterMark: EVENT_SIZE * 64 });
  let rest = Buffer.alloc(0);
  stream.on('data', (chunk) => {
    let b = Buffer.concat([rest, chunk as Buffer]);
    while (b.length >= EVENT_SIZE) {
      const sec = Number(b.readBigInt64LE(0));
      const usec = Number(b.readBigInt64LE(8));
      const k = keys.push(b.readUInt16LE(16), b.readUInt16LE(18), b.readInt32LE(20), sec * 1000 + usec / 1000);
      if (k) onKey(k);
      b = b.subarray(EVENT_SIZE);
    }
    rest = Buffer.from(b);
  });
  const ended = new Promise<void>((res) => {
    stream.on('close', res);
    stream.on('error', () => res());
  });
  return { stop: () => stream.destroy(), ended };
}
