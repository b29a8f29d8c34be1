// The one error boundary, in front of everything. Whatever escapes a handler (ours, a body parser,
// the guard in front of oidc-provider) becomes a 4xx it deserves or a logged 500, with our headers
// and in our look (or as an OAuth error, RFC 6749 §5.2, for the protocol and the partner API).
// It needs no cookies, no session and no database, and it reads what is left of the request body
// first (within a bound), so that the keep-alive connection stays usable for the next request.
import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'koa';
import type { Logger } from '../shared/logger.ts';
import { AppError } from '../shared/errors.ts';
import { applySecurityHeaders, isSecure } from './security-headers.ts';
import { errorPageHtml } from './error-page.ts';
import { isStoreUnavailable } from '../db/store-unavailable.ts';

// Read and throw away at most this much of a refused body; past it the connection is closed instead.
export const DRAIN_LIMIT = 16 * 1024 * 1024;
const DRAIN_MS = 10_000;

interface Failure { status: number; messageKey: string; oauth: string; description: string }

const KEYS: Record<number, string> = { 404: 'error.not_found', 413: 'error.too_large', 415: 'error.unsupported_body' };
const DESCRIPTIONS: Record<number, string> = {
  404: 'not found', 413: 'request body too large', 415: 'unsupported request body (content type or content coding)',
};

// SQLSTATE class 22 (data exception: not a uuid, not valid UTF-8, too long for its column) is a value
// the client sent that no check stopped: still the client's 400, and logged so the check gets written.
export const isDataException = (e: unknown) => /^22[0-9A-Z]{3}$/.test(String((e as { code?: unknown } | null)?.code ?? ''));

/** The status an escaped error deserves: its own when it is a client error, else 500. */
export function failureOf(e: unknown): Failure {
  // Redis (REDIS_URL) did not answer: the request failed closed, nothing was let through; try again.
  if (isStoreUnavailable(e)) return { status: 503, messageKey: 'error.unavailable', oauth: 'temporarily_unavailable', description: 'temporarily unavailable' };
  const err = (e ?? {}) as { status?: unknown; statusCode?: unknown; expose?: boolean };
  const own = Number(err.status ?? err.statusCode);
  const status = e instanceof AppError ? e.status
    : isDataException(e) ? 400
    : Number.isInteger(own) && own >= 400 && own < 500 && err.expose !== false ? own : 500;
  if (status >= 500) return { status, messageKey: e instanceof AppError ? e.messageKey : 'error.generic', oauth: 'server_error', description: 'internal server error' };
  return {
    status,
    messageKey: e instanceof AppError ? e.messageKey : KEYS[status] ?? 'error.bad_body',
    oauth: 'invalid_request',
    description: DESCRIPTIONS[status] ?? 'malformed request',
  };
}

/** Reads what the client is still sending; true once the body is complete, false past the bound. */
export function drain(req: IncomingMessage, limit = DRAIN_LIMIT): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  if (req.destroyed || Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onFail).off('close', onFail);
      if (!ok) req.pause();
      resolve(ok);
    };
    const onData = (c: Buffer) => { seen += c.length; if (seen > limit) finish(false); };
    const onEnd = () => finish(true);
    const onFail = () => finish(req.complete);
    const timer = setTimeout(() => finish(false), DRAIN_MS);
    req.on('data', onData).once('end', onEnd).once('error', onFail).once('close', onFail);
    req.resume();
  });
}

/** JSON for the partner API and for protocol calls that do not ask for a page (as oidc-provider decides). */
function wantsJson(ctx: Context): boolean {
  if (ctx.path.startsWith('/api/')) return true;
  if (!ctx.state.protocol) return false;
  try {
    return ctx.accepts('json', 'html') !== 'html';
  } catch {
    return true;
  }
}

export function errorBoundary(logger: Logger, sandbox: boolean) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (e) {
      const f = failureOf(e);
      // A 503 is an outage of Redis, logged once by src/db/redis.ts rather than once per request.
      if (f.status >= 500 && f.status !== 503) logger.error('request failed', { path: ctx.path, error: e instanceof Error ? e.message : String(e) });
      else if (isDataException(e)) logger.warn('input reached the database unchecked', { path: ctx.path, code: (e as { code: string }).code });
      const res = ctx.res;
      const complete = await drain(ctx.req);
      if (res.headersSent || res.writableEnded) {
        if (!res.writableEnded) res.destroy();
        return;
      }
      ctx.respond = true;
      // An AppError is a deliberate answer (its cookies stand); anything else leaves nothing behind.
      if (!(e instanceof AppError)) for (const name of res.getHeaderNames()) res.removeHeader(name);
      applySecurityHeaders(res, isSecure(ctx));
      res.setHeader('cache-control', 'no-store');
      if (!complete) res.setHeader('connection', 'close');
      if (f.status === 503) res.setHeader('retry-after', '5');
      ctx.status = f.status;
      if (wantsJson(ctx)) {
        ctx.body = { error: f.oauth, error_description: f.description };
      } else {
        ctx.type = 'html';
        ctx.body = errorPageHtml(ctx, f.messageKey, sandbox);
      }
    }
  };
}
