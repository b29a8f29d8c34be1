// In front of oidc-provider: the body is read here once, within the provider's own limit, and
// handed on. A body the provider could only fail on is refused first: a content coding (415), over
// the limit (413, as an OAuth error via the error boundary, which then drains the rest so the
// connection survives), or a NUL byte anywhere — PostgreSQL cannot store one, so a `state`, `nonce`,
// code or token containing %00 would reach the adapter and become a 500 (DESIGN.md §6).
import type { Context, Next } from 'koa';
import { BODY_METHODS, checkBodyHeaders, hasBody, TooLarge } from './request-body.ts';

export const PROTOCOL_BODY_LIMIT = 56 * 1024; // oidc-provider's own body limit

function hasNul(s: string): boolean {
  return s.includes('\u0000') || /%00/i.test(s);
}

async function readRaw(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  // Not destroyed on the way out: the boundary drains the rest and the connection stays open.
  for await (const c of ctx.req.iterator({ destroyOnReturn: false })) {
    n += (c as Buffer).length;
    if (n > PROTOCOL_BODY_LIMIT) throw TooLarge();
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function refuse(ctx: Context): void {
  ctx.status = 400;
  ctx.set('cache-control', 'no-store');
  ctx.body = { error: 'invalid_request', error_description: 'parameters must not contain NUL characters' };
}

export async function rejectNul(ctx: Context, next: Next): Promise<void> {
  ctx.state.protocol = true;
  if (hasNul(ctx.querystring)) return refuse(ctx);
  checkBodyHeaders(ctx, PROTOCOL_BODY_LIMIT);
  if (BODY_METHODS.has(ctx.method) && hasBody(ctx.req) && ctx.is('application/x-www-form-urlencoded', 'application/json')) {
    const raw = await readRaw(ctx);
    if (hasNul(raw)) return refuse(ctx);
    // Hand the already-read body on; oidc-provider reads req.body when the stream is consumed.
    (ctx.req as unknown as { body: string }).body = raw;
  }
  await next();
}
