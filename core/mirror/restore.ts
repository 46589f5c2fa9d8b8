/**
 * Restore on a replacement PC: every item the mirror says was accepted and not yet answered by
 * the acquirer (or, for a bill, not yet paid to the biller) is put back into a fresh database,
 * so the forwarder sends it and nothing the shop took is lost with the old PC's disk.
 *
 * Why nothing is paid twice: an item goes back exactly as it was accepted (its order number,
 * wallet, counter and signed code), and the acquirer is idempotent on terminal + order number
 * (core/acquirer/simulator/PROTOCOL.md): an item the old PC had already forwarded in a record
 * the mirror never got is answered with the acquirer's first answer, not taken again. An order
 * number already in this database is left as it is.
 *
 * What is trusted: only records that open under the recovery code and sit in an unbroken chain
 * (format.ts). When the file is damaged after record k, the first k are used — each is authentic,
 * and an item whose later record was lost is at worst sent again, which the acquirer answers as
 * above — and the result says where the file broke.
 */
import { AppError } from '../api/errors';
import { audit } from '../audit';
import { appendJournal } from '../ledger/journal';
import type { Db } from '../store/db';
import { parseRecoveryCode } from './format';
import { readMirror, type MirroredBill, type MirroredItem, type ReadMirror } from './writer';

export interface RestoreResult {
  /** Items put back to be forwarded (count and sum). */
  items: { count: number; fen: number };
  /** Bills put back to be paid to the biller. */
  bills: { count: number; fen: number };
  /** Order numbers or bill ids already in this database, left as they were. */
  alreadyHere: number;
  /** Records read and verified. */
  records: number;
  /** Where the file stopped being trustworthy (null: whole). */
  problem: ReadMirror['problem'];
}

export const MirrorErrors = {
  folderMissing: () =>
    new AppError('mirror.folder_missing', '找不到所选的文件夹：请插好 U 盘或第二块硬盘后再试，未做任何更改。', 'The chosen folder is not there: plug in the USB stick or second disk and try again; nothing was changed.'),
  badCode: () =>
    new AppError('mirror.bad_code', '恢复码格式不对：应为 32 个字母或数字（可带短横线）。', 'The recovery code is not in the right form: 32 letters or digits (dashes allowed).'),
  wrongCode: () =>
    new AppError('mirror.wrong_code', '恢复码与这份备份不符，未做任何更改。请核对纸上的恢复码。', 'The recovery code does not match this mirror; nothing was changed. Check the code on paper.'),
  notAMirror: () =>
    new AppError('mirror.not_a_mirror', '所选位置没有本收银台的备份文件，未做任何更改。', 'There is no mirror of this counter in the chosen place; nothing was changed.'),
  otherTerminal: (terminalId: string) =>
    new AppError('mirror.other_terminal', `这份备份属于收银台 ${terminalId}，与本机不符，未做任何更改。`, `This mirror belongs to counter ${terminalId}, not this one; nothing was changed.`),
};

/** Folds the verified records into each item's and bill's last known state. */
export function lastStates(m: ReadMirror): { items: MirroredItem[]; bills: MirroredBill[] } {
  const items = new Map<string, MirroredItem>();
  const bills = new Map<string, MirroredBill>();
  for (const { payload } of m.records) {
    if (payload.t === 'offline_item') items.set(payload.orderNo, payload);
    else if (payload.t === 'bill') bills.set(payload.id, payload);
  }
  return { items: [...items.values()], bills: [...bills.values()] };
}

export async function restoreFromMirror(
  db: Db,
  o: { text: string | null; recoveryCode: string; terminalId: string; operatorId: string; approverId: string; now?: () => number },
): Promise<RestoreResult> {
  const secret = parseRecoveryCode(o.recoveryCode);
  if (!secret) throw MirrorErrors.badCode();
  if (o.text === null) throw MirrorErrors.notAMirror();
  const m = readMirror(o.text, secret);
  if (m.problem === 'not_a_mirror') throw MirrorErrors.notAMirror();
  if (m.problem === 'wrong_code') throw MirrorErrors.wrongCode();
  if (m.terminalId !== o.terminalId) throw MirrorErrors.otherTerminal(m.terminalId);
  const now = (o.now ?? Date.now)();
  const { items, bills } = lastStates(m);
  const result: RestoreResult = { items: { count: 0, fen: 0 }, bills: { count: 0, fen: 0 }, alreadyHere: 0, records: m.records.length, problem: m.problem };

  await db.tx(async (q) => {
    for (const it of items) {
      // Answered items (accepted/declined) are the acquirer's already; needs_review ones too, but a
      // supervisor still has to see them, so they come back as they were, without a code to send.
      if (it.status === 'accepted' || it.status === 'declined') continue;
      if (await q.get('SELECT 1 FROM offline_items WHERE order_no = ? OR (wallet_id = ? AND counter = ?)', [it.orderNo, it.walletId, it.counter])) {
        result.alreadyHere += 1;
        continue;
      }
      const status = it.status === 'needs_review' ? 'needs_review' : 'pending';
      await q.run(
        `INSERT INTO offline_items (order_no, wallet_id, counter, code_time, amount_fen, purpose, code, masked, status, reason, flags, contact,
           attempts, batch_id, accepted_at, day, updated_at, operator_id, training)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 0, NULL, ?, ?, ?, ?, ?)`,
        [it.orderNo, it.walletId, it.counter, it.codeTime, it.amountFen, it.purpose, it.code ? Buffer.from(it.code, 'base64') : null, it.masked,
          status, it.flags, it.contact, it.acceptedAt, it.day, now, it.operatorId, it.training ? 1 : 0],
      );
      // The wallet's replay counter and the day's risk counters, as the accept had left them.
      await q.run(
        `INSERT INTO offline_wallets (wallet_id, last_counter, last_seen) VALUES (?, ?, ?)
         ON CONFLICT(wallet_id) DO UPDATE SET last_counter = MAX(last_counter, excluded.last_counter), last_seen = MAX(last_seen, excluded.last_seen)`,
        [it.walletId, it.counter, it.acceptedAt],
      );
      await q.run(
        `INSERT INTO risk_wallet_day (wallet_id, day, total_fen, count, near_limit, cash_outs) VALUES (?, ?, ?, 1, 0, ?)
         ON CONFLICT(wallet_id, day) DO UPDATE SET total_fen = total_fen + excluded.total_fen, count = count + 1, cash_outs = cash_outs + excluded.cash_outs`,
        [it.walletId, it.day, it.amountFen, it.purpose === 'cash_out' ? 1 : 0],
      );
      await appendJournal(q, { kind: 'offline.restored', ref: it.orderNo, amountFen: it.purpose === 'cash_out' ? -it.amountFen : it.amountFen, body: { status, masked: it.masked } }, now);
      result.items.count += 1;
      result.items.fen += it.amountFen;
    }
    for (const b of bills) {
      if (b.state !== 'queued') continue;
      if (await q.get('SELECT 1 FROM agent_bills WHERE id = ?', [b.id])) {
        result.alreadyHere += 1;
        continue;
      }
      await q.run(
        `INSERT INTO agent_bills (id, day, biller_id, account, masked_account, amount_fen, state, reference, created_at, operator_id)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', NULL, ?, ?)`,
        [b.id, b.day, b.billerId, b.account, b.maskedAccount, b.amountFen, b.createdAt, b.operatorId],
      );
      await appendJournal(q, { kind: 'bill.restored', ref: b.id, amountFen: b.amountFen, body: { masked: b.maskedAccount } }, now);
      result.bills.count += 1;
      result.bills.fen += b.amountFen;
    }
    await audit(q, {
      operatorId: o.operatorId, approverId: o.approverId, action: 'mirror.restore',
      detail: { records: result.records, items: result.items, bills: result.bills, alreadyHere: result.alreadyHere, problem: result.problem },
    }, now);
  });
  return result;
}
