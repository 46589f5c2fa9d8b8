/**
 * The browser shell's page gate over real WebSockets and the real back end (demo mode): the
 * session belongs to the page that entered the PIN (core/auth/page-gate.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createBackend, type Backend } from '../core/app';
import { MemorySecretStore } from '../core/platform';
import { startBrowserShell, type BrowserShell } from './server';

let backend: Backend;
let shell: BrowserShell;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-gate-'));
  const stat = path.join(dir, 'static');
  fs.mkdirSync(stat);
  fs.writeFileSync(path.join(stat, 'index.html'), '<!doctype html><title>t</title>');
  backend = await createBackend({ dataDir: path.join(dir, 'data'), mode: 'demo', shell: 'browser' }, { secrets: new MemorySecretStore() });
  shell = await startBrowserShell({ backend, staticDir: stat, port: 0 });
});
afterAll(async () => {
  await shell.close();
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Reply = { id: number; ok: boolean; value?: unknown; error?: { code: string; zh: string; en: string } };
interface Page {
  call(method: string, input?: unknown): Promise<Reply>;
  /** Every `session:changed` payload this socket was sent, in order. */
  sessions: Array<{ operator: unknown; ended?: string }>;
  close(): void;
}

/** A page's socket, as the renderer opens it: token, and the tab's key when it has one. */
async function page(key: string | null): Promise<Page> {
  const protocols = ['vc-rpc', `vc-token.${shell.token}`, ...(key ? [`vc-page.${key}`] : [])];
  const ws = new WebSocket(`ws://127.0.0.1:${shell.port}/rpc`, protocols, { headers: { origin: `http://127.0.0.1:${shell.port}` } });
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  const waiting = new Map<number, (r: Reply) => void>();
  const sessions: Page['sessions'] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    if (m.event === 'session:changed') sessions.push(m.payload);
    else if (typeof m.id === 'number') waiting.get(m.id)?.(m);
  });
  let next = 1;
  return {
    call: (method, input = {}) =>
      new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, method, input }));
      }),
    sessions,
    close: () => ws.close(),
  };
}

const KEY_A = 'page-a-aaaaaaaaaaaaaaaaaaaaaaa';
const KEY_B = 'page-b-bbbbbbbbbbbbbbbbbbbbbbb';
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('one PIN per page load', () => {
  it('refuses a new page’s operator calls until its own PIN, and shows it no session', async () => {
    const a = await page(KEY_A);
    expect((await a.call('session:login', { operatorId: 'cashier1', pin: '1111' })).ok).toBe(true);
    expect((await a.call('payments:list', {})).ok).toBe(true);

    const b = await page(KEY_B);
    const refused = await b.call('payments:cash', { amountFen: 100, tenderedFen: 100, requestId: 'gate-test-cash-1' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'auth.page_locked' } });
    expect(refused.error!.zh).toContain('PIN');
    expect(refused.error!.en).toContain('PIN');
    expect((await b.call('payments:list', {})).error?.code).toBe('auth.page_locked');
    expect((await b.call('session:current')).value).toEqual({ operator: null, lockAt: null });
    // Nothing was recorded by the refused call.
    expect(((await a.call('payments:list', {})).value as unknown[]).length).toBe(0);
    // Public calls still answer (the login screen's list of operators).
    expect((await b.call('session:operators')).ok).toBe(true);

    // The same tab again (a reload: a new socket with the same key) keeps the session.
    a.close();
    const aAgain = await page(KEY_A);
    expect((await aAgain.call('session:current')).value).toMatchObject({ operator: { id: 'cashier1' } });
    expect((await aAgain.call('payments:list', {})).ok).toBe(true);

    // B's PIN: B holds the session now, A is told it ended elsewhere and is refused.
    expect((await b.call('session:login', { operatorId: 'cashier1', pin: '1111' })).ok).toBe(true);
    await settle();
    expect(b.sessions.at(-1)).toMatchObject({ operator: { id: 'cashier1' } });
    // Every word A heard of it says elsewhere: never a bare "nobody", which reads as the idle lock.
    const heard = aAgain.sessions.filter((s) => s.operator === null);
    expect(heard.length).toBeGreaterThan(0);
    for (const s of heard) expect(s).toEqual({ operator: null, lockAt: null, ended: 'elsewhere' });
    expect(aAgain.sessions.at(-1)).toEqual({ operator: null, lockAt: null, ended: 'elsewhere' });
    expect((await aAgain.call('payments:list', {})).error?.code).toBe('auth.page_locked');
    expect((await b.call('payments:list', {})).ok).toBe(true);

    // A logout ends it for every page, saying it was a logout.
    await b.call('session:logout');
    await settle();
    expect(aAgain.sessions.at(-1)).toMatchObject({ operator: null, ended: 'logout' });
    expect((await b.call('payments:list', {})).error?.code).toBe('auth.not_logged_in');
    aAgain.close();
    b.close();
  });

  it('treats a socket without a page key as a page of its own', async () => {
    const a = await page(null);
    expect((await a.call('session:login', { operatorId: 'cashier1', pin: '1111' })).ok).toBe(true);
    expect((await a.call('payments:list', {})).ok).toBe(true);
    const b = await page(null);
    expect((await b.call('payments:list', {})).error?.code).toBe('auth.page_locked');
    await a.call('session:logout');
    a.close();
    b.close();
  });

  it('lets the demo customer’s phone tab use its own methods while someone is logged in', async () => {
    const till = await page(KEY_A);
    await till.call('session:login', { operatorId: 'cashier1', pin: '1111' });
    const phone = await page(KEY_B);
    expect((await phone.call('demo:wallets')).ok).toBe(true);
    expect((await phone.call('payments:list', {})).error?.code).toBe('auth.page_locked');
    await till.call('session:logout');
    till.close();
    phone.close();
  });
});
