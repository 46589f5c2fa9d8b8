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

/** The protocols the page offers: the token's own entry only for a well-formed token. */
export function offeredProtocols(token: string | null): string[] {
  return token !== null && TOKEN_PATTERN.test(token) ? [RPC_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token] : [RPC_PROTOCOL];
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
