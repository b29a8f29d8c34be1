// Strict headers for our pages. No inline script anywhere: scripts are static files from 'self'.
// form-action is left out on purpose: Chrome applies it to the redirect after a form POST,
// and our forms legitimately end in a redirect to the relying party.
import type { Context, Next } from 'koa';

const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');

export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  await next();
  ctx.set('x-content-type-options', 'nosniff');
  ctx.set('referrer-policy', 'no-referrer');
  ctx.set('x-frame-options', 'DENY');
  ctx.set('cross-origin-opener-policy', 'same-origin');
  ctx.set('permissions-policy', 'camera=(), microphone=(), geolocation=()');
  if (ctx.secure) ctx.set('strict-transport-security', 'max-age=31536000; includeSubDomains');
  if (ctx.type === 'text/html' && !ctx.response.get('content-security-policy')) ctx.set('content-security-policy', CSP);
}
