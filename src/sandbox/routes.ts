// Sandbox helpers: mounted only when sandbox mode is on (never in production mode).
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Db } from '../db/knex.ts';
import type { Connectors } from '../connectors/index.ts';
import { readOutbox } from '../connectors/sms/sandbox.ts';
import { readEmailOutbox } from '../connectors/email/sandbox.ts';
import { waitForOutbox } from '../identity/outbox.ts';
import { SandboxMobileSignature } from '../connectors/mobile_signature/sandbox.ts';
import { parseEmail, parsePhone } from '../identity/identifiers/index.ts';
import { render } from '../web/render.ts';
import { sandboxCrl, sandboxOcsp, sandboxUsbTokens } from './pki.ts';
import './messages.ts';
import type { Config } from '../config/index.ts';

const PHONE_RESULTS = ['signed', 'wrong_pin', 'pin_blocked', 'refused', 'not_pending'] as const;
const wantsJson = (ctx: Context) => ctx.query.format === 'json' || ctx.accepts('html', 'json') === 'json';

export function sandboxRouter(cfg: Config, db: Db, connectors: Connectors): Router {
  const r = new Router();
  const phoneOf = (ctx: Context) => {
    const raw = typeof ctx.query.to === 'string' ? ctx.query.to : typeof ctx.query.phone === 'string' ? ctx.query.phone : '';
    return { raw, parsed: raw ? parsePhone(raw) : undefined };
  };

  // The SMS outbox, newest first: a page for people, JSON for tests (`Accept: application/json` or ?format=json).
  r.get('/sandbox/sms', async (ctx) => {
    const { raw, parsed } = phoneOf(ctx);
    if (parsed && !parsed.ok) { ctx.status = 400; ctx.body = { error: 'invalid_phone' }; return; }
    // Messages still in the outbox are on their way: wait for them (briefly) so the phone shows them.
    await waitForOutbox(db, 'sms', parsed?.value);
    const messages = await readOutbox(db, parsed?.value);
    if (wantsJson(ctx)) { ctx.set('cache-control', 'no-store'); ctx.body = messages; return; }
    render(ctx, 'sandbox/sms', { messages, to: raw });
  });

  // The email outbox, the same way (newest first; ?to= an address).
  r.get('/sandbox/email', async (ctx) => {
    const raw = typeof ctx.query.to === 'string' ? ctx.query.to : '';
    const parsed = raw ? parseEmail(raw) : undefined;
    if (parsed && !parsed.ok) { ctx.status = 400; ctx.body = { error: 'invalid_email' }; return; }
    await waitForOutbox(db, 'email');
    const messages = await readEmailOutbox(db, parsed?.value);
    if (wantsJson(ctx)) { ctx.set('cache-control', 'no-store'); ctx.body = messages; return; }
    render(ctx, 'sandbox/email', { messages, to: raw });
  });

  r.get('/sandbox/pki/ca.crl', async (ctx) => {
    ctx.type = 'application/pkix-crl';
    ctx.body = Buffer.from(await sandboxCrl(db));
  });

  // What the sandbox USB tokens hold, for the software agent (npm run usb-agent).
  r.get('/sandbox/usb/tokens', async (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = await sandboxUsbTokens(cfg, db);
  });

  // The simulated phone of the sandbox SIM-signing service.
  const mss = connectors.mss instanceof SandboxMobileSignature ? connectors.mss : undefined;
  if (mss) {
    r.get('/sandbox/phone', async (ctx) => {
      const { raw, parsed } = phoneOf(ctx);
      const requests = parsed?.ok ? await mss.pending(parsed.value) : [];
      if (wantsJson(ctx)) { ctx.set('cache-control', 'no-store'); ctx.body = requests; return; }
      const result = PHONE_RESULTS.find((x) => x === ctx.query.result);
      render(ctx, 'sandbox/phone', { phone: raw, requests, result });
    });
    const back = (ctx: Context, result: string) => {
      if (wantsJson(ctx) || ctx.is('json')) { ctx.body = { result }; return; }
      const phone = (ctx.request.body as Record<string, unknown>).phone;
      ctx.status = 303;
      ctx.redirect(`/sandbox/phone?phone=${encodeURIComponent(String(phone ?? ''))}&result=${result}`);
    };
    r.post('/sandbox/phone/:id/approve', async (ctx) => {
      const pin = (ctx.request.body as Record<string, unknown>).pin;
      back(ctx, await mss.approve(String(ctx.params.id), typeof pin === 'string' ? pin : ''));
    });
    r.post('/sandbox/phone/:id/refuse', async (ctx) => {
      back(ctx, (await mss.refuse(String(ctx.params.id))) ? 'refused' : 'not_pending');
    });
  }
  return r;
}

/** The sandbox CA's OCSP responder: a binary POST, so it sits outside the form router (and its CSRF). */
export function sandboxOcspResponder(db: Db) {
  return async (ctx: Context, next: () => Promise<void>) => {
    if (ctx.path !== '/sandbox/pki/ocsp' || ctx.method !== 'POST') return next();
    const chunks: Buffer[] = [];
    for await (const c of ctx.req) {
      chunks.push(c as Buffer);
      if (chunks.reduce((n, b) => n + b.length, 0) > 16384) ctx.throw(413);
    }
    try {
      ctx.body = Buffer.from(await sandboxOcsp(db, new Uint8Array(Buffer.concat(chunks))));
      ctx.type = 'application/ocsp-response';
    } catch {
      ctx.status = 400;
      ctx.body = '';
    }
  };
}
