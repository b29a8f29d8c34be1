// A real relying party: openid-client for the protocol, jose to check the ID token against the JWKS.
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

// Nothing listens there: tests read the code from the redirect (Chromium refuses "unsafe" ports like 9).
export const REDIRECT_URI = 'http://127.0.0.1:47999/callback';

export interface Rp {
  config: oidc.Configuration;
  authUrl: string;
  verifier: string;
  state: string;
  nonce: string;
  /** Exchanges the code in the callback URL and verifies the ID token signature with the JWKS. */
  finish(callbackUrl: string): Promise<{ tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers; idToken: JWTPayload }>;
}

export async function startRp(issuer: string, clientId: string, clientSecret: string | undefined, params: Record<string, string> = {}): Promise<Rp> {
  const config = await oidc.discovery(new URL(issuer), clientId, clientSecret, clientSecret ? undefined : oidc.None(), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI, scope: 'openid profile', code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256', state, nonce, ...params,
  });
  return {
    config, authUrl: url.href, verifier, state, nonce,
    async finish(callbackUrl) {
      const tokens = await oidc.authorizationCodeGrant(config, new URL(callbackUrl), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer, audience: clientId });
      return { tokens, idToken: payload };
    },
  };
}
