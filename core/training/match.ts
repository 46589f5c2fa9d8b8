/**
 * What the lesson engine observes, and the small declarative language a lesson uses to say
 * "this is what done looks like" or "this is the wrong move". Lessons are data, so the
 * matching is data too: an event name or a call's method, whether the call was refused (and
 * with which error code), and field values at dot-paths of the payload. A value may refer to
 * something remembered earlier in the lesson (`{ mem: 'offlineOrder' }`), so a later step can
 * insist on the same order the trainee took offline rather than any order.
 *
 * Invariant: matching is pure and total. A payload of an unexpected shape simply does not
 * match; it never throws into the event bus or the dispatcher.
 */

/** Something the trainee (or the system on their behalf) did, as the core saw it. */
export type Observation =
  | { kind: 'event'; name: string; payload: unknown }
  | { kind: 'result'; method: string; ok: true; value: unknown }
  | { kind: 'result'; method: string; ok: false; errorCode: string };

export type Scalar = string | number | boolean | null;
/** A wanted value: one scalar, any of a list, a remembered value, or "present / absent". */
export type Wanted = Scalar | readonly Scalar[] | { mem: string } | { present: boolean } | { gte: number } | { lte: number };

export interface Match {
  /** An event on the bus … */
  event?: string;
  /** … or the result of a contract call. */
  call?: string;
  /** For calls: accepted (true) or refused (false). Unset: either. */
  ok?: boolean;
  /** For refused calls: the error code, or any of several, or a prefix ending in `*`. */
  errorCode?: string | readonly string[];
  /** Field values, by dot-path into the event payload or the call's returned value. */
  where?: Readonly<Record<string, Wanted>>;
}

export type Memory = Map<string, Scalar>;

/** The value at a dot-path (`operator.role`), or undefined when any step of the path is missing. */
export function pick(value: unknown, path: string): unknown {
  let v: unknown = value;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function wantedHolds(w: Wanted, actual: unknown, memory: Memory): boolean {
  if (Array.isArray(w)) return (w as readonly Scalar[]).some((x) => x === actual);
  if (w !== null && typeof w === 'object') {
    if ('mem' in w) return memory.has(w.mem) && memory.get(w.mem) === actual;
    if ('present' in w) return w.present ? actual !== undefined && actual !== null : actual === undefined || actual === null;
    if ('gte' in w) return typeof actual === 'number' && actual >= w.gte;
    if ('lte' in w) return typeof actual === 'number' && actual <= w.lte;
    return false;
  }
  return isScalar(actual) && actual === w;
}

function codeHolds(want: string | readonly string[], code: string): boolean {
  const list: readonly string[] = typeof want === 'string' ? [want] : want;
  return list.some((w) => (w.endsWith('*') ? code.startsWith(w.slice(0, -1)) : code === w));
}

export function matches(m: Match, o: Observation, memory: Memory): boolean {
  let subject: unknown;
  if (o.kind === 'event') {
    if (m.event === undefined || m.event !== o.name) return false;
    subject = o.payload;
  } else {
    if (m.call === undefined || m.call !== o.method) return false;
    if (m.ok !== undefined && m.ok !== o.ok) return false;
    if (m.errorCode !== undefined && (o.ok || !codeHolds(m.errorCode, o.errorCode))) return false;
    subject = o.ok ? o.value : { errorCode: o.errorCode };
  }
  for (const [path, w] of Object.entries(m.where ?? {})) {
    if (!wantedHolds(w, pick(subject, path), memory)) return false;
  }
  return true;
}

/** The scalar at `path` of what was observed (for remembering an order number). */
export function observedValue(o: Observation, path: string): Scalar | undefined {
  const subject = o.kind === 'event' ? o.payload : o.ok ? o.value : { errorCode: o.errorCode };
  const v = pick(subject, path);
  return isScalar(v) ? v : undefined;
}
