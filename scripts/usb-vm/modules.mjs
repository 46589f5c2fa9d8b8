// Prints, in load order, the module files (relative to /lib/modules/<ver>/) needed for `names`,
// resolving dependencies from modules.dep and skipping what is built in.
import fs from 'node:fs';
const [ver, ...names] = process.argv.slice(2);
const root = `/lib/modules/${ver}`;
const norm = (s) => s.replace(/^.*\//, '').replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
const dep = new Map();
for (const line of fs.readFileSync(`${root}/modules.dep`, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const [mod, rest] = line.split(':');
  dep.set(norm(mod), { file: mod, deps: rest.trim() ? rest.trim().split(/\s+/) : [] });
}
const builtin = new Set(fs.readFileSync(`${root}/modules.builtin`, 'utf8').split('\n').filter(Boolean).map(norm));
const order = [];
const seen = new Set();
function visit(n) {
  const k = norm(n);
  if (seen.has(k) || builtin.has(k)) return;
  seen.add(k);
  const e = dep.get(k);
  if (!e) throw new Error(`module ${n} not found in ${root}`);
  for (const d of [...e.deps].reverse()) visit(d);
  order.push(e.file);
}
for (const n of names) visit(n);
console.log(order.join('\n'));
