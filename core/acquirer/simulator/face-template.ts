/**
 * The form in which the simulated acquirer keeps an enrolled face: an int8 template, each value
 * of the embedding divided by the largest magnitude and rounded to −127…127 (1 KB for the 1024
 * values). Identification is by cosine similarity, which no common scale changes, so the scale
 * itself is not kept; the rounding moves a face's similarity to its own embedding by less than
 * 0.001 (face-routes.test.ts measures it).
 *
 * Why not the embedding as received: a template is what an acquirer holds at rest, a quarter of
 * the size, and it is never the exact bytes a terminal sent, so "the terminal kept no
 * embedding" stays checkable by looking for those bytes in the data folder (e2e/face.spec.ts).
 */
import { EMBEDDING_DIM } from '../../face/embedding';

export const TEMPLATE_BYTES = EMBEDDING_DIM;

/** The int8 template of a (checked, non-zero) embedding. */
export function toTemplate(v: Float32Array): Buffer {
  let max = 0;
  for (const x of v) max = Math.max(max, Math.abs(x));
  const out = Buffer.alloc(v.length);
  for (let i = 0; i < v.length; i++) out.writeInt8(Math.round((v[i]! / max) * 127), i);
  return out;
}

/** A stored template back as a vector for cosine matching; null when the bytes are not one. */
export function fromTemplate(bytes: Uint8Array): Float32Array | null {
  if (bytes.length !== TEMPLATE_BYTES) return null;
  const v = new Float32Array(bytes.length);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let any = false;
  for (let i = 0; i < bytes.length; i++) {
    v[i] = view.readInt8(i);
    if (v[i] !== 0) any = true;
  }
  return any ? v : null;
}
