import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMBEDDING_DIM } from '../../api/face';
import { faceHandlers } from '../../face/handlers';
import { decodeEmbedding, similarity } from '../../face/embedding';
import { SandboxAcquirer } from '../sandbox/adapter';
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
      const acq = new SandboxAcquirer({ baseUrl: sim.url, terminalId: 'T0001', key, training: true });
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

  it('keeps enrolled faces out of the simulator’s database file', async () => {
    const h = faceHandlers('demo', { baseUrl: sim.url, terminalId: 'T0001', key });
    try {
      const emb = face(11);
      await h['demo:faceEnrol']({ walletId: 'W07', embedding: emb }, ctx);
      await h['face:identify']({ embedding: emb, amountFen: 5_00 }, ctx);
      const raw = Buffer.from(emb, 'base64').subarray(0, 64);
      for (const f of fs.readdirSync(dir)) {
        const bytes = fs.readFileSync(path.join(dir, f));
        expect(bytes.includes(raw)).toBe(false);
        expect(bytes.includes(emb.slice(0, 64))).toBe(false);
      }
    } finally {
      h.close();
    }
  });
});
