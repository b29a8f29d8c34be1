// Keyed digests for short secrets we must compare later (OTP codes, captcha answers, CSRF tokens)
// and for personal numbers we must mention in logs without revealing them.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmac(secret: string, ...parts: string[]): string {
  return createHmac('sha256', secret).update(parts.join('\u0000')).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A stable pseudonym for a personal number in logs and rate-limit keys. */
export function pseudonym(secret: string, value: string): string {
  return hmac(secret, 'pseudonym', value).slice(0, 16);
}
