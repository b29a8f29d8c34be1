// The developer portal (/developers): an integrator signs in through our own provider with any
// account and manages their relying parties. In sandbox mode, clients are created at once
// (ids `sbx-…`, never cached by a node, so every change works on the next request); in production
// mode the same form files a registration request for an operator (CLI `clients requests`), and
// the pages that change clients or act as them (edit, rotate, delete, try it) do not exist.
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import * as oidc from 'openid-client';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import {
  ClientMetadataError, relyingParties, SANDBOX_CLIENT_PREFIX, usesSecret, type Actor, type ClientDetail, type ClientMetadata,
} from '../identity/relying-parties.ts';
import { firstPartyAuth, type Signedin } from '../web/first-party-auth.ts';
import { hit, release } from '../shared/rate-limit.ts';
import { deleteFlow, loadFlow, saveFlow } from '../shared/flows.ts';
import { render } from '../web/render.ts';
import { AUTH_METHODS, EMPTY_FORM, formValuesOf, ID_TOKEN_ALGS, OFFERED_SCOPES, parseClientForm, SUBJECT_TYPES, type FormValues } from './form.ts';
import './messages.ts';

/** Clients one integrator may hold, and creations (or requests filed) per hour. */
export const MAX_CLIENTS = 10;
export const MAX_CREATIONS_PER_HOUR = 10;
/** Requests waiting for an operator, per integrator (production mode). */
export const MAX_PENDING_REQUESTS = 3;

/** Client ids as the provider accepts them in a URL path: anything else is not a client of anyone. */
const CLIENT_ID = /^[\w.~:-]{1,200}$/;

interface TryLogin { clientId: string; verifier: string; nonce: string }

export async function developersRouter(cfg: Config, db: Db, provider: Provider): Promise<Router> {
  const base = '/developers';
  const r = new Router({ prefix: base });
  const auth = await firstPartyAuth(cfg, db, r, { clientId: 'dvc-developers', name: 'Cổng nhà phát triển DVC', base, sessionKind: 'developers_session', scope: 'openid profile' });
  const rps = relyingParties(db, { validate: (m) => (provider.Client as unknown as { validate(m: ClientMetadata): Promise<void> }).validate(m) });
  // Never in production mode, not even on a staging site with the sandbox helpers on.
  const selfService = cfg.mode === 'sandbox' && cfg.sandbox;
  const tryUri = `${cfg.issuer}${base}/try/callback`;
  const discovery = `${cfg.issuer}/.well-known/openid-configuration`;

  const actor = (ctx: Context, got: Signedin): Actor => ({ kind: 'account', id: got.account.id, ip: ctx.ip, userAgent: ctx.get('user-agent') });
  const choices = { authMethods: AUTH_METHODS, algs: ID_TOKEN_ALGS, subjectTypes: SUBJECT_TYPES, scopes: OFFERED_SCOPES };

  const home = async (ctx: Context, got: Signedin, extra: Record<string, unknown> = {}, status = 200) => {
    const clients = await rps.list({ owner: got.account.id });
    const requests = selfService ? [] : await rps.requests.list(undefined, { owner: got.account.id });
    render(ctx, 'developers/home', { account: got.account, clients, requests, selfService, ...extra }, status);
  };
  const form = (ctx: Context, values: FormValues, extra: Record<string, unknown> = {}, status = 200) =>
    render(ctx, 'developers/form', { values, selfService, ...choices, action: `${base}/clients`, ...extra }, status);

  /** The signed-in integrator's own client; someone else's and a missing one look the same (404). */
  const ownClient = async (ctx: Context, got: Signedin, id: string): Promise<ClientDetail | undefined> => {
    const c = CLIENT_ID.test(id) ? await rps.get(id) : undefined;
    if (c && c.owner === got.account.id) return c;
    render(ctx, 'error', { messageKey: 'error.not_found' }, 404);
    return undefined;
  };
  const page = async (ctx: Context, c: ClientDetail, extra: Record<string, unknown> = {}, status = 200) =>
    render(ctx, 'developers/client', {
      client: c, issuer: cfg.issuer, discovery, selfService, tryUri, secretClient: usesSecret(c.metadata),
      errorsSeen: await rps.recentErrors(c.clientId), ...extra,
    }, status);

  /** Field errors of the provider's schema, localised around its own (English) explanation. */
  const metadataError = (ctx: Context, values: FormValues, e: ClientMetadataError, extra: Record<string, unknown>) => {
    const field = e.field === 'scope' ? 'scopes' : e.field;
    const known = field && field in EMPTY_FORM;
    form(ctx, values, { ...extra, errors: known ? { [field]: 'dev.err.provider' } : {}, errorParams: { detail: e.message },
      ...(known ? {} : { formError: 'dev.err.provider', formErrorParams: { detail: e.message } }) }, 400);
  };
  /** Self-service clients carry the portal's try-it callback (secret clients only: we exchange the code as them). */
  const withTryUri = (m: ClientMetadata): ClientMetadata =>
    (usesSecret(m) && selfService ? { ...m, redirect_uris: [...(m.redirect_uris as string[]).filter((u) => u !== tryUri), tryUri] } : m);

  r.get('/', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (got) await home(ctx, got);
  });

  r.get('/new', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (got) form(ctx, EMPTY_FORM);
  });

  // Create (sandbox) or file a request (production): the same form, the same limits.
  r.post('/clients', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const parsed = parseClientForm(ctx.request.body as Record<string, unknown>);
    if (!parsed.metadata) return form(ctx, parsed.values, { errors: parsed.errors }, 400);
    const owner = got.account.id;
    if (selfService && (await rps.list({ owner })).length >= MAX_CLIENTS) {
      return form(ctx, parsed.values, { formError: 'dev.err.too_many_clients', formErrorParams: { max: MAX_CLIENTS } }, 429);
    }
    if (!selfService && (await rps.requests.list('pending', { owner })).length >= MAX_PENDING_REQUESTS) {
      return form(ctx, parsed.values, { formError: 'dev.err.too_many_pending', formErrorParams: { max: MAX_PENDING_REQUESTS } }, 429);
    }
    // Counted before the work, so parallel posts cannot all slip under the limit; given back on bad input.
    const key = `dev-create:${owner}`;
    if ((await hit(db, key, 3600)) > MAX_CREATIONS_PER_HOUR) return form(ctx, parsed.values, { formError: 'dev.err.too_many_requests' }, 429);
    try {
      if (!selfService) {
        await rps.requests.file(parsed.metadata, actor(ctx, got));
        return await home(ctx, got, { notice: 'dev.request.filed' }, 201);
      }
      const saved = await rps.save(withTryUri(parsed.metadata), actor(ctx, got), { owner, idPrefix: SANDBOX_CLIENT_PREFIX });
      const c = (await rps.get(saved.clientId))!;
      // The secret is in this answer only (never in a URL or a later page).
      return await page(ctx, c, { clientSecret: saved.clientSecret }, 201);
    } catch (e) {
      if (!(e instanceof ClientMetadataError)) throw e;
      await release(db, key);
      return metadataError(ctx, parsed.values, e, {});
    }
  });

  r.get('/clients/:id', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const c = await ownClient(ctx, got, ctx.params.id!);
    if (c) await page(ctx, c, ctx.query.saved === '1' ? { notice: 'dev.saved' } : {});
  });

  // Only the try-it landing page: it shows the claims to whoever just signed in there.
  r.get('/try/callback', async (ctx) => {
    const state = typeof ctx.query.state === 'string' && /^[\w-]{1,100}$/.test(ctx.query.state) ? ctx.query.state : '';
    const flow = state ? await loadFlow<TryLogin>(db, `dev-try:${state}`, 'dev_try') : undefined;
    if (!flow) return render(ctx, 'error', { messageKey: 'error.not_found' }, 404);
    await deleteFlow(db, flow.id);
    if (typeof ctx.query.error === 'string') {
      return render(ctx, 'developers/try', { clientId: flow.data.clientId, failed: ctx.query.error.slice(0, 100) }, 400);
    }
    const c = await rps.get(flow.data.clientId);
    const secret = await rps.secretOf(flow.data.clientId);
    if (!c || !secret) return render(ctx, 'error', { messageKey: 'error.not_found' }, 404);
    const method = c.metadata.token_endpoint_auth_method === 'client_secret_post' ? oidc.ClientSecretPost(secret) : oidc.ClientSecretBasic(secret);
    const config = await oidc.discovery(new URL(cfg.issuer), c.clientId, undefined, method, cfg.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {});
    try {
      const tokens = await oidc.authorizationCodeGrant(config, new URL(`${tryUri}?${ctx.querystring}`), { pkceCodeVerifier: flow.data.verifier, expectedState: state, expectedNonce: flow.data.nonce });
      render(ctx, 'developers/try', { clientId: c.clientId, claims: tokens.claims() });
    } catch (e) {
      render(ctx, 'developers/try', { clientId: c.clientId, failed: (e as { code?: string; error?: string }).error ?? (e as Error).message.slice(0, 200) }, 400);
    }
  });

  r.post('/logout', async (ctx) => {
    await auth.endSession(ctx);
    ctx.status = 303;
    ctx.redirect('/');
  });

  if (!selfService) return r;

  r.get('/clients/:id/edit', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const c = await ownClient(ctx, got, ctx.params.id!);
    if (c) form(ctx, formValuesOf(c.metadata, tryUri), { action: `${base}/clients/${encodeURIComponent(c.clientId)}`, client: c });
  });

  r.post('/clients/:id', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const c = await ownClient(ctx, got, ctx.params.id!);
    if (!c) return;
    const parsed = parseClientForm(ctx.request.body as Record<string, unknown>);
    const extra = { action: `${base}/clients/${encodeURIComponent(c.clientId)}`, client: c };
    if (!parsed.metadata) return form(ctx, parsed.values, { ...extra, errors: parsed.errors }, 400);
    try {
      await rps.save({ ...withTryUri(parsed.metadata), client_id: c.clientId }, actor(ctx, got));
    } catch (e) {
      if (!(e instanceof ClientMetadataError)) throw e;
      return metadataError(ctx, parsed.values, e, extra);
    }
    ctx.status = 303;
    ctx.redirect(`${base}/clients/${encodeURIComponent(c.clientId)}?saved=1`);
  });

  r.post('/clients/:id/rotate', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const c = await ownClient(ctx, got, ctx.params.id!);
    if (!c) return;
    if (!usesSecret(c.metadata)) return page(ctx, c, {}, 400);
    const clientSecret = await rps.rotateSecret(c.clientId, actor(ctx, got));
    await page(ctx, c, { clientSecret, notice: 'dev.rotated' });
  });

  r.post('/clients/:id/delete', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const c = await ownClient(ctx, got, ctx.params.id!);
    if (!c) return;
    await rps.remove(c.clientId, actor(ctx, got));
    await home(ctx, got, { notice: 'dev.deleted' });
  });

  // "Try it": a login with this client that lands on the portal's own page showing the claims.
  r.get('/clients/:id/try', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const c = await ownClient(ctx, got, ctx.params.id!);
    if (!c) return;
    if (!usesSecret(c.metadata) || !c.redirectUris.includes(tryUri)) return page(ctx, c, {}, 400);
    const login: TryLogin = { clientId: c.clientId, verifier: oidc.randomPKCECodeVerifier(), nonce: oidc.randomNonce() };
    const state = oidc.randomState();
    await saveFlow(db, { id: `dev-try:${state}`, kind: 'dev_try', state: 'start', data: login, expiresAt: new Date(Date.now() + 30 * 60_000) });
    const url = new URL('/auth', cfg.issuer);
    const params = {
      client_id: c.clientId, response_type: 'code', redirect_uri: tryUri, scope: String(c.metadata.scope ?? 'openid'), state, nonce: login.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(login.verifier), code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    ctx.redirect(url.href);
  });

  return r;
}
