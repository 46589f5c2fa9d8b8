import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMBEDDING_DIM } from '../../api/face';
import { faceHandlers } from '../../face/handlers';
import { decodeEmbedding, similarity } from '../../face/embedding';
import { DOMAIN_TIMINGS } from '../../config';
import { SandboxAcquirer } from '../sandbox/adapter';
import { Db } from '../../store/db';
import { migrate } from '../../store/migrate';
import { fromTemplate, toTemplate } from './face-template';
import { simMigrations } from './schema';
import { startSimulator, type Simulator } from './server';

let dir: string;
let sim: Simulator;
let key: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-face-'));
  sim = await startSimulator({ file: path.join(dir, 'sim.sqlite') });
  key = await sim.provisionTerminal('T0001');
});
afterEach(async () => {
  await sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A deterministic pseudo-embedding; `noise` moves it away from the seed's face. */
function face(seed: number, noise = 0): string {
  const v = new Float32Array(EMBEDDING_DIM);
  let x = seed;
  for (let i = 0; i < v.length; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    v[i] = ((x / 2 ** 31) - 0.5) + noise * Math.sin(i * 7.3);
  }
  return Buffer.from(v.buffer).toString('base64');
}
const ctx = { operator: { id: 'c1', name: 'c', role: 'cashier' as const } };

describe('face payment at the simulated acquirer', () => {
  it('decodes only well-formed embeddings and scores a face against itself as 1', () => {
    const a = decodeEmbedding(face(1))!;
    expect(a).toHaveLength(EMBEDDING_DIM);
    expect(similarity(a, a)).toBeCloseTo(1, 5);
    expect(decodeEmbedding(face(1).slice(4))).toBeNull();
    expect(decodeEmbedding('A'.repeat(face(1).length))).toBeNull(); // all zero
    expect(similarity(a, decodeEmbedding(face(2))!)).toBeLessThan(0.6);
  });

  it('finds nobody before enrolment, then asks the phone fragment above ¥20 and issues an fp code that pays', async () => {
    const h = faceHandlers('demo', { baseUrl: sim.url, terminalId: 'T0001', key });
    try {
      expect(await h['face:identify']({ embedding: face(7), amountFen: 25_00 }, ctx)).toEqual({ match: 'no_match' });
      await h['demo:faceEnrol']({ walletId: 'W07', embedding: face(7) }, ctx);
      const small = await h['face:identify']({ embedding: face(7, 0.05), amountFen: 5_00 }, ctx);
      expect(small.match).toBe('matched');
      const r = await h['face:identify']({ embedding: face(7, 0.05), amountFen: 25_00 }, ctx);
      if (r.match !== 'confirm_phone') throw new Error(`expected confirm_phone, got ${r.match}`);
      expect(await h['face:confirm']({ faceSession: r.faceSession, phoneLast4: '1234' }, ctx)).toEqual({ ok: false, reason: 'mismatch', triesLeft: 2 });
      const ok = await h['face:confirm']({ faceSession: r.faceSession, phoneLast4: '6688' }, ctx);
      if (!ok.ok) throw new Error('expected a code');
      expect(ok.code).toMatch(/^fp[0-9]{18}$/);
      // The session is single-use.
      expect(await h['face:confirm']({ faceSession: r.faceSession, phoneLast4: '6688' }, ctx)).toMatchObject({ ok: false, reason: 'expired' });
      const acq = new SandboxAcquirer({ baseUrl: sim.url, terminalId: 'T0001', key, training: true, timings: DOMAIN_TIMINGS });
      try {
        const paid = await acq.pay({ orderNo: 'T000120260101000077', code: ok.code, amountFen: 25_00, subject: 'face' });
        expect(paid.status).toBe('succeeded');
      } finally {
        acq.close();
      }
    } finally {
      h.close();
    }
  });

  it('burns the session after three wrong fragments and refuses enrolment of a non-face wallet', async () => {
    const h = faceHandlers('demo', { baseUrl: sim.url, terminalId: 'T0001', key });
    try {
      await h['demo:faceEnrol']({ walletId: 'W07', embedding: face(9) }, ctx);
      const r = await h['face:identify']({ embedding: face(9), amountFen: 50_00 }, ctx);
      if (r.match !== 'confirm_phone') throw new Error('expected confirm_phone');
      for (const left of [2, 1, 0]) expect(await h['face:confirm']({ faceSession: r.faceSession, phoneLast4: '0000' }, ctx)).toMatchObject({ ok: false, triesLeft: left });
      expect(await h['face:confirm']({ faceSession: r.faceSession, phoneLast4: '6688' }, ctx)).toMatchObject({ ok: false, reason: 'expired' });
      await expect(h['demo:faceEnrol']({ walletId: 'W01', embedding: face(9) }, ctx)).rejects.toMatchObject({ code: 'face.refused' });
    } finally {
      h.close();
    }
  });

  it('keeps an enrolment across a restart of the simulator, and matches the same face afterwards', async () => {
    const h = faceHandlers('demo', { baseUrl: sim.url, terminalId: 'T0001', key });
    try {
      await h['demo:faceEnrol']({ walletId: 'W07', embedding: face(21) }, ctx);
    } finally {
      h.close();
    }
    await sim.close();
    sim = await startSimulator({ file: path.join(dir, 'sim.sqlite') });
    const h2 = faceHandlers('demo', { baseUrl: sim.url, terminalId: 'T0001', key: await sim.provisionTerminal('T0001') });
    try {
      const r = await h2['face:identify']({ embedding: face(21, 0.05), amountFen: 5_00 }, ctx);
      expect(r.match).toBe('matched');
      // Somebody else is still nobody.
      expect(await h2['face:identify']({ embedding: face(22), amountFen: 5_00 }, ctx)).toEqual({ match: 'no_match' });
    } finally {
      h2.close();
    }
  });

  it('keeps the enrolment as a 1 KB template of its wallet, and no identification probe, in its files', async () => {
    const h = faceHandlers('demo', { baseUrl: sim.url, terminalId: 'T0001', key });
    try {
      const enrolled = face(11);
      const probe = face(11, 0.05);
      await h['demo:faceEnrol']({ walletId: 'W07', embedding: enrolled }, ctx);
      expect((await h['face:identify']({ embedding: probe, amountFen: 5_00 }, ctx)).match).toBe('matched');
      const rows = await sim.db.all<Record<string, unknown>>('SELECT * FROM face_enrolments');
      expect(rows).toHaveLength(1);
      expect(Object.keys(rows[0]!).sort()).toEqual(['enrolled_at', 'template', 'wallet_id']);
      expect(rows[0]).toMatchObject({ wallet_id: 'W07' });
      expect((rows[0]!.template as Buffer).length).toBe(1024);
      // Neither the bytes the terminal sent for the enrolment nor the probe's are in any file.
      for (const sent of [enrolled, probe]) {
        const raw = Buffer.from(sent, 'base64').subarray(0, 64);
        for (const f of fs.readdirSync(dir)) {
          const bytes = fs.readFileSync(path.join(dir, f));
          expect(bytes.includes(raw), f).toBe(false);
          expect(bytes.includes(sent.slice(0, 64)), f).toBe(false);
        }
      }
    } finally {
      h.close();
    }
  });

  it('a template scores a face within 0.001 of its embedding and refuses bytes that are not one', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const v = decodeEmbedding(face(seed, 0.3))!;
      expect(similarity(v, fromTemplate(toTemplate(v))!)).toBeGreaterThan(0.999);
    }
    expect(fromTemplate(Buffer.alloc(1023, 1))).toBeNull();
    expect(fromTemplate(Buffer.alloc(1024))).toBeNull();
  });

  it('migration 2 adds the enrolments table to a simulator file of version 1, keeping its wallets', async () => {
    const file = path.join(dir, 'old.sqlite');
    const old = await Db.open({ filename: file });
    expect(await migrate(old, simMigrations.filter((m) => m.id === 1))).toEqual([1]);
    await old.run("INSERT INTO wallets (id, name, scheme, balance_fen) VALUES ('W07', 'x', 'face', 123)");
    await old.close();
    const again = await startSimulator({ file, seed: false });
    try {
      const ids = (await again.db.all<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id')).map((r) => r.id);
      expect(ids).toEqual(simMigrations.map((m) => m.id));
      expect(await again.db.get('SELECT balance_fen FROM wallets WHERE id = ?', ['W07'])).toEqual({ balance_fen: 123 });
      const insert = (template: Buffer) => again.db.run('INSERT INTO face_enrolments (wallet_id, template, enrolled_at) VALUES (?, ?, 0)', ['W07', template]);
      await expect(insert(Buffer.alloc(10, 1))).rejects.toThrow(/CHECK/);
      await expect(again.db.run("INSERT INTO face_enrolments (wallet_id, template, enrolled_at) VALUES ('W99', ?, 0)", [Buffer.alloc(1024, 1)])).rejects.toThrow(/FOREIGN KEY/);
      await insert(Buffer.alloc(1024, 1));
    } finally {
      await again.close();
    }
  });
});
