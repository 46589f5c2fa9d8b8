// After `electron-vite build`: the sandboxed preload must be one CommonJS file that requires
// nothing but `electron` (a sandboxed preload cannot load anything else, so a stray import
// would only fail at run time on a user's machine), and must not carry zod or core logic.
import fs from 'node:fs';

const preload = fs.readFileSync('out/preload/index.cjs', 'utf8');
const requires = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
const bad = requires.filter((r) => r !== 'electron');
const problems = [];
if (bad.length) problems.push(`preload requires ${bad.join(', ')}`);
if (/\bimport\s*[{*\w]/.test(preload.replace(/\/\/.*$/gm, ''))) problems.push('preload contains an ES import');
// Code, not prose: a kept doc comment may mention zod by name.
const code = preload.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
if (/safeParse|\bz\.object\(|ZodError/.test(code)) problems.push('preload bundles zod');
if (!preload.includes('exposeInMainWorld')) problems.push('preload does not expose window.cashier');
if (!fs.existsSync('out/main/index.js')) problems.push('main bundle missing');
if (!fs.existsSync('out/renderer/index.html')) problems.push('renderer bundle missing');
if (problems.length) {
  console.error(`bundle check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`bundle check: preload requires only electron (${preload.length} bytes); main and renderer built`);
