// Request counting and timing for every answer (ours and the provider's), and /metrics itself:
// only with METRICS_TOKEN set, and only for a caller presenting it as a bearer token.
import type { Context, Next } from 'koa';
import { areaOf, httpDuration, httpRequests, registry } from '../shared/metrics.ts';
import { safeEqual } from '../shared/digest.ts';
import { failureOf } from './error-boundary.ts';

// Labelled children looked up once: this runs on every token request.
const counters = new Map<string, ReturnType<typeof httpRequests.labels>>();
const timers = new Map<string, ReturnType<typeof httpDuration.labels>>();
const counterFor = (area: string, method: string, status: string) => {
  const key = `${area} ${method} ${status}`;
  let c = counters.get(key);
  if (!c) counters.set(key, (c = httpRequests.labels(area, method, status)));
  return c;
};
const timerFor = (area: string) => {
  let t = timers.get(area);
  if (!t) timers.set(area, (t = httpDuration.labels(area)));
  return t;
};

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
    const start = performance.now();
    // Just inside the error boundary: an escaped error is counted with the status the boundary gives
    // it; the provider (which answers on the raw response) has finished its answer by then too.
    const count = (status: number) => {
      timerFor(area).observe((performance.now() - start) / 1000);
      const method = ctx.method === 'GET' || ctx.method === 'POST' ? ctx.method : 'other';
      counterFor(area, method, `${Math.floor(status / 100)}xx`).inc();
    };
    try {
      await next();
    } catch (e) {
      count(failureOf(e).status);
      throw e;
    }
    count(ctx.respond === false ? ctx.res.statusCode : ctx.status);
  };
}
