// Strict headers on every response: our pages, oidc-provider's (which answers on the raw response,
// so they are set before anything runs, not after), static files, JSON, errors.
// No inline script anywhere: scripts are static files from 'self'. oidc-provider's own auto-submit
// page (form_post, logout without a session) adds its script's hash to the CSP it finds set.
// form-action is left out on purpose: Chrome applies it to the redirect after a form POST,
// and our forms legitimately end in a redirect to the relying party.
import type { ServerResponse } from 'node:http';
import type { Context, Next } from 'koa';

export const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');

/** The headers themselves; a route may replace the CSP afterwards (the USB page talks to a local agent). */
export function applySecurityHeaders(res: ServerResponse, secure: boolean): void {
  if (res.headersSent) return;
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('permissions-policy', 'camera=(), microphone=(), geolocation=()');
  res.setHeader('content-security-policy', CSP);
  if (secure) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
}

/** ctx.secure without trusting that the socket is still there (it is gone once a client hangs up). */
export function isSecure(ctx: Context): boolean {
  try {
    return ctx.secure;
  } catch {
    return false;
  }
}

export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  applySecurityHeaders(ctx.res, isSecure(ctx));
  await next();
}
