// After `electron-vite build`: the sandboxed preload must be one CommonJS file that requires
// nothing but `electron` (a sandboxed preload cannot load anything else, so a stray import
// would only fail at run time on a user's machine), and must not carry zod or core logic.
// Main starts the SM2 verification worker (core/offline/verify-pool.ts) from its own chunk by
// path: that chunk must exist where main points and load only Node built-ins and packaged
// dependencies (never electron, never a dev-only package such as tsx).
// Usage: `node scripts/check-bundle.mjs [outDir]` (default `out`, as `electron-vite build`
// writes; another folder for `electron-vite build --outDir <dir>`).
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const out = process.argv[2] ?? 'out';
const preload = fs.readFileSync(path.join(out, 'preload', 'index.cjs'), 'utf8');
const requires = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
const bad = requires.filter((r) => r !== 'electron');
const problems = [];
if (bad.length) problems.push(`preload requires ${bad.join(', ')}`);
if (/\bimport\s*[{*\w]/.test(preload.replace(/\/\/.*$/gm, ''))) problems.push('preload contains an ES import');
// Code, not prose: a kept doc comment may mention zod by name.
const code = preload.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
if (/safeParse|\bz\.object\(|ZodError/.test(code)) problems.push('preload bundles zod');
if (!preload.includes('exposeInMainWorld')) problems.push('preload does not expose window.cashier');
if (!fs.existsSync(path.join(out, 'main', 'index.js'))) problems.push('main bundle missing');
if (!fs.existsSync(path.join(out, 'renderer', 'index.html'))) problems.push('renderer bundle missing');
const mainDir = path.join(out, 'main');
const mainFiles = fs.existsSync(mainDir) ? fs.readdirSync(mainDir, { recursive: true }).filter((f) => String(f).endsWith('.js')) : [];
const workerRef = mainFiles
  .map((f) => /["']((?:\.\/)?chunks\/verify-worker-[\w-]+\.js)["']/.exec(fs.readFileSync(path.join(mainDir, String(f)), 'utf8')))
  .find(Boolean);
let workerNote = '';
if (!workerRef) problems.push('main does not start the SM2 verification worker chunk (electron/main/index.ts, ?modulePath)');
else if (!fs.existsSync(path.join(mainDir, workerRef[1]))) problems.push(`verification worker chunk ${workerRef[1]} missing`);
else {
  const worker = fs.readFileSync(path.join(mainDir, workerRef[1]), 'utf8');
  const deps = Object.keys(JSON.parse(fs.readFileSync('package.json', 'utf8')).dependencies ?? {});
  const specifiers = [...worker.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\(\s*)["']([^"']+)["']/g)].map((m) => m[1]);
  const packageOf = (s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/');
  const strange = specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s) && !deps.includes(packageOf(s)));
  if (strange.length) problems.push(`verification worker loads ${strange.join(', ')} (not a built-in or a dependency)`);
  workerNote = `; verification worker ${workerRef[1]} loads ${[...new Set(specifiers)].join(', ')}`;
}
if (problems.length) {
  console.error(`bundle check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`bundle check: preload requires only electron (${preload.length} bytes); main and renderer built${workerNote}`);
