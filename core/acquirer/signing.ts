/**
 * Request signing of the sandbox protocol (see simulator/PROTOCOL.md): HMAC-SHA256 with the
 * terminal's own key over method, path, timestamp, nonce and body, joined by newlines. Shared
 * by the adapter (signs) and the simulator (verifies), so the two can never drift apart.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADERS = {
  terminal: 'x-terminal',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  signature: 'x-signature',
} as const;

/** A request older or newer than this (ms) is refused as stale: bounds the replay window. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export function signingString(method: string, path: string, timestamp: string, nonce: string, body: string): string {
  return [method.toUpperCase(), path, timestamp, nonce, body].join('\n');
}

export function sign(keyHex: string, method: string, path: string, timestamp: string, nonce: string, body: string): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update(signingString(method, path, timestamp, nonce, body)).digest('hex');
}

export function signatureMatches(keyHex: string, expectedHex: string, given: string): boolean {
  const a = Buffer.from(expectedHex, 'hex');
  const b = /^[0-9a-f]{64}$/.test(given) ? Buffer.from(given, 'hex') : Buffer.alloc(0);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The headers of one signed request. A fresh nonce every time, even for a retry. */
export function signedHeaders(terminalId: string, keyHex: string, method: string, path: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  const nonce = randomBytes(12).toString('hex');
  return {
    [SIGNATURE_HEADERS.terminal]: terminalId,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: sign(keyHex, method, path, timestamp, nonce, body),
  };
}

/**
 * What the request signature covers in place of the body on /offline/v1/ (PROTOCOL.md): the
 * hex SHA-256 of the raw bytes sent (of nothing for a GET). Batches are binary; a digest keeps
 * the signing string text and short, and changes with any byte of the body.
 */
export function bodyDigest(body: Uint8Array | string | null): string {
  return createHash('sha256').update(body ?? new Uint8Array(0)).digest('hex');
}

export function newTerminalKey(): string {
  return randomBytes(32).toString('hex');
}
