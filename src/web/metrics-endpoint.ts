// Request counting and timing for every answer (ours and the provider's), and /metrics itself:
// only with METRICS_TOKEN set, and only for a caller presenting it as a bearer token.
import type { Context, Next } from 'koa';
import { areaOf, httpDuration, httpRequests, registry } from '../shared/metrics.ts';
import { safeEqual } from '../shared/digest.ts';

export function metrics(token: string | undefined) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.path === '/metrics' && ctx.method === 'GET') {
      const sent = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1];
      if (!token || !sent || !safeEqual(sent, token)) { ctx.status = 404; return; }
      ctx.set('cache-control', 'no-store');
      ctx.type = registry.contentType;
      ctx.body = await registry.metrics();
      return;
    }
    const area = areaOf(ctx.path);
    const end = httpDuration.startTimer({ area });
    // The provider answers on the raw response (ctx.respond = false): count when it is finished.
    ctx.res.once('finish', () => {
      end();
      httpRequests.inc({ area, method: ctx.method === 'GET' || ctx.method === 'POST' ? ctx.method : 'other', status: `${Math.floor(ctx.res.statusCode / 100)}xx` });
    });
    await next();
  };
}
