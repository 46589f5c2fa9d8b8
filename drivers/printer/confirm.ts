/**
 * Knowing what the printer did, from Epson's ESC/POS reference: pure, bytes in and out.
 *
 * A bulk transfer completing means the bytes reached the printer's receive buffer, not the paper.
 * Two in-order requests are answered only once everything sent before them is processed (printed):
 * - `GS ( H` fn 48, the process-ID response (Epson TM models): `37 22 d1 d2 d3 d4 00`;
 * - `GS r 1`, transmit paper sensor status (Epson and most Chinese-market clones): one byte with
 *   bit 4 clear — which tells it apart from a real-time `DLE EOT` reply (bit 4 set, bit 1 set).
 * Real-time commands run at once, even while the printer is stopped at paper end:
 * - `DLE DC4` fn 1: drawer kick pulse (`ESC p` waits in the buffer behind a stopped job);
 * - `DLE DC4` fn 8: clear the receive and print buffers, so a job stopped at paper end does not
 *   resume by itself when paper is loaded (the app reprints it whole, marked 重打 / COPY);
 * - `DLE ENQ 2`: recover from a recoverable error after clearing the buffers (older models).
 */
import { isStatusByte } from './status';

const DLE = 0x10;
const DC4 = 0x14;
const ENQ = 0x05;
const GS = 0x1d;

/** GS r 1: answered (one byte) once everything before it is printed. */
export const PAPER_STATUS_IN_ORDER = Uint8Array.of(GS, 0x72, 1);

/** GS ( H pL pH fn=48 m=48 d1..d4: the printer echoes d1..d4 once everything before it is printed. */
export function processIdRequest(id: string): Uint8Array {
  if (!/^[0-9]{4}$/.test(id)) throw new Error('process id: 4 digits');
  return Uint8Array.of(GS, 0x28, 0x48, 6, 0, 48, 48, ...[...id].map((c) => c.charCodeAt(0)));
}

/** DLE DC4 1 m t: a real-time pulse on kick pin 2 (m=0) for t × 100 ms. */
export const REALTIME_PULSE = Uint8Array.of(DLE, DC4, 1, 0, 1);
/** DLE DC4 8 1 3 20 1 6 2 8: clear the receive and print buffers (real-time). */
export const REALTIME_CLEAR = Uint8Array.of(DLE, DC4, 8, 1, 3, 20, 1, 6, 2, 8);
/** DLE ENQ 2: recover from an error, clearing the buffers (real-time). */
export const RECOVER_CLEAR = Uint8Array.of(DLE, ENQ, 2);

export interface Replies {
  /** Real-time DLE EOT replies, in order. */
  realtime: number[];
  /** GS r 1 replies, in order. */
  inOrder: number[];
  /** GS ( H process ids echoed. */
  processIds: string[];
  /** Bytes that are none of these (line noise, a reply to something else). */
  other: number;
}

/** Splits what came in on bulk IN into the replies above. */
export function classifyReplies(bytes: Uint8Array): Replies {
  const out: Replies = { realtime: [], inOrder: [], processIds: [], other: 0 };
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k]!;
    if (b === 0x37 && bytes[k + 1] === 0x22 && bytes[k + 6] === 0) {
      const id = String.fromCharCode(...bytes.subarray(k + 2, k + 6));
      if (/^[0-9]{4}$/.test(id)) {
        out.processIds.push(id);
        k += 6;
        continue;
      }
    }
    if (isStatusByte(b)) out.realtime.push(b);
    else if ((b & 0x90) === 0) out.inOrder.push(b);
    else out.other++;
  }
  return out;
}
