// What every request body must be before anyone reads it, and how our pages read theirs.
// Checked from the headers first (nothing read yet): a coded body (we never ask for one), a type the
// route does not take, a declared length over the limit. Pages then get a flat object of scalars
// (never an array or an object a view could recurse into).
import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { AppError } from '../shared/errors.ts';

// The same as oidc-provider's own: our largest form (a USB certificate chain) is a few kilobytes.
export const PAGE_BODY_LIMIT = 56 * 1024;
export const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const TooLarge = () => new AppError(413, 'error.too_large');
export const UnsupportedBody = () => new AppError(415, 'error.unsupported_body');
export const BadBody = () => new AppError(400, 'error.bad_body');

export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Refuses, from the headers alone, a body that could only fail later. `types` as for ctx.is(). */
export function checkBodyHeaders(ctx: Context, limit: number, types?: string[]): void {
  if (!BODY_METHODS.has(ctx.method) || !hasBody(ctx.req)) return;
  const coding = (ctx.get('content-encoding') || 'identity').trim().toLowerCase();
  if (coding !== 'identity') throw UnsupportedBody();
  if (types && !ctx.is(types)) throw UnsupportedBody();
  if (Number(ctx.get('content-length') || 0) > limit) throw TooLarge();
}

const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
// A field is a scalar or a short list of scalars (the USB page sends its certificates as one).
const MAX_LIST = 50;
const isField = (v: unknown) => isScalar(v) || (Array.isArray(v) && v.length <= MAX_LIST && v.every(isScalar));
// PostgreSQL cannot store a NUL byte, and no person types one: refused wherever it comes from.
const NUL_IN_URL = /%00|\u0000/i;
const hasNul = (o: object) => Object.entries(o).some(([k, v]) => k.includes('\u0000') || [v].flat().some((x) => typeof x === 'string' && x.includes('\u0000')));

/** Form or JSON, at most 56 KB, fields that are scalars or lists of scalars (never deeper), no NUL in it or in the URL: anything else is a 4xx before a handler runs. */
export function pageBody() {
  const parse = bodyParser({
    enableTypes: ['form', 'json'], formLimit: PAGE_BODY_LIMIT, jsonLimit: PAGE_BODY_LIMIT,
  });
  return async (ctx: Context, next: Next): Promise<void> => {
    if (NUL_IN_URL.test(ctx.url)) throw BadBody();
    checkBodyHeaders(ctx, PAGE_BODY_LIMIT, ['application/x-www-form-urlencoded', 'application/json']);
    await parse(ctx, async () => {
      const body: unknown = ctx.request.body;
      if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body) || !Object.values(body).every(isField) || hasNul(body))) throw BadBody();
      await next();
    });
  };
}
