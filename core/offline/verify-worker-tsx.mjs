// Runs verify-worker.ts from the source tree (browser shell, tests, benchmarks) through tsx's
// API: a worker thread does not inherit its parent's TypeScript loader. The Electron build does
// not use this file: it starts the bundled worker chunk instead (electron/main/index.ts).
import { tsImport } from 'tsx/esm/api';

await tsImport('./verify-worker.ts', import.meta.url);
