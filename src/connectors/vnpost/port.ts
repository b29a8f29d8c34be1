// Vietnam Post's OpenID provider, seen from us as its relying party (L4 federation).
export interface UpstreamStart { url: string; state: string; nonce: string; verifier: string }

export interface UpstreamIdentity {
  sub: string;
  nationalId: string | undefined;
  name: string | undefined;
  birthdate: string | undefined;
  phone: string | undefined;
  acr: string | undefined;
}

export interface FederationPort {
  /** Authorization code + PKCE + state + nonce. */
  begin(): Promise<UpstreamStart>; // throws ConnectorUnavailableError
  /** Exchanges the code at the callback and validates the ID token (signature, iss, aud, nonce). */
  finish(callbackUrl: URL, checks: { state: string; nonce: string; verifier: string }): Promise<UpstreamIdentity>; // throws ConnectorUnavailableError | UpstreamRefusedError
}

export class UpstreamRefusedError extends Error {
  constructor(readonly error: string) {
    super(`upstream refused: ${error}`);
    this.name = 'UpstreamRefusedError';
  }
}
