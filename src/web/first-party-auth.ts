// First-party sites of our own (the account portal, the counter page) sign people in as relying
// parties of our own provider (openid-client, authorization code + PKCE) and keep their own short
// session in the database (any node serves it).
import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import * as oidc from 'openid-client';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import { findAccount, type Account } from '../identity/accounts.ts';
import { knexAdapterFactory } from '../provider/adapter.ts';
import { hmac } from '../shared/digest.ts';
import { deleteFlow, loadFlow, saveFlow, type Flow } from '../shared/flows.ts';
import { addMessages } from '../shared/i18n.ts';
import { render } from '../web/render.ts';

addMessages({
  'fp.not_signed_in.title': { vi: 'Chưa đăng nhập', en: 'Not signed in' },
  'fp.not_signed_in': { vi: 'Bạn chưa đăng nhập, hoặc chưa đạt mức độ xác minh trang này yêu cầu.', en: 'You did not sign in, or not at the level this page needs.' },
  'fp.try_again': { vi: 'Đăng nhập lại', en: 'Sign in again' },
  'fp.needs_amr': { vi: 'Trang này chỉ chấp nhận đăng nhập bằng chữ ký số (SIM ký số hoặc USB ký số).', en: 'This page accepts only a sign-in with a digital signature (SIM or USB).' },
});

/** Sensitive actions need a sign-in of the last five minutes (OIDC max_age). */
export const RECENT_SECONDS = 300;

export interface PortalSession { accountId: string; acr: string; authTime: number; amr?: string[]; sid?: string }
interface PortalLogin { verifier: string; state: string; nonce: string; returnTo?: string }
export interface Signedin { s: Flow<PortalSession>; account: Account }

/** Extra authorization parameters a portal action may ask for (e.g. linking a credential). */
export type LoginExtras = Record<string, string>;

export interface PortalAuth {
  /** The signed-in account, or a redirect to sign in (again, when `recent` and the sign-in is old). */
  requireSession(ctx: Context, recent?: boolean): Promise<Signedin | undefined>;
  startLogin(ctx: Context, opts?: { maxAge?: number; returnTo?: string; extras?: LoginExtras }): Promise<void>;
  /** An id private to this portal session, to key its short flows (phone change, TOTP enrolment…). */
  sessionKey(ctx: Context): string;
  endSession(ctx: Context): Promise<void>;
}

export interface FirstPartySite {
  clientId: string;
  name: string;
  /** Where the site lives (its routes are mounted there): `/account`, `/counter`. */
  base: string;
  /** The kind of its session rows in `flows`. */
  sessionKind: string;
  scope: string;
  /** The lowest acr the site accepts; a weaker session is asked to step up. */
  minAcr?: 2 | 3;
  /** How long a session of the site lives (default an hour). */
  sessionSeconds?: number;
  /** Every sign-in is fresh (prompt=login, max_age) and a session older than this signs in again. */
  maxAuthAge?: number;
  /** An amr value the sign-in must carry (e.g. `hwk`: a signature method); any other is refused. */
  requiredAmr?: string;
}

export async function firstPartyAuth(cfg: Config, db: Db, router: Router, site: FirstPartySite): Promise<PortalAuth> {
  const { clientId, base } = site;
  const COOKIE = `dvc.${base.slice(1)}`;
  const KIND = site.sessionKind;
  const secret = hmac(cfg.otpSecret, `${clientId}-client-secret`);
  const redirectUri = `${cfg.issuer}${base}/callback`;
  // The site registers itself as a first-party client (no consent page).
  await new (knexAdapterFactory(db))('Client').upsert(clientId, {
    client_id: clientId, client_secret: secret, client_name: site.name, redirect_uris: [redirectUri],
    grant_types: ['authorization_code'], response_types: ['code'], dvc_skip_consent: true,
  }, 0);

  let config: oidc.Configuration | undefined;
  const rp = async () => (config ??= await oidc.discovery(new URL(cfg.issuer), clientId, secret, undefined, cfg.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {}));

  const cookieId = (ctx: Context) => ctx.cookies.get(COOKIE, { signed: true });
  const session = async (ctx: Context) => {
    const id = cookieId(ctx);
    return id ? loadFlow<PortalSession>(db, `${KIND}:${id}`, KIND) : undefined;
  };

  /** "Sign out this one / everywhere else" ends the provider session: the portal there ends with it. */
  const providerSessionLives = async (p: PortalSession) => !p.sid || !!(await db('oidc_models')
    .where({ kind: 'Session', account_id: p.accountId }).andWhere('expires_at', '>', db.fn.now())
    .andWhereRaw(`payload->'authorizations'->?->>'sid' = ?`, [clientId, p.sid]).first('id'));

  const startLogin: PortalAuth['startLogin'] = async (ctx, { maxAge, returnTo = base, extras = {} } = {}) => {
    const c = await rp();
    const login: PortalLogin = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), returnTo };
    await saveFlow(db, { id: `${KIND}-login:${login.state}`, kind: `${KIND}_login`, state: 'start', data: login, expiresAt: new Date(Date.now() + 30 * 60_000) });
    ctx.redirect(oidc.buildAuthorizationUrl(c, {
      redirect_uri: redirectUri, scope: site.scope, state: login.state, nonce: login.nonce,
      ...(site.minAcr ? { acr_values: String(site.minAcr) } : {}),
      ...(site.maxAuthAge !== undefined ? { prompt: 'login', max_age: String(site.maxAuthAge) } : {}),
      // The provider session's id for this client: the portal ends with it (signed out elsewhere).
      claims: JSON.stringify({ id_token: { sid: null } }),
      code_challenge: await oidc.calculatePKCECodeChallenge(login.verifier), code_challenge_method: 'S256',
      ...(maxAge !== undefined ? { max_age: String(maxAge) } : {}), ...extras,
    }).href);
  };

  const requireSession: PortalAuth['requireSession'] = async (ctx, recent = false) => {
    const s = await session(ctx);
    const returnTo = ctx.method === 'GET' ? ctx.originalUrl : base;
    if (!s) { await startLogin(ctx, { returnTo }); return undefined; }
    const account = await findAccount(db, s.data.accountId);
    const tooWeak = (site.minAcr !== undefined && !(Number(s.data.acr) >= site.minAcr))
      || (site.requiredAmr !== undefined && !s.data.amr?.includes(site.requiredAmr))
      || (site.maxAuthAge !== undefined && Date.now() / 1000 - s.data.authTime > site.maxAuthAge);
    if (!account || account.status !== 'active' || tooWeak || !(await providerSessionLives(s.data))) {
      await deleteFlow(db, s.id);
      await startLogin(ctx, { returnTo });
      return undefined;
    }
    if (recent && Date.now() / 1000 - s.data.authTime > RECENT_SECONDS) { await startLogin(ctx, { maxAge: RECENT_SECONDS, returnTo }); return undefined; }
    return { s, account };
  };

  router.get('/callback', async (ctx) => {
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const login = state ? await loadFlow<PortalLogin>(db, `${KIND}-login:${state}`, `${KIND}_login`) : undefined;
    if (!login) return startLogin(ctx);
    await deleteFlow(db, login.id);
    // The person cancelled or could not meet the request (e.g. a link of another person's SIM): back home.
    if (typeof ctx.query.error === 'string') {
      if (await session(ctx)) {
        ctx.status = 303;
        ctx.redirect(`${base}?error=${encodeURIComponent(ctx.query.error)}`);
        return;
      }
      // Not signed in (cancelled, or the level asked for was not reached): say so, offer to try again.
      render(ctx, 'signin-not-done', { retryHref: base }, 401);
      return;
    }
    const tokens = await oidc.authorizationCodeGrant(await rp(), new URL(`${redirectUri}?${ctx.querystring}`), { pkceCodeVerifier: login.data.verifier, expectedState: state, expectedNonce: login.data.nonce });
    const claims = tokens.claims()!;
    const amr = Array.isArray(claims.amr) ? claims.amr.map(String) : [];
    const old = cookieId(ctx);
    if (site.requiredAmr && !amr.includes(site.requiredAmr)) {
      if (old) await deleteFlow(db, `${KIND}:${old}`);
      render(ctx, 'signin-not-done', { retryHref: base, messageKey: 'fp.needs_amr' }, 403);
      return;
    }
    if (old) await deleteFlow(db, `${KIND}:${old}`);
    const id = randomBytes(18).toString('base64url');
    await saveFlow<PortalSession>(db, { id: `${KIND}:${id}`, kind: KIND, state: 'active', data: { accountId: claims.sub, acr: String(claims.acr), authTime: Number(claims.auth_time), amr, ...(typeof claims.sid === 'string' ? { sid: claims.sid } : {}) }, expiresAt: new Date(Date.now() + (site.sessionSeconds ?? 3600) * 1000) });
    ctx.cookies.set(COOKIE, id, { httpOnly: true, sameSite: 'lax', signed: true, secure: ctx.secure, path: base });
    ctx.status = 303;
    ctx.redirect(login.data.returnTo?.startsWith(base) ? login.data.returnTo : base);
  });

  return {
    requireSession, startLogin,
    sessionKey: (ctx) => cookieId(ctx) ?? '',
    endSession: async (ctx) => {
      const id = cookieId(ctx);
      if (id) await deleteFlow(db, `${KIND}:${id}`);
      ctx.cookies.set(COOKIE, '', { path: base, maxAge: 0 });
    },
  };
}
