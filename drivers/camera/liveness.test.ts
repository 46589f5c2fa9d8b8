import { describe, expect, it } from 'vitest';
import { LivenessSession, matchOutcome, phoneFragmentMatches, pickChallenges, type FaceFrame } from './liveness';

const base: FaceFrame = { t: 0, faces: 1, box: { x: 0.35, y: 0.25, w: 0.3, h: 0.4 }, score: 0.95, real: 0.9, live: 0.9, yaw: 0, eyesOpen: 0.9 };
/** A scripted clip: each entry overrides the base frame; frames are 100 ms apart. */
function clip(parts: Partial<FaceFrame>[], start = 0): FaceFrame[] {
  return parts.map((p, i) => ({ ...base, t: start + i * 100, ...p }));
}
const neutral = (n: number) => Array<Partial<FaceFrame>>(n).fill({});
const turnLeft = [...neutral(2), { yaw: 0.2 }, { yaw: 0.45 }, { yaw: 0.5 }, { yaw: 0.2 }, { yaw: 0.05 }];
const turnRight = [...neutral(2), { yaw: -0.2 }, { yaw: -0.45 }, { yaw: -0.1 }];
const blink = [...neutral(2), { eyesOpen: 0.1 }, { eyesOpen: 0.8 }];
const run = (s: LivenessSession, frames: FaceFrame[]) => frames.map((f) => s.push(f)).at(-1)!;

describe('multi-frame liveness', () => {
  it('passes a live customer who does the challenges in the order asked, and picks a frontal frame', () => {
    const s = new LivenessSession(['turn_left', 'blink']);
    const r = run(s, clip([...turnLeft, ...blink]));
    expect(r.kind).toBe('passed');
    if (r.kind === 'passed') expect(Math.abs(s.seen[r.bestFrame]!.yaw)).toBeLessThan(0.1);
  });

  it('passes three challenges in any order asked', () => {
    const s = new LivenessSession(['turn_right', 'blink', 'turn_left']);
    expect(run(s, clip([...turnRight, ...blink, ...turnLeft])).kind).toBe('passed');
  });

  it('does not pass a still photo (no movement), however good its single-frame scores', () => {
    const s = new LivenessSession(['turn_left', 'blink']);
    const r = run(s, clip(neutral(80)));
    expect(r).toEqual({ kind: 'failed', reason: 'timeout' });
  });

  it('does not pass a replay that does the challenges in another order', () => {
    const s = new LivenessSession(['turn_right', 'blink']);
    const r = run(s, clip([...turnLeft, ...blink, ...neutral(60)]));
    expect(r.kind).toBe('failed');
  });

  it('fails when the anti-spoof scores stay low over the sequence', () => {
    const s = new LivenessSession(['blink']);
    const r = run(s, clip(blink.map((p) => ({ ...p, real: 0.3 }))));
    expect(r).toEqual({ kind: 'failed', reason: 'spoof' });
  });

  it('is not fooled by a few good frames among low ones (median, not best)', () => {
    const s = new LivenessSession(['blink']);
    const parts = blink.map((p, i) => ({ ...p, live: i === 0 ? 0.99 : 0.2 }));
    expect(run(s, clip(parts))).toEqual({ kind: 'failed', reason: 'spoof' });
  });

  it('fails when a second face enters during the challenge', () => {
    const s = new LivenessSession(['turn_left']);
    const r = run(s, clip([...neutral(2), { faces: 2 }]));
    expect(r).toEqual({ kind: 'failed', reason: 'multiple_faces' });
  });

  it('fails when the face jumps (a photo swapped in)', () => {
    const s = new LivenessSession(['turn_left']);
    const r = run(s, clip([...neutral(2), { box: { x: 0.0, y: 0.0, w: 0.3, h: 0.4 } }]));
    expect(r).toEqual({ kind: 'failed', reason: 'face_jumped' });
  });

  it('asks a customer who is too far away to come closer before starting', () => {
    const s = new LivenessSession(['blink']);
    expect(s.push({ ...base, box: { x: 0.45, y: 0.45, w: 0.08, h: 0.1 } })).toEqual({ kind: 'find_face', hint: 'too_far' });
    expect(s.push({ ...base, faces: 0, box: null })).toEqual({ kind: 'find_face', hint: 'no_face' });
  });

  it('ignores frames with impossible values instead of trusting them', () => {
    const s = new LivenessSession(['blink']);
    s.push({ ...base });
    expect(s.push({ ...base, t: 100, eyesOpen: Number.NaN }).kind).toBe('challenge');
    expect(s.push({ ...base, t: 200, real: 7 }).kind).toBe('challenge');
  });

  it('chooses challenges at random, without repeats', () => {
    let x = 0.1;
    const rng = () => (x = (x * 9301 + 0.49297) % 1);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const c = pickChallenges(2, rng);
      expect(new Set(c).size).toBe(2);
      seen.add(c.join());
    }
    expect(seen.size).toBeGreaterThan(2);
  });
});

describe('identification outcome', () => {
  it('asks for the phone fragment above the threshold, retries in between, refuses below', () => {
    expect(matchOutcome(0.9)).toBe('confirm_phone');
    expect(matchOutcome(0.7)).toBe('retry');
    expect(matchOutcome(0.3)).toBe('no_match');
    expect(matchOutcome(Number.NaN)).toBe('no_match');
  });
  it('checks the phone fragment strictly', () => {
    expect(phoneFragmentMatches('1234', '1234')).toBe(true);
    expect(phoneFragmentMatches('1235', '1234')).toBe(false);
    expect(phoneFragmentMatches('123', '1234')).toBe(false);
    expect(phoneFragmentMatches('１２３４', '1234')).toBe(false);
  });
});
