/**
 * How the browser shell's page proves it is the page the shell printed the address of: the
 * per-launch token travels in the address once (`/?token=…`), the page keeps it for its tab
 * (sessionStorage) and presents it on the WebSocket handshake as a subprotocol,
 * `vc-token.<token>`, beside the protocol the server answers with, `vc-rpc`. Never a cookie:
 * cookies are not bound to a port, so every other server on 127.0.0.1 the browser talks to
 * would receive it. Shared by browser-shell/server.ts and renderer/src/api/transport.ts.
 */

/** The subprotocol the server selects; the token's own entry is never echoed back. */
export const RPC_PROTOCOL = 'vc-rpc';
export const TOKEN_PROTOCOL_PREFIX = 'vc-token.';

/** A token as the shell makes them (base64url) or a test fixes them: safe inside a subprotocol name. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The page's own key, `vc-page.<key>`: random, made by the page once per tab and kept in its
 * sessionStorage, so a reload of the same tab presents it again and a new tab or window does
 * not. The back end unlocks a session for the page that entered the PIN only
 * (core/auth/page-gate.ts): a new page load starts locked.
 */
export const PAGE_PROTOCOL_PREFIX = 'vc-page.';
export const PAGE_KEY_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;

/** The protocols the page offers: the token's and the page key's entries only when well formed. */
export function offeredProtocols(token: string | null, pageKey: string | null = null): string[] {
  const out = [RPC_PROTOCOL];
  if (token !== null && TOKEN_PATTERN.test(token)) out.push(TOKEN_PROTOCOL_PREFIX + token);
  if (pageKey !== null && PAGE_KEY_PATTERN.test(pageKey)) out.push(PAGE_PROTOCOL_PREFIX + pageKey);
  return out;
}

/** The page key in a `Sec-WebSocket-Protocol` header, or null when absent or malformed. */
export function pageKeyFromProtocols(header: string | undefined): string | null {
  if (typeof header !== 'string') return null;
  for (const p of header.split(',')) {
    const v = p.trim();
    if (v.startsWith(PAGE_PROTOCOL_PREFIX)) {
      const key = v.slice(PAGE_PROTOCOL_PREFIX.length);
      return PAGE_KEY_PATTERN.test(key) ? key : null;
    }
  }
  return null;
}

/** The token in a `Sec-WebSocket-Protocol` header, or null. */
export function tokenFromProtocols(header: string | undefined): string | null {
  if (typeof header !== 'string') return null;
  for (const p of header.split(',')) {
    const v = p.trim();
    if (v.startsWith(TOKEN_PROTOCOL_PREFIX)) return v.slice(TOKEN_PROTOCOL_PREFIX.length);
  }
  return null;
}
