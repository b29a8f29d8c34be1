// Back-channel logout (OpenID Connect Back-Channel Logout 1.0): the provider POSTs a signed
// logout_token when the person signs out; we check it against the provider's JWKS and record its
// arrival, so that every node of this site sees the session as ended.
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type * as oidc from 'openid-client';
import type { Db } from '../db/knex.ts';
import { loadFlow, saveFlow } from '../shared/flows.ts';
import { DEMO_CLIENT_ID } from './client.ts';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const KIND = 'demo_logout';

export interface LogoutNotice { at: number; sub: string }

export const logoutNoticeFor = (db: Db, sid: string) => loadFlow<LogoutNotice>(db, `demo-logout:${sid}`, KIND);

export function backchannelRouter(db: Db, rp: () => Promise<oidc.Configuration>): Router {
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  const verify = async (token: string): Promise<JWTPayload & { sid: string; sub: string }> => {
    const as = (await rp()).serverMetadata();
    jwks ??= createRemoteJWKSet(new URL(as.jwks_uri!));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: as.issuer, audience: DEMO_CLIENT_ID, typ: 'logout+jwt', maxTokenAge: '2m', requiredClaims: ['iat', 'jti', 'sid', 'sub'],
    });
    const events = payload.events as Record<string, unknown> | undefined;
    if (typeof events?.[EVENT] !== 'object' || 'nonce' in payload) throw new Error('not a logout token');
    return payload as JWTPayload & { sid: string; sub: string };
  };

  const r = new Router();
  r.post('/demo/backchannel-logout', bodyParser({ enableTypes: ['form'], formLimit: '16kb' }), async (ctx) => {
    ctx.set('cache-control', 'no-store');
    const token = (ctx.request.body as Record<string, unknown> | undefined)?.logout_token;
    const claims = typeof token === 'string' ? await verify(token).catch(() => undefined) : undefined;
    if (!claims) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'logout_token missing or not valid' };
      return;
    }
    await saveFlow<LogoutNotice>(db, { id: `demo-logout:${claims.sid}`, kind: KIND, state: 'received', data: { at: Date.now(), sub: claims.sub }, expiresAt: new Date(Date.now() + 86400_000) });
    ctx.status = 200;
    ctx.body = '';
  });
  return r;
}
