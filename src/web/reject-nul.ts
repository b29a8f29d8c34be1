// PostgreSQL cannot store a NUL byte: a `state`, `nonce`, code or token containing %00 would reach
// the adapter and become a 500. Refuse it up front as invalid_request (DESIGN.md §6).
import type { Context, Next } from 'koa';

const LIMIT = 56 * 1024; // oidc-provider's own body limit

function hasNul(s: string): boolean {
  return s.includes('\u0000') || /%00/i.test(s);
}

async function readRaw(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of ctx.req) {
    n += (c as Buffer).length;
    if (n > LIMIT) ctx.throw(413, 'request entity too large');
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
  if (hasNul(ctx.querystring)) return refuse(ctx);
  if (ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded', 'application/json')) {
    const raw = await readRaw(ctx);
    if (hasNul(raw)) return refuse(ctx);
    // Hand the already-read body on; oidc-provider reads req.body when the stream is consumed.
    (ctx.req as unknown as { body: string }).body = raw;
  }
  await next();
}
