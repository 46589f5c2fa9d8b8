/**
 * A loopback TCP proxy that behaves like a bad rural link, for tests, benchmarks and the demo's
 * "network" control. Portable (no netem, no root): it shapes each direction to a bandwidth,
 * adds half the RTT of propagation delay each way, emulates loss, and can stall or reset
 * connections, or refuse them altogether (offline).
 *
 * One link, several destinations (`route`): demo mode sends every exchange of the till with its
 * simulated acquirer (online payments, face, the offline routes, probes) over one emulator, so
 * the trainer's one switch governs them all and they share one bandwidth, as over one SIM card.
 *
 * Down means what a dead modem gives a PC: a new connection is refused (its listeners are
 * closed, so the client gets ECONNREFUSED: a request that provably never left, which the
 * payment engine may fail as "not charged" at once) and an open one is reset (it may have been
 * delivered: resolved by query). Up listens again on the same ports.
 *
 * Loss model (the nearest equivalent of packet loss a byte-stream proxy can give): data is cut
 * into 1,460-byte segments; a lost segment is sent twice (its retransmission costs bandwidth
 * again) and it, with everything behind it, arrives one RTT late (TCP's in-order delivery).
 * Segments keep flowing on the link meanwhile, as with TCP fast retransmit.
 *
 * Invariants: bytes are delivered in order or the connection is reset, never reordered or
 * altered; counters count payload bytes each way exactly once (retransmissions not included).
 */
import net from 'node:net';

export interface LinkProfile {
  /** false: new connections are refused and open ones reset (an outage). */
  up: boolean;
  /** Bytes per second each way; 0 = unshaped. */
  bandwidthBps: number;
  rttMs: number;
  /** Probability a segment is lost (0–1). */
  loss: number;
  /** Probability per segment of a stall (the link freezes for stallMs). */
  stallProb: number;
  stallMs: number;
  /** Probability per segment that the connection is reset. */
  resetProb: number;
}

export const LINK_PRESETS: Record<'online' | 'weak' | 'offline', LinkProfile> = {
  online: { up: true, bandwidthBps: 0, rttMs: 0, loss: 0, stallProb: 0, stallMs: 0, resetProb: 0 },
  // 2G/EDGE-class: 64 kbit/s, 600 ms RTT, 3% loss (docs/DOMAIN.md).
  weak: { up: true, bandwidthBps: 8_000, rttMs: 600, loss: 0.03, stallProb: 0, stallMs: 0, resetProb: 0 },
  offline: { up: false, bandwidthBps: 0, rttMs: 0, loss: 0, stallProb: 0, stallMs: 0, resetProb: 0 },
};

const SEG = 1460;

/**
 * One direction of the link, shared by every connection through it (a link, not a per-socket
 * pipe: two parallel requests share the 64 kbit/s): a serialising queue with its own clock.
 */
class Direction {
  private linkFreeAt = 0;
  private lastDeliverAt = 0;
  private inFlight = 0;
  /** Sources paused because the link's buffer is full; all resume when it drains. */
  private readonly paused = new Set<() => void>();
  /**
   * Segments in delivery order. One timer drains the head: separate timers per segment could
   * fire out of order under load (same-millisecond expiry, late event loop) and corrupt the stream.
   */
  private readonly queue: Array<{ at: number; bytes: Buffer; write: (b: Buffer) => void }> = [];
  private timer: NodeJS.Timeout | null = null;

  private pump(): void {
    if (this.timer) return;
    const now = performance.now();
    while (this.queue.length && this.queue[0].at <= now + 0.5) {
      const seg = this.queue.shift()!;
      this.inFlight -= seg.bytes.length;
      this.count(seg.bytes.length);
      seg.write(seg.bytes);
    }
    if (this.inFlight < 64 * 1024 && this.paused.size) {
      const all = [...this.paused];
      this.paused.clear();
      for (const r of all) r();
    }
    if (this.queue.length) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, Math.max(0, this.queue[0].at - now));
    }
  }
  /** When the last scheduled byte is delivered (performance.now() clock). */
  get drainAt(): number {
    return this.lastDeliverAt;
  }
  constructor(private readonly link: LinkEmulator, private readonly count: (n: number) => void) {}

  /** Schedules `chunk` for delivery through `write`; returns false to ask the source to pause. */
  push(chunk: Buffer, write: (b: Buffer) => void, reset: () => void, resume: () => void): boolean {
    const p = this.link.profile;
    const now = performance.now();
    for (let o = 0; o < chunk.length; o += SEG) {
      const seg = chunk.subarray(o, Math.min(chunk.length, o + SEG));
      if (p.resetProb > 0 && Math.random() < p.resetProb) {
        reset();
        return false;
      }
      const txMs = p.bandwidthBps > 0 ? (seg.length * 1000) / p.bandwidthBps : 0;
      const start = Math.max(now, this.linkFreeAt);
      let end = start + txMs;
      let deliver = end + p.rttMs / 2;
      if (p.stallProb > 0 && Math.random() < p.stallProb) {
        end += p.stallMs;
        deliver += p.stallMs;
      }
      if (p.loss > 0 && Math.random() < p.loss) {
        end += txMs; // the retransmission uses the link again
        deliver += Math.max(p.rttMs, 200) + txMs; // detected a round trip later (RTO floor 200 ms)
      }
      this.linkFreeAt = end;
      deliver = Math.max(deliver, this.lastDeliverAt);
      this.lastDeliverAt = deliver;
      this.inFlight += seg.length;
      this.queue.push({ at: deliver, bytes: Buffer.from(seg), write });
    }
    this.pump();
    if (this.inFlight < 64 * 1024) return true;
    this.paused.add(resume);
    return false;
  }
}

/** One destination over the link: its own local port, the shared profile and bandwidth. */
interface Route {
  targetPort: number;
  targetHost: string;
  /** The local port, kept across down/up so clients keep their address; 0 before `start`. */
  port: number;
  /** Listening while the link is up; null while it is down (connections refused). */
  server: net.Server | null;
}

export class LinkEmulator {
  profile: LinkProfile;
  bytesUp = 0;
  bytesDown = 0;
  resets = 0;
  private readonly routes: Route[] = [];
  private readonly sockets = new Set<net.Socket>();
  /** Listener changes run one after another, so a quick off/on ends as the last switch says. */
  private listeners: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly up = new Direction(this, (n) => (this.bytesUp += n));
  private readonly down = new Direction(this, (n) => (this.bytesDown += n));

  constructor(targetPort: number, profile: LinkProfile = LINK_PRESETS.online, targetHost = '127.0.0.1') {
    this.profile = { ...profile };
    this.routes.push({ targetPort, targetHost, port: 0, server: null });
  }

  /** The local port of the first destination (the constructor's). */
  get port(): number {
    return this.routes[0].port;
  }

  async start(port = 0): Promise<number> {
    await this.openFollowing(this.routes[0], port);
    return this.port;
  }

  /**
   * Another destination over the same link: the same profile, switch, bandwidth and counters.
   * Returns its local port (loopback).
   */
  async route(targetPort: number, targetHost = '127.0.0.1'): Promise<number> {
    const r: Route = { targetPort, targetHost, port: 0, server: null };
    this.routes.push(r);
    await this.openFollowing(r, 0);
    return r.port;
  }

  /** Changes the link at once; going down resets every open connection and refuses new ones. */
  setProfile(p: Partial<LinkProfile>): void {
    this.profile = { ...this.profile, ...p };
    if (!this.profile.up) for (const s of this.sockets) s.resetAndDestroy();
    this.listeners = this.listeners.then(() => this.followProfile());
  }

  /** Resolves once the listeners follow the last `setProfile` (closed while down, open while up). */
  settled(): Promise<void> {
    return this.listeners;
  }

  resetCounters(): void {
    this.bytesUp = 0;
    this.bytesDown = 0;
  }

  private async open(r: Route, port: number): Promise<void> {
    const server = net.createServer((client) => this.accept(client, r));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const a = server.address();
    r.port = typeof a === 'object' && a ? a.port : port;
    r.server = server;
  }

  /** A route started while the link is down: its port is now its own, closed until the link is up. */
  private async openFollowing(r: Route, port: number): Promise<void> {
    await this.open(r, port);
    if (!this.profile.up) {
      this.listeners = this.listeners.then(() => this.followProfile());
      await this.listeners;
    }
  }

  private async followProfile(): Promise<void> {
    for (const r of this.routes) {
      if (this.stopped || r.port === 0) continue;
      if (!this.profile.up && r.server) {
        const s = r.server;
        r.server = null;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          // The listening socket is closed at once; the callback waits for connections, reset above.
          setImmediate(resolve);
        });
      } else if (this.profile.up && !r.server) {
        await this.reopen(r);
      }
    }
  }

  /** Listens again on the route's own port; retried a while, since clients keep that address. */
  private async reopen(r: Route): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.open(r, r.port);
        return;
      } catch (e) {
        if (attempt >= 20 || this.stopped) {
          console.error(`[link] could not listen on 127.0.0.1:${r.port} again; that route stays down`, e);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  private accept(client: net.Socket, route: Route): void {
    if (!this.profile.up) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(route.targetPort, route.targetHost);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.sockets.add(client);
    this.sockets.add(upstream);
    let closed = false;
    const reset = () => {
      if (closed) return;
      closed = true;
      this.resets += 1;
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    };
    const up = this.up;
    const down = this.down;
    client.on('data', (b: Buffer) => {
      if (!up.push(b, (x) => !closed && upstream.write(x), reset, () => client.resume())) client.pause();
    });
    upstream.on('data', (b: Buffer) => {
      if (!down.push(b, (x) => !closed && client.write(x), reset, () => upstream.resume())) upstream.pause();
    });
    // A side that closes still has its last bytes on the link: close the other side after they
    // land. The margin is past the pump's own timer (Node truncates a timer's fractional ms and
    // may fire it a little early, so the pump re-arms for the last millisecond): with 1 ms the
    // close could overtake the last segment and the client saw a reset instead of its answer.
    const LANDED_MS = 25;
    const end = () => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      const close = () => {
        if (closed) return;
        const left = Math.max(up.drainAt, down.drainAt) - performance.now();
        if (left > 0) {
          setTimeout(close, left + LANDED_MS);
          return;
        }
        closed = true;
        client.destroy();
        upstream.destroy();
      };
      setTimeout(close, Math.max(0, Math.max(up.drainAt, down.drainAt) - performance.now()) + LANDED_MS);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.listeners;
    for (const s of this.sockets) s.destroy();
    for (const r of this.routes) {
      const server = r.server;
      r.server = null;
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
