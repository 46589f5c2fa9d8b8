/**
 * The renderer's build folder as both shells serve it — the Electron shell over
 * `app://cashier/` (electron/main/app-protocol.ts), the browser shell over http://127.0.0.1
 * (browser-shell/server.ts): one resolver from a URL's path to a file inside the folder, and
 * one table of Content-Types. It lives in core/ because both shells may import core/ and neither
 * may import the other; it needs Node's fs and path only, never Electron, and only the shells'
 * main sides use it (the sandboxed preload imports nothing from here: scripts/check-bundle.mjs).
 *
 * Invariants (hostile input in static-files.test.ts and in both shells' tests):
 * - the path is decoded once; a segment that is empty, `.` or `..`, or holds a backslash, a NUL
 *   or a drive colon after decoding is refused, never normalised, so no spelling reaches outside
 *   the folder; malformed percent-encoding is refused;
 * - the real path is checked too, so a symbolic link cannot lead out of the folder;
 * - only a regular file is answered; a folder, a missing or an unreadable file is null, and a
 *   refusal says nothing about the file system.
 */
import fs from 'node:fs';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  // WebAssembly's streaming compile (the face models' kernels) requires exactly this type.
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

/** The Content-Type of a served file, by its extension; unknown ones are plain bytes (with nosniff). */
export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The folder-relative segments a URL path names (as it appears in the URL, still encoded), or
 * null when it is refused. The bare folder (`''` or `/`) is the page, `index.html`. Pure.
 */
export function staticSegments(urlPath: string): string[] | null {
  let pathname: string;
  try {
    pathname = decodeURIComponent(urlPath);
  } catch {
    return null; // malformed percent-encoding
  }
  if (pathname === '' || pathname === '/') pathname = '/index.html';
  if (!pathname.startsWith('/')) return null;
  const segments = pathname.slice(1).split('/');
  return segments.some((s) => s === '' || s === '.' || s === '..' || /[\\\0:]/.test(s)) ? null : segments;
}

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * The file under `root` that the URL path `urlPath` names, by its real path, or null: refused
 * (staticSegments), outside the folder (a symbolic link leading out included), not a regular
 * file, missing or unreadable.
 */
export async function resolveStaticFile(root: string, urlPath: string): Promise<string | null> {
  const segments = staticSegments(urlPath);
  if (!segments) return null;
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
