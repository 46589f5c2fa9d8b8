/**
 * The face model's files, shipped with the app — nothing is downloaded at run time. They come
 * from two npm packages: @vladmandic/human (MIT; detector, mesh, anti-spoof, liveness and the
 * `faceres` embedding model, about 14 MB of the 42 MB package are used) and
 * @tensorflow/tfjs-backend-wasm (Apache-2.0; the WebAssembly kernels TF.js runs on when WebGL is
 * missing, as in headless Chromium and on many old cashier PCs).
 *
 * A Vite plugin copies them into the renderer's output under `face-models/` (and serves them
 * from node_modules in dev), so both shells load them from the app's own origin under the
 * strict CSP. Node-side only (used by renderer/vite.config.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

/** The models the face flow loads (renderer/src/features/face/detector.ts lists the same set). */
export const FACE_MODELS = ['blazeface', 'facemesh', 'antispoof', 'liveness', 'faceres'] as const;
export const FACE_ASSET_DIR = 'face-models';

function assets(root: string): Array<{ name: string; file: string }> {
  const human = path.join(root, 'node_modules', '@vladmandic', 'human', 'models');
  const wasm = path.join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  const list: Array<{ name: string; file: string }> = [];
  for (const m of FACE_MODELS) for (const ext of ['json', 'bin']) list.push({ name: `${m}.${ext}`, file: path.join(human, `${m}.${ext}`) });
  for (const w of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) list.push({ name: `wasm/${w}`, file: path.join(wasm, w) });
  return list;
}

/**
 * The folder whose node_modules holds the model package, walking up from `start`. Found by
 * looking rather than from import.meta: electron-vite bundles this file into its config, where
 * import.meta no longer points here.
 */
function findRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'node_modules', '@vladmandic', 'human', 'models'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start);
  }
}

export function faceModelAssets(start = process.cwd()): Plugin {
  const list = assets(findRoot(start));
  return {
    name: 'village-cashier:face-models',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0] ?? '';
        const hit = list.find((a) => url.endsWith(`/${FACE_ASSET_DIR}/${a.name}`));
        if (!hit) return next();
        res.setHeader('content-type', hit.name.endsWith('.wasm') ? 'application/wasm' : hit.name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        fs.createReadStream(hit.file).pipe(res);
      });
    },
    generateBundle() {
      for (const a of list) {
        if (!fs.existsSync(a.file)) this.error(`face model file missing: ${a.file} (npm install)`);
        this.emitFile({ type: 'asset', fileName: `${FACE_ASSET_DIR}/${a.name}`, source: fs.readFileSync(a.file) });
      }
    },
  };
}
