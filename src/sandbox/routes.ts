// Sandbox helpers: mounted only when sandbox mode is on (never in production mode).
import Router from '@koa/router';
import type { Db } from '../db/knex.ts';
import { readOutbox } from '../connectors/sms/sandbox.ts';
import { parsePhone } from '../identity/identifiers/index.ts';
import { render } from '../web/render.ts';

export function sandboxRouter(db: Db): Router {
  const r = new Router();
  // The SMS outbox, newest first: a page for people, JSON for tests (`Accept: application/json` or ?format=json).
  r.get('/sandbox/sms', async (ctx) => {
    const raw = typeof ctx.query.to === 'string' ? ctx.query.to : '';
    const to = raw ? parsePhone(raw) : undefined;
    if (to && !to.ok) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_phone' };
      return;
    }
    const messages = await readOutbox(db, to?.value);
    if (ctx.query.format === 'json' || ctx.accepts('html', 'json') === 'json') {
      ctx.set('cache-control', 'no-store');
      ctx.body = messages;
      return;
    }
    render(ctx, 'sandbox/sms', { messages, to: raw });
  });
  return r;
}
