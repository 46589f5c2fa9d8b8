/**
 * Face embeddings on the wire: a 1024-value Float32 vector (the `faceres` description model
 * shipped in @vladmandic/human), little-endian, base64. Shared by the contract (size check),
 * the terminal's face service and the acquirer simulator (identification).
 *
 * Invariant: on the terminal an embedding is held in memory only; no function here (or anywhere
 * in the terminal's face path) writes one to a file or the database. Only the acquirer keeps a
 * face, and only an enrolment, as a template (acquirer/simulator/face-template.ts).
 */
import { EMBEDDING_B64_LENGTH, EMBEDDING_DIM } from '../api/face';

export { EMBEDDING_B64_LENGTH, EMBEDDING_DIM };
const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes and checks one embedding: right size, finite values, not all zero. Null when bad. */
export function decodeEmbedding(b64: string): Float32Array | null {
  if (b64.length !== EMBEDDING_B64_LENGTH || !B64.test(b64)) return null;
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length !== EMBEDDING_DIM * 4) return null;
  const v = new Float32Array(EMBEDDING_DIM);
  let norm = 0;
  for (let i = 0; i < EMBEDDING_DIM; i++) {
    const x = bytes.readFloatLE(i * 4);
    if (!Number.isFinite(x) || Math.abs(x) > 1e3) return null;
    v[i] = x;
    norm += x * x;
  }
  return norm > 1e-9 ? v : null;
}

/** Cosine similarity, 0–1 (negative correlation counts as no likeness). */
export function similarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  const c = dot / Math.sqrt(na * nb);
  return Number.isFinite(c) ? Math.max(0, c) : 0;
}
