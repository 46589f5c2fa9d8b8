import { afterEach, describe, expect, it, vi } from 'vitest';
import { clipsFor, fenToWords, VoicePlayer } from './voice';

const say = (fen: number) => fenToWords(fen).join('');

describe('the spoken amount', () => {
  it('reads 12340 fen as 一百二十三元四角', () => {
    expect(say(12340)).toBe('一百二十三元四角');
  });
  it('drops the leading 一 of the tens and says whole yuan without 角 or 分', () => {
    expect(say(1200)).toBe('十二元');
    expect(say(1000)).toBe('十元');
  });
  it('says 零 for a gap inside the number and before a lone 分', () => {
    expect(say(10200)).toBe('一百零二元');
    expect(say(100500)).toBe('一千零五元');
    expect(say(1204)).toBe('十二元零四分');
    expect(say(102000)).toBe('一千零二十元');
  });
  it('keeps the 一 of 一十 inside a longer number', () => {
    expect(say(11200)).toBe('一百一十二元');
  });
  it('reads amounts under one yuan with 角 and 分 only', () => {
    expect(say(50)).toBe('五角');
    expect(say(5)).toBe('五分');
    expect(say(56)).toBe('五角六分');
  });
  it('reads ten-thousands with 万 and the zero after it', () => {
    expect(say(1_000_000)).toBe('一万元');
    expect(say(1_050_000)).toBe('一万零五百元');
    expect(say(100_000_000)).toBe('一百万元');
    expect(say(12_345_600)).toBe('十二万三千四百五十六元');
  });
  it('refuses a negative or fractional amount', () => {
    expect(() => fenToWords(-1)).toThrow(RangeError);
    expect(() => fenToWords(1.5)).toThrow(RangeError);
  });
  it('turns a result and an amount into clip names, the phrase first', () => {
    expect(clipsFor('paid', 12340)).toEqual(['paid', 'd1', 'bai', 'd2', 'shi', 'd3', 'yuan', 'd4', 'jiao']);
    expect(clipsFor('offline', 500)).toEqual(['offline', 'd5', 'yuan']);
  });
});

/** A stand-in for the browser's Audio: each clip "plays" until the test ends it. */
class FakeAudio {
  static started: string[] = [];
  static playing: FakeAudio[] = [];
  volume = 1;
  onended: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly src: string) {}
  play(): Promise<void> {
    FakeAudio.started.push(this.src.replace(/^.*\/([a-z0-9]+)\.wav.*$/, '$1'));
    FakeAudio.playing.push(this);
    return Promise.resolve();
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));
async function finishAll(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await tick();
    const a = FakeAudio.playing.shift();
    a?.onended?.();
  }
}

describe('the voice queue', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeAudio.started = [];
    FakeAudio.playing = [];
  });

  it('plays a second announcement after the first instead of cutting it off (离线受理 then the confirmation)', async () => {
    vi.stubGlobal('Audio', FakeAudio);
    const v = new VoicePlayer(() => ({ enabled: true, volume: 80 }));
    void v.say(clipsFor('offline', 500));
    await tick();
    // The confirmation arrives while 离线受理 is still being spoken.
    void v.say(clipsFor('paid', 500));
    await finishAll();
    expect(FakeAudio.started).toEqual(['offline', 'd5', 'yuan', 'paid', 'd5', 'yuan']);
  });

  it('forgets what is queued when the sale is over (stop)', async () => {
    vi.stubGlobal('Audio', FakeAudio);
    const v = new VoicePlayer(() => ({ enabled: true, volume: 80 }));
    void v.say(clipsFor('offline', 500));
    void v.say(clipsFor('paid', 500));
    await tick();
    v.stop();
    await finishAll();
    expect(FakeAudio.started).toEqual(['offline']);
  });
});
