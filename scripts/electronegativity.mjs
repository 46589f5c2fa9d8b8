#!/usr/bin/env node
/**
 * `npm run lint:electron` (part of `npm test`): Doyensec's Electronegativity, an Electron security scanner written
 * by people other than us, over electron/. It exits non-zero on any finding not suppressed on
 * its own line with `eng-disable CHECK_ID` and the reason beside it, and on any file it could
 * not read (an unread file is an unchecked file).
 *
 * Run through its library rather than its command line so that it works offline and says the
 * same on every machine: its command line fetches translations and Electron's release list over
 * the network (and guesses the Electron version from a package.json it does not find here), so
 * this passes the installed Electron version and loads its bundled English messages itself.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = path.dirname(require.resolve('@doyensec/electronegativity/package.json'));

// The scanner reads its messages through a global `__` set up by its i18n module, which first
// fetches translations over the network (one second's timeout, then the bundled ones). Put a
// module in its place that loads the bundled en-US messages only, before the scanner loads it.
const i18n = require(require.resolve('i18n', { paths: [pkgDir] }));
const i18nModule = require.resolve('@doyensec/electronegativity/dist/locales/i18n.js');
require.cache[i18nModule] = {
  id: i18nModule,
  filename: i18nModule,
  loaded: true,
  exports: async () => {
    i18n.configure({
      locales: ['en-US'],
      defaultLocale: 'en-US',
      directory: path.join(pkgDir, 'dist', 'locales'),
      updateFiles: false,
      objectNotation: true,
      register: globalThis,
    });
    i18n.setLocale('en-US');
  },
};

const run = require('@doyensec/electronegativity');
const electronVersion = require('electron/package.json').version;
// electron/ unless told another folder (its own test runs it over a planted finding).
const input = path.resolve(process.argv[2] ?? path.join(root, 'electron'));

const result = await run(
  {
    input,
    output: undefined,
    isSarif: false,
    customScan: [],
    // It downloads Electron's release list to say whether a newer release has security fixes: a
    // network call at test time. The Electron version is pinned in package.json and raised on purpose.
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    isRelative: true,
    isVerbose: false,
    electronUpgrade: undefined,
    electronVersionOverride: electronVersion,
    parserPlugins: [],
  },
  false,
);

const errors = result.errors.filter((e) => !e.tolerable);
for (const e of errors) console.error(`electronegativity: could not read ${path.relative(root, e.file)}: ${e.message}`);
for (const i of result.issues) {
  console.error(`electronegativity: ${i.id} ${path.join(path.relative(root, input), i.file)}:${i.location.line}:${i.location.column} ${i.description}`);
  console.error(`  ${i.sample}`);
}
const summary = `electronegativity over ${path.relative(root, input) || '.'}/ (Electron ${electronVersion}, ${result.atomicChecks + result.globalChecks} checks): ${result.issues.length} unsuppressed finding(s), ${errors.length} unreadable file(s)`;
if (result.issues.length > 0 || errors.length > 0) {
  console.error(`${summary}. Fix each, or suppress it on its line with \`// eng-disable CHECK_ID: why\`.`);
  process.exit(1);
}
console.log(summary);
