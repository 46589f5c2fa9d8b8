import { defineConfig } from 'vitest/config';

// Crash tests kill child processes with SIGKILL at named steps; they run on their own
// (`npm run test:crash`) and one file at a time, since each owns its simulator and data folder.
export default defineConfig({
  test: {
    include: ['**/*.crash.test.ts'],
    exclude: ['node_modules/**'],
    environment: 'node',
    testTimeout: 300_000,
    fileParallelism: false,
    passWithNoTests: false,
  },
});
