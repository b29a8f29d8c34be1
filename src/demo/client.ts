// The demo's registration (standard client metadata, as an operator registers any relying party)
// and its openid-client configuration, found from the issuer URL alone (discovery) by the same
// code as the integrators' Node example (examples/node/dvc-login.ts).
import type * as oidc from 'openid-client';
import { dvcConfiguration } from '../../examples/node/dvc-login.ts';
import type { Config } from '../config/index.ts';
import { hmac } from '../shared/digest.ts';

export const DEMO_CLIENT_ID = 'dvc-demo';
export const DEMO_SCOPE = 'openid profile phone email national_id';

export interface DemoUrls { callback: string; home: string; backchannel: string }

export const demoUrls = (cfg: Config): DemoUrls => ({
  callback: `${cfg.issuer}/demo/callback`,
  home: `${cfg.issuer}/demo`,
  backchannel: `${cfg.issuer}/demo/backchannel-logout`,
});

const secretOf = (cfg: Config) => hmac(cfg.otpSecret, `${DEMO_CLIENT_ID}-client-secret`);

/** No dvc_skip_consent: like any third-party site, the demo shows the consent page. */
export function demoClientMetadata(cfg: Config): Record<string, unknown> & { client_id: string } {
  const urls = demoUrls(cfg);
  return {
    client_id: DEMO_CLIENT_ID, client_secret: secretOf(cfg), client_name: 'Dịch vụ công mẫu',
    redirect_uris: [urls.callback], post_logout_redirect_uris: [urls.home],
    backchannel_logout_uri: urls.backchannel, backchannel_logout_session_required: true,
    grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
  };
}

/** Discovery once per node (the provider's metadata; nothing a second node would need). */
export const demoConfiguration = (cfg: Config): () => Promise<oidc.Configuration> =>
  dvcConfiguration({ issuer: cfg.issuer, clientId: DEMO_CLIENT_ID, clientSecret: secretOf(cfg) });
