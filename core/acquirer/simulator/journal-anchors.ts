/**
 * The journal heads terminals send with every sync, forwarded batch and statement request
 * (PROTOCOL.md, "Journal anchors"): `head=<keyId>.<seq>.<hash>` in the signed query string. The
 * acquirer keeps every head it is sent, per terminal, and answers each exchange with the head it
 * held before (`x-journal-anchor`): the highest one of the same chain key, else the latest of any
 * key. The terminal checks that head is a row of its journal, so a journal cut short or
 * rewritten before the last anchor is caught the next time it talks to the acquirer; and the
 * acquirer keeps the evidence whatever the terminal does afterwards.
 */
import type { Db } from '../../store/db';

const HEAD = /^([0-9a-f]{16})\.(\d{1,15})\.([0-9a-f]{64})$/;

export class JournalAnchors {
  private constructor(private readonly db: Db) {}

  static async open(db: Db): Promise<JournalAnchors> {
    await db.exec(`
      CREATE TABLE IF NOT EXISTS sim_journal_anchors (
        terminal_id TEXT NOT NULL, key_id TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL,
        route TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS sim_journal_anchors_terminal ON sim_journal_anchors(terminal_id, key_id, seq);
    `);
    return new JournalAnchors(db);
  }

  /**
   * Records the head a request carried (a malformed one is ignored, never stored) and returns
   * the head held before it, formatted as the terminal sent it, or null when none.
   */
  async record(terminalId: string, head: string | null, route: string, at: number): Promise<string | null> {
    const m = HEAD.exec(head ?? '');
    const keyId = m?.[1] ?? null;
    type Row = { key_id: string; seq: number; hash: string };
    const same = keyId
      ? await this.db.get<Row>('SELECT key_id, seq, hash FROM sim_journal_anchors WHERE terminal_id = ? AND key_id = ? ORDER BY seq DESC, rowid DESC LIMIT 1', [terminalId, keyId])
      : undefined;
    const held = same ?? (await this.db.get<Row>('SELECT key_id, seq, hash FROM sim_journal_anchors WHERE terminal_id = ? ORDER BY rowid DESC LIMIT 1', [terminalId]));
    if (m) {
      await this.db.run('INSERT INTO sim_journal_anchors (terminal_id, key_id, seq, hash, route, at) VALUES (?, ?, ?, ?, ?, ?)', [terminalId, m[1], Number(m[2]), m[3], route, at]);
    }
    return held ? `${held.key_id}.${held.seq}.${held.hash}` : null;
  }

  /** Tests and support: every head a terminal sent, oldest first. */
  async list(terminalId: string): Promise<Array<{ keyId: string; seq: number; hash: string; route: string; at: number }>> {
    const rows = await this.db.all<{ key_id: string; seq: number; hash: string; route: string; at: number }>(
      'SELECT key_id, seq, hash, route, at FROM sim_journal_anchors WHERE terminal_id = ? ORDER BY rowid', [terminalId]);
    return rows.map((r) => ({ keyId: r.key_id, seq: r.seq, hash: r.hash, route: r.route, at: r.at }));
  }
}
