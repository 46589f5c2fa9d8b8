/**
 * One SM2 verification thread of the pool (verify-pool.ts). It answers a single question per
 * code — are the issuer's and the wallet's signatures valid, and if not, which one is bad — and
 * holds caches only (prepared issuer keys, verified certificates, precomputed wallet keys; the
 * pool sends every wallet to the same thread so they stay warm here). No clock, revocation,
 * replay or risk state lives here: those stay on the main thread (store.ts), so a verdict
 * cannot depend on which thread gave it.
 */
import { parentPort } from 'node:worker_threads';
import { CodeRefusal, parseBytes, SignatureChecker } from './code';
import type { PoolReply, PoolRequest } from './verify-pool';

const port = parentPort;
if (!port) throw new Error('verify-worker runs as a worker thread of VerifyPool only');
const checker = new SignatureChecker();
const reply = (m: PoolReply) => port.postMessage(m);

port.on('message', (m: PoolRequest) => {
  if (m.type === 'check') {
    try {
      // The bytes were parsed on the main thread already; parsing again here is cheap and means
      // the verdict is about exactly these bytes.
      reply({ type: 'verdict', id: m.id, ok: true, certHash: checker.check(parseBytes(m.code), m.issuerKey) });
    } catch (e) {
      if (e instanceof CodeRefusal) reply({ type: 'verdict', id: m.id, ok: false, reason: e.reason });
      else reply({ type: 'failed', id: m.id, message: e instanceof Error ? e.message : String(e) });
    }
  } else if (m.type === 'trust') {
    checker.trust(m.issuerKeys);
  } else if (m.type === 'warm') {
    reply({ type: 'warmed', id: m.id, warmed: checker.warmIdle(m.budgetMs), cold: checker.coldKeys });
  }
});
reply({ type: 'ready' });
