/**
 * The app's pages are served over a privileged custom scheme, `app://cashier/…`, not file://.
 * Chromium refuses `fetch()` of file:// URLs, so under file:// the face payment could not load
 * its models and WebAssembly kernels (renderer/src/features/face/detector.ts); a file:// page is
 * also an opaque origin that may read any other file:// URL it can name.
 *
 * Invariants of the handler (tested with hostile input in app-protocol.test.ts):
 * - only files under the renderer build folder are served: `..`, encoded `%2e%2e`, encoded or
 *   literal backslashes, NUL, absolute paths and symbolic links leading out are refused;
 * - only the host `cashier`, only GET and HEAD; anything refused is a plain 404 (405 for other
 *   methods) that says nothing about the file system;
 * - every response, refusals included, carries the app's strict CSP (core/api/csp.ts) and
 *   `nosniff`, with a Content-Type from the file's extension (`application/wasm` for the
 *   kernels, which WebAssembly's streaming compile requires).
 *
 * Files are read with Node's fs, which Electron's main process extends to read inside the
 * (integrity-checked) app.asar. Plain functions of a folder and a Request, so the tests run in
 * Node without Electron. Which file a path names, and its type, are decided by
 * core/static-files.ts, shared with the browser shell so the two shells cannot drift apart.
 */
import fs from 'node:fs';
import type { CustomScheme } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../core/api/csp';
import { contentType, resolveStaticFile } from '../../core/static-files';

export const APP_SCHEME = 'app';
export const APP_HOST = 'cashier';
/** The page every window of the app loads (plus a hash route). */
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Registered before the app is ready (Electron allows it only then, and only once).
 * - standard: parsed like http (host, relative URLs, `'self'` in the CSP, web storage);
 * - secure: a secure context, which `getUserMedia` (the face camera) and WebAssembly need;
 * - supportFetchAPI: the face models and wasm kernels are fetched.
 * Not bypassCSP (the CSP must hold), not corsEnabled (nothing else may read the app's files
 * cross-origin; same-origin module scripts need no CORS), no service workers, no `stream`
 * (voice clips are a few kB, served whole).
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

// The types served are the table both shells share (core/static-files.ts).
export { contentType };

const BASE_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // A new version of the app replaces these files in place: never serve a stale copy.
  'Cache-Control': 'no-cache',
} as const;

function refuse(status: 404 | 405): Response {
  return new Response(null, { status, headers: { ...BASE_HEADERS } });
}

/**
 * The file under `root` that `url` names, or null: only the app's own origin (`app://cashier`,
 * no credentials or port), then the shared resolver, which refuses every spelling of a way out
 * of the folder, symbolic links leading out included (core/static-files.ts).
 */
export async function resolveAppFile(root: string, url: string): Promise<string | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST || u.username || u.password || u.port) return null;
  return resolveStaticFile(root, u.pathname);
}

/** A single `bytes=a-b` range of a `size`-byte file; null when absent or not understood (serve it all). */
function byteRange(header: string | null, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2])); // the last N bytes
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return 'unsatisfiable';
  return { start, end };
}

/** Answers one request for the app's scheme from the renderer build folder `root`. */
export async function serveAppRequest(root: string, request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405);
  const file = await resolveAppFile(root, request.url);
  if (!file) return refuse(404);
  let body: Buffer;
  try {
    body = await fs.promises.readFile(file);
  } catch {
    return refuse(404);
  }
  const headers: Record<string, string> = { ...BASE_HEADERS, 'Content-Type': contentType(file), 'Accept-Ranges': 'bytes' };
  // Media elements may ask for ranges of a voice clip; answer them exactly as a web server would.
  const range = byteRange(request.headers.get('range'), body.length);
  if (range === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${body.length}` } });
  }
  const part = range ? body.subarray(range.start, range.end + 1) : body;
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${body.length}`;
  headers['Content-Length'] = String(part.length);
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(part), { status: range ? 206 : 200, headers });
}
