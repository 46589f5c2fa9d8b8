/**
 * The renderer's Vite config, shared by electron-vite (Electron build) and `npm run
 * build:renderer` (the browser shell serves the same output from out/renderer).
 */
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type UserConfig } from 'vite';
import { faceModelAssets } from '../drivers/camera/model-assets';

// Paths from the project root (npm scripts run there), not from import.meta: electron-vite
// bundles this file into its own config, where import.meta points elsewhere and the renderer
// would be built outside out/.
export const rendererConfig: UserConfig = {
  root: resolve('renderer'),
  base: './',
  // faceModelAssets: the face models and TF.js wasm kernels, shipped with the app (drivers/camera/model-assets.ts).
  plugins: [vue(), faceModelAssets()],
  build: {
    outDir: resolve('out/renderer'),
    emptyOutDir: true,
    // The CSP forbids inline data: fonts and scripts; keep every asset a file.
    assetsInlineLimit: 0,
  },
  // Pages load from app://cashier/ in Electron and over 127.0.0.1 in the browser shell; nothing remote.
  server: { host: '127.0.0.1' },
};

export default defineConfig(rendererConfig);
