// A Vietnam Post counter system as a partner client: private_key_jwt, scope counter:register.
import * as oidc from 'openid-client';
import { exportJWK, generateKeyPair } from 'jose';
import { newAgent } from './browser.ts';
import { registerClient, type TestServer } from './server.ts';

const insecure = { execute: [oidc.allowInsecureRequests] };

export async function partnerToken(s: TestServer, clientId = 'vnpost-counter', scope = 'counter:register') {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  await registerClient(s.db, {
    client_id: clientId, token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] },
    grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope,
  });
  const config = await oidc.discovery(new URL(s.issuer), clientId, undefined, oidc.PrivateKeyJwt({ key: privateKey, kid: 'k1' }), insecure);
  return { token: (await oidc.clientCredentialsGrant(config, { scope })).access_token, config };
}

export function api(s: TestServer, token: string | undefined, path: string, body: unknown, headers: Record<string, string> = {}) {
  const req = newAgent(s.issuer).post(`/api/counter/v1${path}`).set({ 'x-officer-id': 'officer-7', 'x-post-office-code': 'BC-100000', ...headers });
  if (token) req.set('authorization', `Bearer ${token}`);
  return req.send(body as object);
}

