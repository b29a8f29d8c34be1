// "Đăng nhập bằng DVC" with openid-client 6: the whole protocol side of a relying party, in four
// calls. Used by the example site beside this file and by DVC ID's own demo service (src/demo/).
// Discovery from the issuer URL; authorization code + PKCE (S256) + state + nonce; the ID token checked
// by openid-client (signature against the JWKS, iss, aud, exp, nonce, max_age); userinfo; RP-initiated logout.
import * as oidc from 'openid-client';

export interface DvcClient { issuer: string; clientId: string; clientSecret: string }

/** Discovery once per process; a failure is retried on the next call. */
export function dvcConfiguration(client: DvcClient): () => Promise<oidc.Configuration> {
  let config: Promise<oidc.Configuration> | undefined;
  // The sandbox runs on plain http (localhost); production is https and needs nothing here.
  const insecure = client.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {};
  return () => (config ??= oidc.discovery(new URL(client.issuer), client.clientId, client.clientSecret, undefined, insecure)
    .catch((e: unknown) => { config = undefined; throw e; }));
}

/**
 * What the callback needs to check the answer. Keep it where the browser cannot change it and only
 * this browser has it (a signed HttpOnly cookie, or your server-side session), and use it once.
 */
export interface PendingLogin { state: string; nonce: string; verifier: string; maxAge?: number }

export interface LoginRequest {
  redirectUri: string;
  scope: string;
  /** Extra authorization parameters: acr_values, claims, max_age, ui_locales, prompt, login_hint. */
  params?: Record<string, string>;
}

/** The URL to send the browser to, and what to keep until it comes back. */
export async function startLogin(config: oidc.Configuration, req: LoginRequest): Promise<{ url: URL; pending: PendingLogin }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const pending: PendingLogin = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier };
  const maxAge = req.params?.max_age;
  if (maxAge !== undefined) pending.maxAge = Number(maxAge);
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: req.redirectUri, scope: req.scope, state: pending.state, nonce: pending.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    ...req.params,
  });
  return { url, pending };
}

export interface DvcLogin { idToken: string; claims: oidc.IDToken; userinfo: oidc.UserInfoResponse }

/** The error code the provider sent (docs/integrators.md, "Errors"), or undefined for anything else. */
export function loginErrorOf(e: unknown): { error: string; description?: string } | undefined {
  if (e instanceof oidc.AuthorizationResponseError || e instanceof oidc.ResponseBodyError) {
    return { error: e.error, ...(e.error_description ? { description: e.error_description } : {}) };
  }
  return undefined;
}

/** At the redirect URI: checks the answer against `pending`, exchanges the code, reads userinfo. */
export async function finishLogin(config: oidc.Configuration, callbackUrl: URL, pending: PendingLogin): Promise<DvcLogin> {
  const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce,
    ...(pending.maxAge !== undefined ? { maxAge: pending.maxAge } : {}),
  });
  // The ID token says who and how (acr, amr, auth_time); the claims the person agreed to share come from userinfo.
  const claims = tokens.claims()!;
  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  return { idToken: tokens.id_token!, claims, userinfo };
}

/** RP-initiated logout: the provider asks the person, ends its session, and sends them back. */
export function logoutUrl(config: oidc.Configuration, idToken: string, postLogoutRedirectUri: string): URL {
  return oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri });
}
