import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['core/**/*.test.ts', 'drivers/**/*.test.ts', 'electron/**/*.test.ts', 'browser-shell/**/*.test.ts', 'renderer/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/*.crash.test.ts', 'node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // 2 cores: two workers keep the machine responsive for SQLite fsyncs.
    maxWorkers: 2,
  },
});
