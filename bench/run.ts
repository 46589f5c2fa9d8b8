/**
 * `npm run bench`: runs every benchmark module in one process, one after the other, and writes
 * their figures into bench/out/results.json. Machines are noisy, so each module reports ratios
 * against a baseline measured in the same run (a bare durable SQLite commit, a naive encoding).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type BenchResult = Record<string, number | string | boolean>;
export interface BenchModule {
  name: string;
  run(): Promise<BenchResult>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/** Modules register here; each lives in bench/<name>.bench.ts and exports `bench`. */
const modules: Array<() => Promise<{ bench: BenchModule }>> = [() => import('./offline.bench'), () => import('./payments.bench')];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const results: BenchResult = {
    machine_cpus: os.cpus().length,
    machine_model: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    started_at: new Date().toISOString(),
    // Other work on the machine shows in every figure: 1, 5 and 15-minute load averages.
    loadavg_at_start: loadavg(),
  };
  for (const load of modules) {
    const { bench } = await load();
    if (only.length && !only.includes(bench.name)) continue;
    console.log(`[bench] ${bench.name} …`);
    const r = await bench.run();
    for (const [k, v] of Object.entries(r)) console.log(`  ${k}: ${v}`);
    Object.assign(results, r);
  }
  results.loadavg_at_end = loadavg();
  const out = path.join(here, 'out');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`[bench] wrote ${path.join(out, 'results.json')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
