/**
 * Payment codes as the simulator issues them: numeric, in the real formats of each scheme
 * (DOMAIN.md), one-time, with a short life. A fresh random code each time, so a photo of an
 * old code is worthless.
 */
import { randomInt } from 'node:crypto';
import type { Scheme } from '../types';

/** A code lives about a minute, like a wallet app's refreshing code. */
export const CODE_LIFE_MS = 60_000;

function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 1) s += String(randomInt(10));
  return s;
}

export function issueCode(scheme: Scheme): string {
  switch (scheme) {
    case 'wechat':
      return `1${randomInt(0, 6)}${digits(16)}`; // 18 digits, 10–15
    case 'alipay':
      return `2${randomInt(5, 10)}${digits(16)}`; // 18 digits, 25–29 (within 25–30)
    case 'unionpay':
      return `62${digits(17)}`; // 19 digits
    case 'face':
      return `fp${digits(18)}`;
  }
}
