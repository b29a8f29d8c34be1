// oidc-provider configuration. Every protocol endpoint is the library's; this file only decides.
import { createHash } from 'node:crypto';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import { adapterFactory } from './adapter.ts';
import { CLAIMS, accountFinder } from './claims.ts';
import { createPolicy } from './policy.ts';
import { ACR_VALUES } from '../interaction/levels.ts';
import { errorPage, logoutPage, logoutDonePage } from './pages.ts';
import { formPostPage } from './form-post-page.ts';

export const TTL = {
  AccessToken: 600, // 10 min: RPs refresh rather than hold long-lived bearer tokens
  AuthorizationCode: 60,
  ClientCredentials: 600,
  IdToken: 600,
  RefreshToken: 14 * 86400,
  Grant: 14 * 86400,
  Interaction: 1800, // 30 min to finish a login or a registration
  Session: 8 * 3600, // a working day
  PushedAuthorizationRequest: 90,
  BackchannelAuthenticationRequest: 600,
  DeviceCode: 600,
};

/** Extra client metadata we accept: a first-party government site may skip the consent page. */
export const SKIP_CONSENT = 'dvc_skip_consent';
/** Authorization parameter of first-party clients: "link this method's credential to the signed-in account". */
export const LINK_PARAM = 'dvc_link';

/** The newest unexpired grant of this account to this client. */
async function rememberedGrant(db: Db, accountId: string, clientId: string): Promise<string | undefined> {
  const row = await db('oidc_models').first('id')
    .where({ kind: 'Grant', account_id: accountId }).whereRaw("payload->>'clientId' = ?", [clientId])
    .andWhere('expires_at', '>', db.fn.now()).orderBy('expires_at', 'desc') as { id: string } | undefined;
  return row?.id;
}

export function createProvider(cfg: Config, db: Db, jwks: JWK[]): Provider {
  const httpsIssuer = cfg.issuer.startsWith('https:');
  const configuration: Configuration = {
    enableHttpPostMethods: httpsIssuer,
    // Our pages speak these; a relying party's ui_locales picks one (the person's switch still wins).
    discovery: { ui_locales_supported: ['vi', 'en'] },
    adapter: adapterFactory(db, cfg.clientCacheSeconds),
    jwks: { keys: jwks as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: cfg.cookieKeys,
      // Over https the session cookie is SameSite=None so that an authorization request POSTed
      // from a relying party's site (OIDC Core 3.1.2.1: GET and POST) still finds the session.
      // Over plain http (local sandbox) browsers drop such cookies: Lax, and POST stays off.
      long: { signed: true, httpOnly: true, sameSite: httpsIssuer ? 'none' : 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    claims: CLAIMS,
    scopes: ['openid', 'offline_access', ...Object.keys(CLAIMS).filter((s) => s !== 'openid'), 'counter:register'],
    acrValues: [...ACR_VALUES],
    findAccount: accountFinder(db),
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: (_ctx, accountId, client) =>
      createHash('sha256').update(`${client.sectorIdentifier}\u0000${accountId}\u0000${cfg.pairwiseSalt}`).digest('base64url'),
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    extraClientMetadata: {
      properties: [SKIP_CONSENT],
      validator(_ctx, key, value) {
        if (key === SKIP_CONSENT && value !== undefined && typeof value !== 'boolean') throw new Error(`${SKIP_CONSENT} must be a boolean`);
      },
    },
    extraParams: [LINK_PARAM],
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'RS256'],
      introspectionSigningAlgValues: ['ES256', 'RS256'],
      authorizationSigningAlgValues: ['ES256', 'RS256'],
      clientAuthSigningAlgValues: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
      requestObjectSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    },
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    ttl: TTL,
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      clientCredentials: { enabled: true },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: logoutPage, postLogoutSuccessSource: logoutDonePage },
      registration: cfg.registrationInitialAccessToken
        ? { enabled: true, initialAccessToken: cfg.registrationInitialAccessToken }
        : { enabled: false },
    },
    interactions: {
      policy: createPolicy(),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // Consent is asked once per service, not once per session: a new session picks up the account's
    // living grant for this client (listed and revocable in the portal); only more claims ask again.
    // First-party sites marked by the operator get a grant without a consent page.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const client = ctx.oidc.client!;
      const session = ctx.oidc.session!;
      let grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
      if (!grantId && session.accountId) {
        grantId = await rememberedGrant(db, session.accountId, client.clientId);
        if (grantId) {
          session.ensureClientContainer(client.clientId);
          session.grantIdFor(client.clientId, grantId);
        }
      }
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (client.metadata()[SKIP_CONSENT] !== true || !ctx.oidc.session?.accountId) return existing;
      // A first-party site gets what it asks for, now and when it later asks for more.
      const grant = existing ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(String(ctx.oidc.params!.scope ?? 'openid'));
      const claims = ctx.oidc.claims as { id_token?: object; userinfo?: object };
      const requested = [...Object.keys(claims.id_token ?? {}), ...Object.keys(claims.userinfo ?? {})];
      if (requested.length) grant.addOIDCClaims(requested);
      await grant.save();
      if (!existing) {
        ctx.oidc.session.ensureClientContainer(client.clientId);
        ctx.oidc.session.grantIdFor(client.clientId, grant.jti);
      }
      return grant;
    },
    renderError: errorPage,
    // The sandbox and the tests run relying parties on 127.0.0.1; production keeps SSRF protection.
    fetch: (url, options) => {
      if (cfg.allowLoopbackFetch) delete (options as { dispatcher?: unknown }).dispatcher;
      return globalThis.fetch(url, options);
    },
  };
  const provider = new Provider(cfg.issuer, configuration);
  provider.proxy = cfg.trustProxy;
  provider.use(formPostPage);
  return provider;
}
