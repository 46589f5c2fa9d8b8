import { describe, expect, it } from 'vitest';
import { EventBus } from '../events';
import { ConnectivityMonitor } from './monitor';

function make() {
  const bus = new EventBus();
  const seen: string[] = [];
  bus.subscribe((name, p) => {
    if (name === 'connectivity:changed') seen.push((p as { state: string }).state);
  });
  return { m: new ConnectivityMonitor(bus, { weakRttMs: 1000, offlineAfterFailures: 2 }), seen };
}

describe('ConnectivityMonitor', () => {
  it('goes online, weak on a slow link or one failure, offline after repeated failures, and back', () => {
    const { m, seen } = make();
    m.ok(50);
    expect(m.get().state).toBe('online');
    m.failed();
    expect(m.get().state).toBe('weak');
    m.failed();
    expect(m.get().state).toBe('offline');
    m.ok(60);
    expect(m.get().state).toBe('online');
    for (let i = 0; i < 10; i++) m.ok(3000);
    expect(m.get().state).toBe('weak');
    expect(seen).toEqual(expect.arrayContaining(['online', 'weak', 'offline']));
  });

  it('goes straight to offline when the link is known to be down, never weak on the way (issue 12: 信号弱 after 断网)', () => {
    const { m, seen } = make();
    m.ok(50);
    seen.length = 0;
    m.linkDown();
    expect(m.get().state).toBe('offline');
    expect(seen).toEqual(['offline']);
    // The next probe that fails keeps it offline; one that succeeds brings it back.
    m.failed();
    expect(m.get().state).toBe('offline');
    m.ok(40);
    expect(m.get().state).toBe('online');
  });

  it('probes at once when asked, instead of waiting for the next tick', async () => {
    const { m } = make();
    let calls = 0;
    let up = false;
    m.startProbes(async () => {
      calls += 1;
      if (!up) throw new Error('down');
      return 20;
    }, 60_000, 60_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(1);
    up = true;
    m.probeNow();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(2);
    expect(m.get().state).toBe('online');
    m.stopProbes();
    m.probeNow(); // stopped: nothing runs
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(2);
  });
});
