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
 * Node without Electron.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CustomScheme } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../core/api/csp';

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

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  // Model weight shards: raw bytes, read with fetch().arrayBuffer().
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.webm': 'video/webm',
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

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

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * The file under `root` that `url` names, or null. The URL's path is decoded once; any segment
 * that is empty, `.` or `..`, or holds a backslash, a NUL or a drive colon after decoding, is
 * refused rather than normalised, so no spelling reaches outside the folder. The real path is
 * checked too, so a symbolic link cannot lead out.
 */
export async function resolveAppFile(root: string, url: string): Promise<string | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST || u.username || u.password || u.port) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (pathname === '' || pathname === '/') pathname = '/index.html';
  const segments = pathname.slice(1).split('/');
  if (!pathname.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..' || /[\\\0:]/.test(s))) return null;
  const file = path.join(root, ...segments);
  if (!inside(root, file)) return null;
  try {
    const [realRoot, realFile] = await Promise.all([fs.promises.realpath(root), fs.promises.realpath(file)]);
    if (!inside(realRoot, realFile)) return null;
    if (!(await fs.promises.stat(realFile)).isFile()) return null;
    return realFile;
  } catch {
    return null; // missing, unreadable
  }
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
