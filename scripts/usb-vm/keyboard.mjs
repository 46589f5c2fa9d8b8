// Host side of the USB VM's keyboard (started by run.sh beside QEMU): plays the keyboard-wedge
// scanner and the person typing on QEMU's `usb-kbd`, and plugs it in and out, through QMP.
//
// The guest asks for each action with a file `kbd/req-N.json` in the shared output folder
// (written once it is reading the keyboard, so nothing is typed before anyone listens) and
// waits for `kbd/done-N.json`. Actions:
//   { op: 'type', text, gapMs, holdMs, enter }  one key per character (Shift for capitals),
//                                               `gapMs` from key to key, each held `holdMs`
//   { op: 'burst', text, enter }                all keys in one go, paced by the emulated
//                                               device itself (at most 16 key events)
//   { op: 'unplug' } / { op: 'plug' }           device_del / device_add of the usb-kbd
// QEMU's USB keyboard queues at most 16 key events and hands the guest one per interrupt poll
// (README: what polling does to key timing), so keys are paced here, never sent all at once.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const [sock, out] = process.argv.slice(2);
const dir = path.join(out, 'kbd');
fs.mkdirSync(dir, { recursive: true });
const log = (s) => fs.appendFileSync(path.join(out, 'keyboard.log'), `${new Date().toISOString()} ${s}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A minimal QMP client: one command at a time, events collected for whoever waits for them. */
async function qmp() {
  let conn;
  for (let i = 0; ; i++) {
    try {
      conn = await new Promise((res, rej) => {
        const c = net.connect(sock, () => res(c));
        c.once('error', rej);
      });
      break;
    } catch (e) {
      if (i > 300) throw e; // QEMU never opened its socket (it failed to start): give up after 30 s
      await sleep(100);
    }
  }
  let buf = '';
  const replies = [];
  const waiting = [];
  const events = [];
  conn.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (!line) continue;
      const msg = JSON.parse(line);
      if (msg.event) events.push(msg);
      else if ('return' in msg || 'error' in msg) (waiting.shift() ?? ((m) => replies.push(m)))(msg);
    }
  });
  conn.on('error', (e) => log(`qmp: ${e.message}`));
  const cmd = (execute, args) =>
    new Promise((res, rej) => {
      waiting.push((m) => (m.error ? rej(new Error(`${execute}: ${m.error.desc}`)) : res(m.return)));
      conn.write(JSON.stringify(args ? { execute, arguments: args } : { execute }) + '\n');
    });
  await cmd('qmp_capabilities');
  return { cmd, events };
}

/** QEMU key codes (qcode) for what a US-layout scanner types; `true` = needs Shift. */
const NAMED = { ' ': 'spc', '-': 'minus', '=': 'equal', '.': 'dot', ',': 'comma', '/': 'slash', ';': 'semicolon', "'": 'apostrophe' };
const SHIFTED = { '!': '1', '@': '2', '#': '3', $: '4', '%': '5', '^': '6', '&': '7', '*': '8', '(': '9', ')': '0', _: 'minus', '+': 'equal', ':': 'semicolon', '?': 'slash' };
function qcodes(ch) {
  if (/^[a-z0-9]$/.test(ch)) return [ch];
  if (/^[A-Z]$/.test(ch)) return ['shift', ch.toLowerCase()];
  if (NAMED[ch]) return [NAMED[ch]];
  if (SHIFTED[ch]) return ['shift', SHIFTED[ch]];
  throw new Error(`no key for ${JSON.stringify(ch)}`);
}
const ev = (down) => (q) => ({ type: 'key', data: { down, key: { type: 'qcode', data: q } } });

async function type(q, { text, gapMs, holdMs, enter }) {
  const keys = [...text].map(qcodes);
  if (enter) keys.push(['ret']);
  const sent = [];
  let next = performance.now();
  // A scanner keeps its own clock: after a late timer here, the next keys go at once (QEMU's
  // queue and the guest's polling space them out). A person does not: a late key never makes the
  // next one come sooner, or a typist could look like a scanner.
  // It catches up by two keys at most: a longer burst would overflow QEMU's 16-event queue.
  const clocked = gapMs < 30;
  for (const k of keys) {
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    next = Math.max(next, performance.now() - (clocked ? 2 * gapMs : 0)) + gapMs;
    sent.push(Math.round(performance.now()));
    if (holdMs > 0) {
      await q.cmd('input-send-event', { events: k.map(ev(true)) });
      await sleep(holdMs);
      await q.cmd('input-send-event', { events: [...k].reverse().map(ev(false)) });
    } else {
      await q.cmd('input-send-event', { events: [...k.map(ev(true)), ...[...k].reverse().map(ev(false))] });
    }
  }
  return { sent };
}

// A burst: every key event at once, into QEMU's 16-event queue; the keyboard hands the guest one
// per interrupt poll, so the keys are spaced by the emulated device's own polling, in the guest's
// time — no timer of this (possibly loaded) host process stands between two keys.
async function burst(q, { text, enter }) {
  const keys = [...text].map(qcodes);
  if (enter) keys.push(['ret']);
  const events = keys.flatMap((k) => [...k.map(ev(true)), ...[...k].reverse().map(ev(false))]);
  if (events.length > 16) throw new Error(`a burst of ${events.length} key events overflows QEMU's 16-event queue`);
  await q.cmd('input-send-event', { events });
  return { sent: [Math.round(performance.now())] };
}

async function waitEvent(q, name, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const i = q.events.findIndex((e) => e.event === name);
    if (i >= 0) return q.events.splice(i, 1)[0];
    await sleep(20);
  }
  throw new Error(`no ${name} within ${ms} ms`);
}

async function main() {
  const q = await qmp();
  log('QMP connected');
  for (let n = 1; ; n++) {
    const req = path.join(dir, `req-${n}.json`);
    while (!fs.existsSync(req)) await sleep(20);
    let r;
    try {
      r = JSON.parse(fs.readFileSync(req, 'utf8'));
    } catch {
      // Seen while the guest is still writing it: read it again.
      await sleep(20);
      r = JSON.parse(fs.readFileSync(req, 'utf8'));
    }
    let done;
    try {
      if (r.op === 'type') done = await type(q, r);
      else if (r.op === 'burst') done = await burst(q, r);
      else if (r.op === 'unplug') {
        q.events.length = 0;
        await q.cmd('device_del', { id: 'kbd' });
        await waitEvent(q, 'DEVICE_DELETED', 10_000);
        done = {};
      } else if (r.op === 'plug') {
        await q.cmd('device_add', { driver: 'usb-kbd', id: 'kbd', bus: 'xhci.0' });
        done = {};
      } else throw new Error(`unknown op ${r.op}`);
      done.ok = true;
    } catch (e) {
      done = { ok: false, error: e.message };
    }
    log(`req ${n} ${JSON.stringify(r)} → ${JSON.stringify(done)}`);
    fs.writeFileSync(path.join(dir, `done-${n}.json.tmp`), JSON.stringify(done));
    fs.renameSync(path.join(dir, `done-${n}.json.tmp`), path.join(dir, `done-${n}.json`));
  }
}

main().catch((e) => {
  log(`keyboard agent failed: ${e.stack ?? e}`);
  fs.writeFileSync(path.join(dir, 'agent-failed'), String(e)); // the guest stops waiting at once
  process.exit(1);
});
