// Prints one closing line for the whole `npm test` run, summed from the machine-readable
// reports each runner wrote: vitest (unit, crash), Playwright (e2e) and the USB VM harness. A report that is
// missing counts as a failure: a step that ran no test must not look green.
import fs from 'node:fs';

const read = (f) => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : null);
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const [name, file] of [['unit', 'test-results/unit.json'], ['crash', 'test-results/crash.json']]) {
  const r = read(file);
  if (!r) { missing.push(name); continue; }
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
}
const e2e = read('test-results/e2e.json');
if (!e2e) missing.push('e2e');
else {
  passed += e2e.stats.expected + (e2e.stats.flaky ?? 0);
  failed += e2e.stats.unexpected;
  skipped += e2e.stats.skipped;
  console.log(`e2e: ${e2e.stats.expected} passed, ${e2e.stats.unexpected} failed`);
}
const usb = read('test-results/usb.json');
if (!usb) missing.push('usb');
else if (usb.ran) {
  passed += usb.passed;
  failed += usb.failed;
  console.log(`usb: ${usb.passed} passed, ${usb.failed} failed`);
} else console.log('usb: not run on this machine');
if (missing.length) {
  console.error(`no report from: ${missing.join(', ')}`);
  failed += missing.length;
}
console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
