// The sandbox Vietnam Post OpenID provider (sandbox mode only): a second oidc-provider with its
// own issuer ({ISSUER}/sandbox/vnpost), keys, login page and documented accounts, so that L4
// federation works from a fresh clone. Its state goes through our adapter under its own kinds.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import Provider, { type Configuration } from 'oidc-provider';
import { readSandboxJson, type Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import { knexAdapterFactory } from '../provider/adapter.ts';
import { loadSigningKeys } from '../provider/keys.ts';
import { TTL } from '../provider/configuration.ts';
import { render } from '../web/render.ts';
import './messages.ts';

export const VNPOST_PATH = '/sandbox/vnpost';

export interface VnpostUser { username: string; password: string; sub: string; national_id: string; name: string; birthdate: string; phone_number: string; acr: string }
export interface VnpostFile {
  client: { client_id: string; client_secret: string };
  /** Optional clients that authenticate with private_key_jwt (public keys as a JWKS). */
  keyClients?: { client_id: string; jwks: { keys: object[] } }[];
  users: VnpostUser[];
}

export const vnpostIssuer = (cfg: Config) => `${cfg.issuer}${VNPOST_PATH}`;
export const vnpostCallback = (cfg: Config) => `${cfg.issuer}/federation/vnpost/callback`;

export async function sandboxVnpostIdp(cfg: Config, db: Db) {
  const file = readSandboxJson<VnpostFile>(cfg, 'vnpost.json');
  const Base = knexAdapterFactory(db);
  class VnpostAdapter extends Base { constructor(name: string) { super(`vnpost:${name}`); } }
  const keys = await loadSigningKeys(db, cfg.keyEncryptionSecret, 'vnpost');
  const configuration: Configuration = {
    adapter: VnpostAdapter,
    clients: [
      { ...file.client, redirect_uris: [vnpostCallback(cfg)], grant_types: ['authorization_code'], response_types: ['code'] },
      ...(file.keyClients ?? []).map((c) => ({ ...c, token_endpoint_auth_method: 'private_key_jwt', redirect_uris: [vnpostCallback(cfg)], grant_types: ['authorization_code'], response_types: ['code'] })),
    ] as NonNullable<Configuration['clients']>,
    jwks: { keys: keys as NonNullable<Configuration['jwks']>['keys'] },
    cookies: { keys: cfg.cookieKeys, names: { session: 'vnp_session', interaction: 'vnp_interaction', resume: 'vnp_resume' } },
    claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], profile: ['name', 'birthdate'], phone: ['phone_number'], national_id: ['national_id'] },
    scopes: ['openid', 'profile', 'phone', 'national_id'],
    acrValues: ['urn:vnpost:loa:1', 'urn:vnpost:loa:2', 'urn:vnpost:loa:3'],
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    ttl: TTL,
    findAccount: (_ctx, sub) => {
      const u = file.users.find((x) => x.sub === sub);
      return u && { accountId: u.sub, claims: () => ({ sub: u.sub, name: u.name, birthdate: u.birthdate, phone_number: u.phone_number, national_id: u.national_id }) };
    },
    interactions: { url: (_ctx, i) => `${VNPOST_PATH}/login/${i.uid}` },
    // The upstream is trusted by us: no consent page of its own.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope(String(ctx.oidc.params!.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(vnpostIssuer(cfg), configuration);
  provider.proxy = cfg.trustProxy;

  // Its login page: username + password of the accounts in config/sandbox/vnpost.json.
  const pages = new Router();
  pages.get(`${VNPOST_PATH}/login/:uid`, async (ctx) => {
    const d = await provider.interactionDetails(ctx.req, ctx.res);
    render(ctx, 'sandbox/vnpost-login', { uid: d.uid });
  });
  pages.post(`${VNPOST_PATH}/login/:uid`, async (ctx) => {
    const d = await provider.interactionDetails(ctx.req, ctx.res);
    const body = ctx.request.body as Record<string, unknown>;
    const u = file.users.find((x) => x.username === body.username && x.password === body.password);
    if (!u) return render(ctx, 'sandbox/vnpost-login', { uid: d.uid, failed: true }, 400);
    const to = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: u.sub, acr: u.acr, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  });

  // The protocol part, mounted under its path (oidc-provider sees the path relative to its issuer).
  const handler = provider.callback();
  const protocol = async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith(`${VNPOST_PATH}/`) || ctx.path.startsWith(`${VNPOST_PATH}/login/`)) return next();
    ctx.respond = false;
    const req = ctx.req as typeof ctx.req & { originalUrl?: string };
    req.originalUrl = req.url;
    req.url = req.url!.slice(VNPOST_PATH.length);
    await handler(req, ctx.res);
  };
  return { provider, pages, protocol, file };
}
