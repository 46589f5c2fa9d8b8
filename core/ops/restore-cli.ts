/**
 * The restore command support runs with the app stopped:
 *
 *   npx tsx core/ops/restore-cli.ts <data folder> [live|demo] [backup file]
 *
 * Without a file, the newest backup that passes its integrity check is used. The current
 * database is moved aside (never deleted); the answer says from where and to where.
 */
import path from 'node:path';
import { databasePath } from '../config';
import { restoreBackup } from './backup';

export async function restoreCommand(args: string[]): Promise<string> {
  const [dataDir, mode = 'live', from] = args;
  if (!dataDir || (mode !== 'live' && mode !== 'demo')) {
    throw new Error('用法 / usage: restore-cli <data folder> [live|demo] [backup file]');
  }
  const file = databasePath({ dataDir: path.resolve(dataDir), mode });
  const r = await restoreBackup(file, from ? path.resolve(from) : undefined);
  return [
    `已从 ${r.restoredFrom} 恢复 ${file}。`,
    `Restored ${file} from ${r.restoredFrom}.`,
    r.movedAside ? `原文件已移到 / the previous file was moved to ${r.movedAside}` : '',
  ].filter(Boolean).join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('ops', 'restore-cli.ts'))) {
  restoreCommand(process.argv.slice(2)).then(
    (msg) => console.log(msg),
    (e: unknown) => {
      const x = e as { zh?: string; en?: string; message?: string };
      console.error(x.zh && x.en ? `${x.zh}\n${x.en}` : x.message ?? String(e));
      process.exit(1);
    },
  );
}
