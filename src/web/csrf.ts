// CSRF: a random secret in an HttpOnly cookie; forms carry HMAC(secret). A cross-site form cannot
// read the cookie and so cannot produce the token. Mounted on our own routes only.
import { randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';
import { hmac, safeEqual } from '../shared/digest.ts';
import { CsrfFailed } from '../shared/errors.ts';

const COOKIE = 'dvc.csrf';

export function csrf(secret: string) {
  return async (ctx: Context, next: Next) => {
    let seed = ctx.cookies.get(COOKIE, { signed: true });
    if (!seed) {
      seed = randomBytes(16).toString('base64url');
      ctx.cookies.set(COOKIE, seed, { httpOnly: true, sameSite: 'lax', signed: true, secure: ctx.secure });
    }
    const token = hmac(secret, 'csrf', seed);
    ctx.state.csrf = token;
    if (!['GET', 'HEAD', 'OPTIONS'].includes(ctx.method)) {
      const sent = (ctx.request.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof sent !== 'string' || !safeEqual(sent, token)) throw CsrfFailed();
    }
    await next();
  };
}
