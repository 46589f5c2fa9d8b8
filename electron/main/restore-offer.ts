/**
 * A damaged database at start (core/store/integrity.ts refuses it with `store.corrupt`): the
 * installed app offers to put the newest backup that passes its check in its place, so a shop
 * does not need a support engineer with a command line (README "Support"). Nothing happens
 * without the person's choice; the default button is Quit. The damaged file is moved aside,
 * never deleted (core/ops/backup.ts restoreBackup), and the app then starts again on the copy.
 *
 * What the question says plainly: records made after that backup are not in it. Offline
 * payments and queued bills come back from the mirror (设置 → 离线收款备份), online ones are the
 * acquirer's and show in reconciliation; this is why the backup's time is shown.
 */
import type { Logger } from '../../core/platform';
import { listBackups, restoreBackup } from '../../core/ops/backup';

export interface RestoreOfferDeps {
  dbFile: string;
  /** Electron's dialog.showMessageBox (no window yet): answers the chosen button's index. */
  ask: (options: { type: 'warning'; title: string; message: string; detail: string; buttons: string[]; defaultId: number; cancelId: number; noLink: true }) => Promise<number>;
  log: Logger;
}

const chinaTime = (ms: number) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
    .format(ms)
    .replace(/\//g, '-');

/** 'restored': start again; 'declined' or 'none': the start fails with the damaged-file message as before. */
export async function offerRestore(d: RestoreOfferDeps): Promise<'restored' | 'declined' | 'none'> {
  const newest = listBackups(d.dbFile)[0];
  if (!newest) return 'none';
  const at = chinaTime(newest.at);
  const choice = await d.ask({
    type: 'warning',
    title: '村店收银台 / Village Cashier',
    message: '数据库文件已损坏，已停止收款。\nThe database file is damaged; trading is stopped.',
    detail: [
      `可以用最近一份备份（${at}，北京时间）恢复；损坏的文件会移到一旁保留，不会删除。`,
      '备份之后的记录不在备份里：离线收款和待缴的账单请在 设置 → 离线收款备份 从 U 盘恢复，在线收款以对账为准。',
      '',
      `The newest backup (${at}, China time) can be put in its place; the damaged file is moved aside, not deleted.`,
      'Records made after that backup are not in it: restore offline payments and queued bills from the mirror (Settings → Offline mirror); online payments are in reconciliation.',
    ].join('\n'),
    buttons: ['恢复备份并重新启动 / Restore and restart', '退出 / Quit'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  });
  if (choice !== 0) {
    d.log.warn('restore.declined', {});
    return 'declined';
  }
  // The newest that passes its check (a damaged newest one is skipped), as the support command does.
  const r = await restoreBackup(d.dbFile);
  d.log.warn('restore.done', { from: r.restoredFrom, movedAside: r.movedAside });
  return 'restored';
}
