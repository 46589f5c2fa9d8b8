/**
 * The mirror of what is not yet forwarded, on a second medium (format.ts says what a record is).
 *
 * What it follows: the offline outbox (core/offline, `offline_items`) and the service point's
 * bills queued offline (core/agent, `agent_bills` in state `queued`): everything the counter has
 * accepted that the acquirer or the biller does not know about yet, i.e. the money that is lost
 * if the PC's disk is. Each change of such a row (accepted, sent, answered, its signed code
 * dropped) becomes one sealed record holding the row's state after the change.
 *
 * How it follows them: it reads those tables after their commits, like core/aml's watcher reads
 * the journal, rather than sitting inside the payment transaction: a missing or slow USB stick
 * must never stop a payment. It is woken by the bus events those commits emit and by a short
 * timer, appends with fsync, and keeps in the database how many records the file holds, so
 * that a file cut short, edited, or replaced is noticed at the next look and a new, complete
 * mirror is begun beside the damaged one (never written over it). The window between a commit
 * and its record is milliseconds; `status()` says "behind" while it is open and the status bar
 * shows it.
 *
 * Invariants: the mirror never changes the database except its own two settings rows; a record
 * holds no more of a payment code than forwarding needs (the signed offline code, until the
 * acquirer has answered and the outbox drops it — then the record says `code: null`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MirrorStatus } from '../api/mirror';
import type { EventBus } from '../events';
import type { Db } from '../store/db';
import { formatRecoveryCode, GENESIS_H, newHeader, newRecoveryCode, open, openHeader, parseHeader, parseRecoveryCode, seal, type MirrorKeys } from './format';

export const MIRROR_DIR_KEY = 'mirror.dir';
export const MIRROR_COUNT_KEY = 'mirror.records';
/** The recovery code's bytes, in the platform's secret store (the PC's copy; the paper is the other). */
export const MIRROR_SECRET_NAME = 'mirror.secret';

const FINAL_ITEM = new Set(['accepted', 'declined']);

/** An outbox row as the mirror keeps it (the columns restore needs to put it back). */
export interface MirroredItem {
  t: 'offline_item';
  orderNo: string;
  walletId: string;
  counter: number;
  codeTime: number;
  amountFen: number;
  purpose: 'sale' | 'cash_out';
  /** The signed offline code (base64) while forwarding needs it; null once answered. */
  code: string | null;
  masked: string;
  status: string;
  flags: string;
  contact: string | null;
  acceptedAt: number;
  day: string;
  updatedAt: number;
  operatorId: string | null;
  training: boolean;
}

export interface MirroredBill {
  t: 'bill';
  id: string;
  day: string;
  billerId: string;
  account: string;
  maskedAccount: string;
  amountFen: number;
  state: string;
  createdAt: number;
  operatorId: string | null;
}

export type MirrorRecord = MirroredItem | MirroredBill;


export interface FileOps {
  appendDurably(file: string, text: string): void;
  read(file: string): string | null;
  exists(dir: string): boolean;
  rename(from: string, to: string): void;
}

/** Appends with an fsync of the file (and, for a new file, of its folder): a power cut keeps what was acknowledged. */
export const nodeFileOps: FileOps = {
  appendDurably(file, text) {
    const isNew = !fs.existsSync(file);
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600);
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (isNew) {
      try {
        const dfd = fs.openSync(path.dirname(file), 'r');
        try {
          fs.fsyncSync(dfd);
        } finally {
          fs.closeSync(dfd);
        }
      } catch {
        // Some filesystems (FAT on a USB stick under Windows) cannot open a folder: the file's own fsync stands.
      }
    }
  },
  read(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  },
  exists(dir) {
    try {
      return fs.statSync(dir).isDirectory();
    } catch {
      return false;
    }
  },
  rename(from, to) {
    fs.renameSync(from, to);
  },
};

export const mirrorFile = (dir: string, terminalId: string) => path.join(dir, `vc-mirror-${terminalId}.log`);

/** What a mirror file holds, verified whole; `problem` names the first thing wrong (the records before it are good). */
export interface ReadMirror {
  terminalId: string;
  records: Array<{ n: number; payload: MirrorRecord }>;
  lastH: string;
  problem: null | 'wrong_code' | 'not_a_mirror' | 'unreadable' | 'out_of_order' | 'chain_broken' | 'tampered';
}

export function readMirror(text: string, secret: Buffer): ReadMirror {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = lines.length ? parseHeader(lines[0]!) : null;
  if (!header) return { terminalId: '', records: [], lastH: GENESIS_H, problem: 'not_a_mirror' };
  const keys = openHeader(header, secret);
  if (!keys) return { terminalId: header.terminalId, records: [], lastH: GENESIS_H, problem: 'wrong_code' };
  const records: ReadMirror['records'] = [];
  let prev = GENESIS_H;
  for (let i = 1; i < lines.length; i++) {
    const r = open(keys, header.terminalId, i, prev, lines[i]!);
    if (!r.ok) return { terminalId: header.terminalId, records, lastH: prev, problem: r.why };
    records.push({ n: i, payload: r.payload as MirrorRecord });
    prev = r.record.h;
  }
  return { terminalId: header.terminalId, records, lastH: prev, problem: null };
}

const isFinal = (r: MirrorRecord) => (r.t === 'offline_item' ? FINAL_ITEM.has(r.status) : r.state !== 'queued');
const itemKey = (r: MirrorRecord) => (r.t === 'offline_item' ? `i:${r.orderNo}` : `b:${r.id}`);
const fingerprint = (r: MirrorRecord) => (r.t === 'offline_item' ? `${r.status}|${r.code ? 1 : 0}|${r.updatedAt}` : r.state);

interface ItemRow {
  order_no: string;
  wallet_id: string;
  counter: number;
  code_time: number;
  amount_fen: number;
  purpose: 'sale' | 'cash_out';
  code: Buffer | null;
  masked: string;
  status: string;
  flags: string;
  contact: string | null;
  accepted_at: number;
  day: string;
  updated_at: number;
  operator_id: string | null;
  training: number;
}
interface BillRow {
  id: string;
  day: string;
  biller_id: string;
  account: string;
  masked_account: string;
  amount_fen: number;
  state: string;
  created_at: number;
  operator_id: string | null;
}

const toItem = (r: ItemRow): MirroredItem => ({
  t: 'offline_item', orderNo: r.order_no, walletId: r.wallet_id, counter: r.counter, codeTime: r.code_time, amountFen: r.amount_fen,
  purpose: r.purpose, code: r.code ? Buffer.from(r.code).toString('base64') : null, masked: r.masked, status: r.status, flags: r.flags,
  contact: r.contact, acceptedAt: r.accepted_at, day: r.day, updatedAt: r.updated_at, operatorId: r.operator_id, training: r.training === 1,
});
const toBill = (r: BillRow): MirroredBill => ({
  t: 'bill', id: r.id, day: r.day, billerId: r.biller_id, account: r.account, maskedAccount: r.masked_account, amountFen: r.amount_fen,
  state: r.state, createdAt: r.created_at, operatorId: r.operator_id,
});

export interface MirrorOptions {
  db: Db;
  bus?: EventBus | null;
  terminalId: string;
  /** The recovery code's bytes. */
  secret: Buffer;
  dir: string;
  files?: FileOps;
  now?: () => number;
  /** How often to look even without an event (ms); also how soon a returned USB stick is written. */
  everyMs?: number;
  /** Told after each look (the service passes changes on to the status bar). */
  onStatus?: (s: MirrorStatus) => void;
  /** Records in the file past which it is rewritten holding only the open items (see compact()). */
  compactAt?: number;
}

/** Past this many records (about 2 MB) the file is compacted, when most of it is answered items. */
export const MIRROR_COMPACT_AT = 5_000;

export class MirrorWriter {
  private readonly files: FileOps;
  private readonly now: () => number;
  private keys: MirrorKeys | null = null;
  private n = 0;
  private prevH = GENESIS_H;
  private seen = new Map<string, string>();
  /** The last state of every item and bill not yet answered: what a compacted file holds. */
  private live = new Map<string, MirrorRecord>();
  private running: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | null = null;
  private unsubscribe: (() => void) | null = null;
  private state: MirrorStatus['state'] = 'behind';
  private problem: string | null = null;
  private lastWriteAt: number | null = null;
  private ready = false;
  /** The newest `updated_at` read so far: later looks read only rows changed since (and the open ones). */
  private watermark = 0;

  private constructor(private readonly o: MirrorOptions) {
    this.files = o.files ?? nodeFileOps;
    this.now = o.now ?? Date.now;
  }

  static async start(o: MirrorOptions): Promise<MirrorWriter> {
    const w = new MirrorWriter(o);
    await w.sync();
    w.unsubscribe =
      o.bus?.subscribe((name) => {
        if (name === 'outbox:changed' || name === 'payments:changed' || name.startsWith('agent:')) void w.sync();
      }) ?? null;
    if (o.everyMs !== 0) {
      w.timer = setInterval(() => void w.sync(), o.everyMs ?? 5_000);
      w.timer.unref?.();
    }
    return w;
  }

  get file(): string {
    return mirrorFile(this.o.dir, this.o.terminalId);
  }

  status(): MirrorStatus {
    return { state: this.state, dir: this.o.dir, records: this.n, lastWriteAt: this.lastWriteAt, problem: this.problem };
  }

  /** Looks once and writes what changed; calls are serialised. */
  sync(): Promise<void> {
    this.running = this.running
      .then(() => this.syncOnce())
      .catch((e: unknown) => {
        // A write that failed (stick pulled mid-write, full, read-only): open the file afresh next time.
        this.state = 'missing';
        this.ready = false;
        this.problem = e instanceof Error ? e.message : String(e);
      })
      .then(() => this.o.onStatus?.(this.status()));
    return this.running;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running;
  }

  private async syncOnce(): Promise<void> {
    if (!this.files.exists(this.o.dir)) {
      // The stick is out: say so; everything is written when it is back (the database still has it all).
      this.state = 'missing';
      this.ready = false;
      return;
    }
    if (!this.ready) await this.openFile();
    const changes = await this.changes();
    for (const r of changes) this.append(r);
    if (changes.length) await this.saveCount(this.n);
    if (this.n >= (this.o.compactAt ?? MIRROR_COMPACT_AT) && this.live.size * 4 <= this.n) await this.compact();
    if (this.state !== 'damaged') this.state = 'ok';
  }

  private saveCount(n: number): Promise<unknown> {
    return this.o.db.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [MIRROR_COUNT_KEY, String(n)]);
  }

  /**
   * Rewrites the file holding only what restore needs — the last state of each item and bill
   * not yet answered — so a counter that runs for years keeps a small file. The new file is
   * written whole and fsynced beside the old one, then renamed over it. The count the database
   * keeps is lowered first: a power cut between the two leaves the old file, which holds at
   * least that many records and is taken as it is at the next start (only a file with fewer
   * records than the count is "cut short"); after the rename the new file matches the count.
   */
  private async compact(): Promise<void> {
    const { header, keys } = newHeader(this.o.terminalId, this.o.secret, this.now());
    const lines = [JSON.stringify(header)];
    let prevH = GENESIS_H;
    let n = 0;
    for (const r of this.live.values()) {
      n += 1;
      const sealed = seal(keys, this.o.terminalId, n, prevH, r);
      lines.push(JSON.stringify(sealed));
      prevH = sealed.h;
    }
    const next = `${this.file}.compact-${this.now()}`;
    this.files.appendDurably(next, `${lines.join('\n')}\n`);
    await this.saveCount(n);
    this.files.rename(next, this.file);
    this.keys = keys;
    this.n = n;
    this.prevH = prevH;
    // Answered items leave memory too: a row read again final and unseen is skipped (changes()).
    this.seen = new Map([...this.live.values()].map((r) => [itemKey(r), fingerprint(r)]));
  }

  /** Reads and verifies the file on the medium, or begins one; a bad or short file is set aside, never extended. */
  private async openFile(): Promise<void> {
    const expected = Number((await this.o.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [MIRROR_COUNT_KEY]))?.value ?? 0);
    const text = this.files.read(this.file);
    this.seen = new Map();
    this.live = new Map();
    this.watermark = 0;
    if (text !== null) {
      const m = readMirror(text, this.o.secret);
      const short = m.problem === null && m.records.length < expected;
      if (m.problem === null && !short && m.terminalId === this.o.terminalId) {
        this.keys = openHeader(parseHeader(text.slice(0, text.indexOf('\n')))!, this.o.secret);
        this.n = m.records.length;
        this.prevH = m.lastH;
        for (const r of m.records) this.remember(r.payload);
        this.ready = true;
        return;
      }
      const aside = `${this.file}.damaged-${this.now()}`;
      this.files.rename(this.file, aside);
      this.state = 'damaged';
      this.problem = short ? `records missing: ${m.records.length} of ${expected}` : (m.problem ?? 'other terminal');
    }
    const { header, keys } = newHeader(this.o.terminalId, this.o.secret, this.now());
    this.files.appendDurably(this.file, `${JSON.stringify(header)}\n`);
    this.keys = keys;
    this.n = 0;
    this.prevH = GENESIS_H;
    this.ready = true;
  }

  private append(r: MirrorRecord): void {
    const sealed = seal(this.keys!, this.o.terminalId, this.n + 1, this.prevH, r);
    this.files.appendDurably(this.file, `${JSON.stringify(sealed)}\n`);
    this.n += 1;
    this.prevH = sealed.h;
    this.remember(r);
    this.lastWriteAt = this.now();
  }

  private remember(r: MirrorRecord): void {
    const key = itemKey(r);
    this.seen.set(key, fingerprint(r));
    if (isFinal(r)) this.live.delete(key);
    else this.live.set(key, r);
  }

  /**
   * Rows that are not final, or that the mirror holds and that changed since. Only the open rows
   * and those changed since the last look are read (a year of answered items is not re-read
   * every few seconds); a row becoming final changes its `updated_at`, so it is among them.
   */
  private async changes(): Promise<MirrorRecord[]> {
    const items = (
      await this.o.db.all<ItemRow>("SELECT * FROM offline_items WHERE status NOT IN ('accepted','declined') OR updated_at >= ? ORDER BY seq", [this.watermark])
    ).map(toItem);
    const heldBills = [...this.seen.entries()].filter(([k, v]) => k.startsWith('b:') && v === 'queued').map(([k]) => k.slice(2));
    const bills = (
      await this.o.db.all<BillRow>(
        `SELECT id, day, biller_id, account, masked_account, amount_fen, state, created_at, operator_id FROM agent_bills
         WHERE state = 'queued'${heldBills.length ? ` OR id IN (${heldBills.map(() => '?').join(',')})` : ''} ORDER BY created_at`,
        heldBills,
      )
    ).map(toBill);
    const out: MirrorRecord[] = [];
    for (const r of [...items, ...bills]) {
      const key = itemKey(r);
      const was = this.seen.get(key);
      const final = isFinal(r);
      if (r.t === 'offline_item') this.watermark = Math.max(this.watermark, r.updatedAt);
      if (was === undefined && final) continue;
      if (was !== fingerprint(r)) out.push(r);
    }
    return out;
  }
}

/** Turning the mirror on: a new recovery code, shown once (formatted) and kept in the secret store. */
export function newMirrorSecret(): { code: string; formatted: string; secret: Buffer } {
  const code = newRecoveryCode();
  return { code, formatted: formatRecoveryCode(code), secret: parseRecoveryCode(code)! };
}
