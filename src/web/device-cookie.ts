// OWASP "Slow down online guessing attacks with device cookies": a browser that completed a sign-in
// to an account keeps a signed cookie naming that account (by pseudonym) and a random nonce. Password
// attempts that carry it have their own failure budget (per nonce), so guesses from elsewhere cannot
// lock the owner's own device out. One cookie per account, so a shared computer can hold several.
import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { hmac, pseudonym, safeEqual } from '../shared/digest.ts';

export interface DeviceCookieOptions {
  /** Signing keys: the first signs, all verify (COOKIE_KEYS, rotated by prepending). */
  keys: string[];
  /** Secret for the account pseudonym in the cookie's name (never the account id in clear). */
  pseudonymSecret: string;
  maxAgeDays: number;
}

/** A valid device cookie for one account: the nonce keys its own failure budget. */
export interface Device { nonce: string }

const VALUE = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export function deviceCookies(opts: DeviceCookieOptions) {
  const maxAgeSeconds = opts.maxAgeDays * 86_400;
  const who = (accountId: string) => pseudonym(opts.pseudonymSecret, `device:${accountId}`);
  const mac = (key: string, accountId: string, nonce: string, issued: string) => hmac(key, 'device-cookie', who(accountId), nonce, issued);

  const name = (accountId: string) => `dvc.dev.${who(accountId)}`;

  /** A fresh cookie value for the account. */
  const mint = (accountId: string, now = Date.now()): string => {
    const nonce = randomBytes(16).toString('base64url');
    const issued = String(Math.floor(now / 1000));
    return `${nonce}.${issued}.${mac(opts.keys[0]!, accountId, nonce, issued)}`;
  };

  /** The device, when `value` is a cookie we issued for this account and it has not expired. */
  const check = (accountId: string, value: string | undefined, now = Date.now()): Device | undefined => {
    const m = value ? VALUE.exec(value) : null;
    if (!m) return undefined;
    const [, nonce, issued, sig] = m as unknown as [string, string, string, string];
    const age = now / 1000 - Number(issued);
    if (age < -300 || age > maxAgeSeconds) return undefined;
    return opts.keys.some((k) => safeEqual(mac(k, accountId, nonce, issued), sig)) ? { nonce } : undefined;
  };

  return {
    name, mint, check,
    /** Sets (or renews, with a new nonce) the device cookie after a completed sign-in. */
    issue(ctx: Context, accountId: string): void {
      ctx.cookies.set(name(accountId), mint(accountId), {
        httpOnly: true, sameSite: 'lax', secure: ctx.secure, signed: false, path: '/', maxAge: maxAgeSeconds * 1000, overwrite: true,
      });
    },
    read(ctx: Context, accountId: string): Device | undefined {
      return check(accountId, ctx.cookies.get(name(accountId), { signed: false }));
    },
  };
}

export type DeviceCookies = ReturnType<typeof deviceCookies>;
