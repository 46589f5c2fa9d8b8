/**
 * Face-payment liveness over several frames: pure logic, frames in, verdict out.
 *
 * Why not one frame: a face model's single-frame anti-spoof and liveness scores (e.g. the `real`
 * and `live` scores of @vladmandic/human) are not payment-grade; a photo or a replayed video can
 * pass one frame. So the customer performs a random challenge (turn left/right, blink) in an
 * order chosen per session, and the session passes only if, over the whole sequence, exactly one
 * face stayed in view, it never jumped (no swap of photo for person), the median anti-spoof and
 * liveness scores held, and every challenge was done in time. The renderer feeds it one
 * `FaceFrame` per video frame from whatever detector runs there; the frames themselves stay in
 * the renderer's memory and only the best one (or its embedding) goes to the acquirer.
 *
 * Conventions: yaw in radians, positive = the customer turns to their left (as the camera sees
 * it, their face turns to the image's right); scores 0–1; box normalised to the frame (0–1).
 */

export interface FaceFrame {
  /** Capture time, ms (monotonic). */
  t: number;
  /** Faces the detector found in this frame. */
  faces: number;
  /** The (single) face's box, normalised; null when no face. */
  box: { x: number; y: number; w: number; h: number } | null;
  /** Detection confidence. */
  score: number;
  /** Anti-spoof score (1 = a real face, not a photo/screen). */
  real: number;
  /** Liveness score (1 = live). */
  live: number;
  yaw: number;
  /** Eye openness, 0 closed – 1 open. */
  eyesOpen: number;
}

export type Challenge = 'turn_left' | 'turn_right' | 'blink';

export interface LivenessOptions {
  /** Challenges per session (2–3: a few seconds for an elderly customer). */
  count: number;
  stepTimeoutMs: number;
  minReal: number;
  minLive: number;
  minScore: number;
  /** Largest move of the face centre between two frames (fraction of the frame). */
  maxJump: number;
  /** Smallest face, as a fraction of the frame width (too far away: ask to come closer). */
  minFaceWidth: number;
}

export const DEFAULT_LIVENESS: LivenessOptions = {
  count: 2, stepTimeoutMs: 6000, minReal: 0.6, minLive: 0.6, minScore: 0.7, maxJump: 0.2, minFaceWidth: 0.15,
};

export type FailReason = 'multiple_faces' | 'face_jumped' | 'timeout' | 'spoof' | 'no_face';

export type LivenessState =
  | { kind: 'find_face'; hint: 'no_face' | 'too_far' | 'multiple_faces' | null }
  | { kind: 'challenge'; step: number; of: number; prompt: Challenge }
  | { kind: 'passed'; bestFrame: number }
  | { kind: 'failed'; reason: FailReason };

const YAW_TURNED = 0.35;
const YAW_NEUTRAL = 0.15;
const EYES_CLOSED = 0.25;
const EYES_OPEN = 0.6;

/** Picks `count` distinct challenges in random order (a replay cannot know the order). */
export function pickChallenges(count: number, rng: () => number): Challenge[] {
  const all: Challenge[] = ['turn_left', 'turn_right', 'blink'];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, Math.max(1, Math.min(3, count)));
}

export class LivenessSession {
  private state: LivenessState = { kind: 'find_face', hint: null };
  private readonly frames: FaceFrame[] = [];
  private step = 0;
  private stepStart = 0;
  private phase: 'await' | 'returning' = 'await';
  private prev: FaceFrame | null = null;
  private readonly o: LivenessOptions;

  constructor(readonly challenges: Challenge[], opts: Partial<LivenessOptions> = {}) {
    this.o = { ...DEFAULT_LIVENESS, ...opts };
    if (!challenges.length) throw new Error('at least one challenge');
  }

  get current(): LivenessState {
    return this.state;
  }

  push(f: FaceFrame): LivenessState {
    if (this.state.kind === 'passed' || this.state.kind === 'failed') return this.state;
    if (!validFrame(f)) return this.state; // a detector glitch (NaN, out of range) is ignored, not trusted
    if (f.faces > 1) return this.fail(this.state.kind === 'challenge' ? 'multiple_faces' : null, 'multiple_faces');
    if (f.faces === 0 || !f.box || f.score < this.o.minScore) {
      if (this.state.kind === 'challenge' && f.t - this.stepStart > this.o.stepTimeoutMs) return this.fail('no_face');
      if (this.state.kind === 'find_face') this.state = { kind: 'find_face', hint: 'no_face' };
      return this.state;
    }
    if (this.prev?.box && jump(this.prev.box, f.box) > this.o.maxJump && this.state.kind === 'challenge') return this.fail('face_jumped');
    this.prev = f;

    if (this.state.kind === 'find_face') {
      if (f.box.w < this.o.minFaceWidth) return (this.state = { kind: 'find_face', hint: 'too_far' });
      if (Math.abs(f.yaw) > YAW_NEUTRAL) return (this.state = { kind: 'find_face', hint: null });
      this.frames.push(f);
      this.stepStart = f.t;
      return (this.state = { kind: 'challenge', step: 0, of: this.challenges.length, prompt: this.challenges[0]! });
    }

    this.frames.push(f);
    if (f.t - this.stepStart > this.o.stepTimeoutMs) return this.fail('timeout');
    const c = this.challenges[this.step]!;
    if (this.phase === 'await' && done(c, f)) this.phase = 'returning';
    else if (this.phase === 'returning' && back(c, f)) {
      this.step++;
      this.phase = 'await';
      this.stepStart = f.t;
      if (this.step === this.challenges.length) return this.finish();
      this.state = { kind: 'challenge', step: this.step, of: this.challenges.length, prompt: this.challenges[this.step]! };
    }
    return this.state;
  }

  private finish(): LivenessState {
    const real = median(this.frames.map((x) => x.real));
    const live = median(this.frames.map((x) => x.live));
    if (real < this.o.minReal || live < this.o.minLive) return this.fail('spoof');
    return (this.state = { kind: 'passed', bestFrame: bestFrame(this.frames) });
  }

  private fail(reason: FailReason | null, hint?: 'multiple_faces'): LivenessState {
    if (!reason) return (this.state = { kind: 'find_face', hint: hint ?? null });
    return (this.state = { kind: 'failed', reason });
  }

  /** The frames seen during the challenge, in order (indices match `bestFrame`). */
  get seen(): readonly FaceFrame[] {
    return this.frames;
  }
}

function validFrame(f: FaceFrame): boolean {
  const unit = (v: number) => Number.isFinite(v) && v >= 0 && v <= 1;
  if (!Number.isFinite(f.t) || !Number.isInteger(f.faces) || f.faces < 0) return false;
  if (!unit(f.score) || !unit(f.real) || !unit(f.live) || !unit(f.eyesOpen) || !Number.isFinite(f.yaw) || Math.abs(f.yaw) > Math.PI) return false;
  if (f.box && ![f.box.x, f.box.y, f.box.w, f.box.h].every(unit)) return false;
  return true;
}

function done(c: Challenge, f: FaceFrame): boolean {
  if (c === 'turn_left') return f.yaw > YAW_TURNED;
  if (c === 'turn_right') return f.yaw < -YAW_TURNED;
  return f.eyesOpen < EYES_CLOSED;
}
function back(c: Challenge, f: FaceFrame): boolean {
  return c === 'blink' ? f.eyesOpen > EYES_OPEN : Math.abs(f.yaw) < YAW_NEUTRAL;
}
function jump(a: NonNullable<FaceFrame['box']>, b: NonNullable<FaceFrame['box']>): number {
  return Math.hypot(a.x + a.w / 2 - (b.x + b.w / 2), a.y + a.h / 2 - (b.y + b.h / 2));
}
function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The frame to identify with: frontal, eyes open, confident, large. */
export function bestFrame(frames: readonly FaceFrame[]): number {
  let best = 0;
  let bestScore = -Infinity;
  frames.forEach((f, i) => {
    const s = f.score * f.real * (1 - Math.min(1, Math.abs(f.yaw) / YAW_TURNED)) * Math.min(1, f.eyesOpen / EYES_OPEN) * (f.box?.w ?? 0);
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  });
  return best;
}

/**
 * What to do with the acquirer's 1:N identification score. Above `confirmAt` the customer still
 * confirms a phone-number fragment (the acquirer's rule: a face alone does not pay); below
 * `retryAt` it is no match; in between, one retry.
 */
export function matchOutcome(similarity: number, t = { confirmAt: 0.85, retryAt: 0.6 }): 'confirm_phone' | 'retry' | 'no_match' {
  if (!Number.isFinite(similarity) || similarity < t.retryAt) return 'no_match';
  return similarity >= t.confirmAt ? 'confirm_phone' : 'retry';
}

/** The customer's typed phone fragment (last 4 digits) against the one the acquirer holds; constant time. */
export function phoneFragmentMatches(typed: string, expected: string): boolean {
  if (!/^[0-9]{4}$/.test(typed) || !/^[0-9]{4}$/.test(expected)) return false;
  let diff = 0;
  for (let i = 0; i < 4; i++) diff |= typed.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}
