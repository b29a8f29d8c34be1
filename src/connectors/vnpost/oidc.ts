// The federation connector, a real OpenID Connect relying party (openid-client). In sandbox mode it
// talks to the sandbox Vietnam Post provider over HTTP exactly as it would to the real one.
import * as oidc from 'openid-client';
import { importPKCS8 } from 'jose';
import { ConnectorUnavailableError } from '../unavailable.ts';
import { UpstreamRefusedError, type FederationPort, type UpstreamIdentity, type UpstreamStart } from './port.ts';

export interface OidcFederationOptions {
  issuer: string;
  clientId: string;
  /** client_secret_basic … */
  clientSecret?: string | undefined;
  /** … or private_key_jwt with this PKCS#8 PEM key (ES256 or RS256). */
  privateKeyPem?: string | undefined;
  privateKeyKid?: string | undefined;
  redirectUri: string;
  allowHttp: boolean;
  timeoutMs: number;
}

async function importPrivateKey(pem: string) {
  for (const alg of ['ES256', 'RS256']) {
    try {
      return await importPKCS8(pem, alg);
    } catch { /* try the next algorithm */ }
  }
  throw new Error('VNPOST_CLIENT_PRIVATE_KEY: not an ES256 or RS256 PKCS#8 key');
}

export class OidcFederation implements FederationPort {
  private config: { value: oidc.Configuration; until: number } | undefined;
  constructor(private readonly o: OidcFederationOptions) {}

  // Provider metadata is configuration, not state: each node keeps it ten minutes.
  private async configuration(): Promise<oidc.Configuration> {
    if (this.config && this.config.until > Date.now()) return this.config.value;
    try {
      const auth = this.o.privateKeyPem ? oidc.PrivateKeyJwt({ key: await importPrivateKey(this.o.privateKeyPem), kid: this.o.privateKeyKid }) : undefined;
      const value = await oidc.discovery(new URL(this.o.issuer), this.o.clientId, this.o.privateKeyPem ? undefined : this.o.clientSecret, auth, {
        timeout: Math.ceil(this.o.timeoutMs / 1000), ...(this.o.allowHttp ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      this.config = { value, until: Date.now() + 600_000 };
      return value;
    } catch (e) {
      throw new ConnectorUnavailableError('vnpost', e instanceof Error ? e.message : 'discovery failed');
    }
  }

  async begin(): Promise<UpstreamStart> {
    const config = await this.configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.o.redirectUri, scope: 'openid profile phone national_id', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    return { url: url.href, state, nonce, verifier };
  }

  async finish(callbackUrl: URL, checks: { state: string; nonce: string; verifier: string }): Promise<UpstreamIdentity> {
    const err = callbackUrl.searchParams.get('error');
    if (err) throw new UpstreamRefusedError(err);
    const config = await this.configuration();
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: checks.verifier, expectedState: checks.state, expectedNonce: checks.nonce });
      claims = tokens.claims();
    } catch (e) {
      if (e instanceof oidc.ResponseBodyError || e instanceof oidc.AuthorizationResponseError) throw new UpstreamRefusedError(e.error);
      throw new ConnectorUnavailableError('vnpost', e instanceof Error ? e.message : 'token exchange failed');
    }
    if (!claims) throw new UpstreamRefusedError('no_id_token');
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { sub: claims.sub, nationalId: str(claims.national_id), name: str(claims.name), birthdate: str(claims.birthdate), phone: str(claims.phone_number), acr: str(claims.acr) };
  }
}
