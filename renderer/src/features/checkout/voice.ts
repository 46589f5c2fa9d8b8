/**
 * Spoken amounts from clips shipped in resources/voice/ (made by scripts/make-voice.sh): no
 * network and no OS voice needed. `fenToWords` is pure and integer-only; `clipsFor` maps words
 * to clip names; `VoicePlayer` plays a sequence, one clip after another, and queues
 * an announcement behind the one still playing.
 */

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/** Reads 1–9999 in Mandarin; `leadingTen` drops the 一 of 一十 when it opens the number (十二, not 一十二). */
function under10k(n: number, leadingTen: boolean): string[] {
  const units = ['千', '百', '十', ''] as const;
  const ds = [Math.floor(n / 1000), Math.floor(n / 100) % 10, Math.floor(n / 10) % 10, n % 10];
  const out: string[] = [];
  let zeroPending = false;
  ds.forEach((d, i) => {
    if (d === 0) {
      if (out.length > 0) zeroPending = true;
      return;
    }
    if (zeroPending) out.push('零');
    zeroPending = false;
    if (!(leadingTen && out.length === 0 && units[i] === '十' && d === 1)) out.push(DIGITS[d]);
    if (units[i]) out.push(units[i]);
  });
  return out;
}

/** Whole yuan (0 … 99,999,999) in words; empty for 0. */
function yuanWords(y: number): string[] {
  if (y === 0) return [];
  const high = Math.floor(y / 10_000);
  const low = y % 10_000;
  const out: string[] = [];
  if (high > 0) out.push(...under10k(high, true), '万');
  if (low > 0) {
    if (high > 0 && low < 1000) out.push('零');
    out.push(...under10k(low, high === 0));
  }
  return out;
}

/**
 * The words that speak an amount in fen, as a cashier's terminal says it:
 * 12340 → 一百二十三元四角; 1204 → 十二元零四分; 50 → 五角; 1200 → 十二元.
 */
export function fenToWords(fen: number): string[] {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError('fen must be a non-negative integer');
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const f = fen % 10;
  const out = yuanWords(yuan);
  if (yuan > 0) out.push('元');
  if (jiao > 0) out.push(DIGITS[jiao], '角');
  if (f > 0) {
    if (jiao === 0 && yuan > 0) out.push('零');
    out.push(DIGITS[f], '分');
  }
  if (out.length === 0) out.push('零', '元');
  return out;
}

const CLIP_OF_WORD: Record<string, string> = {
  零: 'd0', 一: 'd1', 二: 'd2', 三: 'd3', 四: 'd4', 五: 'd5', 六: 'd6', 七: 'd7', 八: 'd8', 九: 'd9',
  十: 'shi', 百: 'bai', 千: 'qian', 万: 'wan', 元: 'yuan', 角: 'jiao', 分: 'fen',
};

/** Phrases that open an announcement, each one clip. */
export type Phrase = 'paid' | 'offline' | 'failed' | 'showcode' | 'userpaying' | 'withdraw' | 'billpaid' | 'billqueued';

/** The clip names to play for a phrase, optionally followed by an amount. */
export function clipsFor(phrase: Phrase, fen?: number): string[] {
  const words = fen === undefined ? [] : fenToWords(fen);
  return [phrase, ...words.map((w) => CLIP_OF_WORD[w])];
}

// Vite emits each clip as a file and gives its URL (the CSP allows media from 'self' only).
const urls = import.meta.glob('../../../../resources/voice/*.wav', { query: '?url', import: 'default', eager: true }) as Record<string, string>;
const CLIP_URL: Record<string, string> = Object.fromEntries(
  Object.entries(urls).map(([path, url]) => [path.replace(/^.*\/([a-z0-9]+)\.wav$/, '$1'), url]),
);

/** Plays one clip to its end (or its failure); resolves either way. */
function playClip(url: string, volume: number): Promise<void> {
  const audio = new Audio(url);
  audio.volume = Math.min(1, Math.max(0, volume / 100));
  return new Promise<void>((resolve) => {
    audio.onended = () => resolve();
    audio.onerror = () => resolve();
    // Autoplay may be refused before the first key press: the text on screen says the same.
    audio.play().catch(() => resolve());
  });
}

/**
 * Plays clip sequences one after another: an announcement that arrives while another is still
 * playing waits for it (a 离线受理 followed a second later by the confirmation must be heard
 * whole, then the confirmation), never cuts it off. `stop()` (a new sale) silences the one
 * playing and forgets the queued ones.
 */
export class VoicePlayer {
  private generation = 0;
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly settings: () => { enabled: boolean; volume: number }) {}

  say(clips: string[]): Promise<void> {
    const gen = this.generation;
    const run = async () => {
      for (const name of clips) {
        if (gen !== this.generation) return;
        const { enabled, volume } = this.settings();
        if (!enabled) return;
        const url = CLIP_URL[name];
        if (url) await playClip(url, volume);
      }
    };
    this.tail = this.tail.then(run, run);
    return this.tail;
  }

  stop(): void {
    this.generation++;
  }
}
