// R5: the counter API for Vietnam Post's counter system. A partner authenticates with OAuth 2
// client credentials (private_key_jwt at our token endpoint) and the scope counter:register; every
// call names the officer and the post office, and is audited. The person then activates by SMS.
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import type { SmsGateway } from '../connectors/sms/index.ts';
import { createAtCounter, isDocument, upgradeAtCounter, type CounterActor } from './register.ts';
import { OFFICER_ID, POST_OFFICE } from './officers.ts';

export const COUNTER_SCOPE = 'counter:register';

interface Caller { clientId: string; officerId: string; postOffice: string }

function problem(ctx: Context, status: number, error: string, detail?: string, extra: Record<string, unknown> = {}) {
  ctx.status = status;
  ctx.set('cache-control', 'no-store');
  ctx.body = { error, ...(detail ? { error_description: detail } : {}), ...extra };
}


export function counterApi(cfg: Config, db: Db, provider: Provider, sms: SmsGateway): Router {
  const r = new Router({ prefix: '/api/counter/v1' });
  r.use(bodyParser({ enableTypes: ['json'], jsonLimit: '16kb' }));

  // Bearer token from client credentials with our scope, plus the officer and the post office.
  r.use(async (ctx: Context, next: Next) => {
    const m = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(ctx.get('authorization'));
    if (!m) { ctx.set('www-authenticate', 'Bearer'); return problem(ctx, 401, 'invalid_token', 'a bearer access token is required'); }
    const token = await provider.ClientCredentials.find(m[1]!);
    if (!token || token.isExpired) { ctx.set('www-authenticate', 'Bearer error="invalid_token"'); return problem(ctx, 401, 'invalid_token'); }
    if (!String(token.scope ?? '').split(' ').includes(COUNTER_SCOPE)) return problem(ctx, 403, 'insufficient_scope', `scope ${COUNTER_SCOPE} is required`);
    const officerId = ctx.get('x-officer-id');
    const postOffice = ctx.get('x-post-office-code');
    if (!OFFICER_ID.test(officerId) || !POST_OFFICE.test(postOffice)) return problem(ctx, 400, 'invalid_request', 'X-Officer-Id and X-Post-Office-Code headers are required');
    ctx.state.caller = { clientId: String(token.clientId), officerId, postOffice } satisfies Caller;
    await next();
  });

  const who = (ctx: Context, c: Caller): CounterActor => ({ actor: `partner:${c.clientId}/officer:${c.officerId}@${c.postOffice}`, officerId: c.officerId, postOffice: c.postOffice, clientId: c.clientId, ip: ctx.ip });

  // Create an account after the in-person check. Idempotent per (partner, Idempotency-Key).
  r.post('/accounts', async (ctx) => {
    const caller = ctx.state.caller as Caller;
    const key = ctx.get('idempotency-key');
    if (!/^[A-Za-z0-9._:-]{8,128}$/.test(key)) return problem(ctx, 400, 'invalid_request', 'an Idempotency-Key header (8–128 characters) is required');
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const inserted = await db('counter_requests').insert({ client_id: caller.clientId, idempotency_key: key, request_hash: hash }).onConflict(['client_id', 'idempotency_key']).ignore().returning(['idempotency_key']);
    if (!inserted.length) {
      const prev = await db('counter_requests').where({ client_id: caller.clientId, idempotency_key: key }).first();
      if (prev.request_hash !== hash) return problem(ctx, 422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request');
      if (prev.status === null) return problem(ctx, 409, 'request_in_progress', 'the first request with this key is still being processed');
      ctx.status = prev.status as number;
      ctx.body = prev.response;
      ctx.set('idempotent-replayed', 'true');
      return;
    }
    await handleCreate(ctx, caller, body);
    await db('counter_requests').where({ client_id: caller.clientId, idempotency_key: key }).update({ status: ctx.status, response: JSON.stringify(ctx.body) });
  });

  async function handleCreate(ctx: Context, caller: Caller, body: Record<string, unknown>) {
    const s = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
    const doc = body.document as { type?: unknown; number?: unknown } | undefined;
    if (!doc || !isDocument(doc.type) || typeof doc.number !== 'string' || !doc.number.trim()) {
      return problem(ctx, 400, 'invalid_request', 'document {type: cccd|cmnd|passport, number} is required');
    }
    const out = await createAtCounter(cfg, db, sms, who(ctx, caller), { idNumber: s('idNumber'), fullName: s('fullName'), birthdate: s('birthdate'), phone: s('phone'), email: s('email'), documentType: doc.type });
    if (out.ok) {
      ctx.status = out.reissued ? 200 : 201;
      ctx.body = { accountId: out.accountId, level: 3, status: 'pending_activation', activationExpiresAt: out.activationExpiresAt.toISOString(), ...(out.reissued ? { activationReissued: true } : {}) };
      return;
    }
    if (out.error === 'account_exists') return problem(ctx, 409, 'account_exists', 'an account with this ID number exists', { level: out.level, upgradable: out.upgradable });
    if (out.error === 'invalid') return problem(ctx, 400, 'invalid_request', 'some fields are not valid', { fields: out.fields });
    return problem(ctx, 400, 'invalid_request', 'document {type: cccd|cmnd|passport, number} is required');
  }

  // Raise an existing level-2 account to 3 after the in-person check.
  r.post('/accounts/upgrade', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const doc = body.document as { type?: unknown } | undefined;
    const out = await upgradeAtCounter(db, who(ctx, ctx.state.caller as Caller), typeof body.idNumber === 'string' ? body.idNumber : '', doc?.type);
    if (!out.ok) return out.error === 'not_found' ? problem(ctx, 404, 'account_not_found') : problem(ctx, 400, 'invalid_request', 'idNumber and document are required');
    ctx.body = { accountId: out.accountId, level: 3, changed: out.changed };
  });
  return r;
}
