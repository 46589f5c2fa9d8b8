/** Shared by the guest's checks (runs inside the USB VM): results, waiting, gadgets, the keyboard agent. */
import fs from 'node:fs';
import path from 'node:path';
import type { EventPayload, Events } from '../../core/api/contract';

/** Every event the device manager emitted, by name. */
export type Seen = { [K in keyof Events]?: EventPayload<K>[] };

export const OUT = process.env.USB_VM_OUT ?? '/tmp/usb-vm-out';
export const G = '/sys/kernel/config/usb_gadget';

export const results: { name: string; ok: boolean; why?: string }[] = [];
const started = Date.now();
/** Records a check; the line says when it ended (seconds since the guest test started), to see where the time goes. */
export const check = (name: string, ok: boolean, why = '') => {
  results.push({ name, ok, why });
  const at = `[${((Date.now() - started) / 1000).toFixed(1)} s]`;
  console.log(ok ? `PASS ${name} ${at}` : `FAIL ${name}: ${why} ${at}`);
};
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export async function until(f: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (f()) return true;
    await sleep(50);
  }
  return f();
}

let req = 0;
/** Asks the host's keyboard agent (keyboard.mjs) for an action on QEMU's usb-kbd and waits for it. */
export async function keyboard(r: { op: 'type'; text: string; gapMs: number; holdMs: number; enter: boolean } | { op: 'burst'; text: string; enter: boolean } | { op: 'unplug' | 'plug' }): Promise<{ ok: boolean; error?: string; sent?: number[] }> {
  const n = ++req;
  const dir = path.join(OUT, 'kbd');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `req-${n}.tmp`), JSON.stringify(r));
  fs.renameSync(path.join(dir, `req-${n}.tmp`), path.join(dir, `req-${n}.json`));
  const done = path.join(dir, `done-${n}.json`);
  const failed = path.join(dir, 'agent-failed');
  if (!(await until(() => fs.existsSync(done) || fs.existsSync(failed), 20_000)) || !fs.existsSync(done)) {
    return { ok: false, error: `the host keyboard agent did not answer (${OUT}/keyboard.log)` };
  }
  return JSON.parse(fs.readFileSync(done, 'utf8'));
}

/** Creates a one-function gadget through configfs and binds it to a dummy UDC (plugs it in). */
export function gadget(name: string, udc: string, vid: number, pid: number, product: string, fn: string, attrs: Record<string, string | Buffer>): void {
  const d = path.join(G, name);
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 'idVendor'), `0x${vid.toString(16)}`);
  fs.writeFileSync(path.join(d, 'idProduct'), `0x${pid.toString(16)}`);
  fs.mkdirSync(path.join(d, 'strings/0x409'));
  fs.writeFileSync(path.join(d, 'strings/0x409/product'), product);
  fs.writeFileSync(path.join(d, 'strings/0x409/manufacturer'), 'usb-vm');
  fs.mkdirSync(path.join(d, 'configs/c.1'));
  const f = path.join(d, 'functions', fn);
  fs.mkdirSync(f);
  for (const [k, v] of Object.entries(attrs)) fs.writeFileSync(path.join(f, k), v);
  fs.symlinkSync(f, path.join(d, 'configs/c.1', fn));
  fs.writeFileSync(path.join(d, 'UDC'), udc);
}
/** Binds a gadget to its UDC (plug in) or, with '', unbinds it (unplug). Unbinding needs a newline: an empty write is refused (EBUSY). */
export const plug = (name: string, udc: string) => fs.writeFileSync(path.join(G, name, 'UDC'), `${udc}\n`);

/** Async writes: a write to /dev/hidgN blocks until the host side reads the report, and the host side is this same process. */
export const writeAsync = (fd: number, b: Uint8Array) => new Promise<void>((res, rej) => fs.write(fd, b, (e) => (e ? rej(e) : res())));
