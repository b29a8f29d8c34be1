// "The last errors this client caused", for its integrator (the developer portal): the provider's
// error events with the client and the offending value it sent. No personal data: only protocol
// values (redirect URIs, error codes), never a login hint, a token or an account.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Db } from '../db/knex.ts';
import { relyingParties } from '../identity/relying-parties.ts';
import type { Logger } from '../shared/logger.ts';

type OidcError = { error?: string; error_description?: string; message?: string };
type OidcCtx = Context & { oidc?: { client?: { clientId: string }; params?: Record<string, unknown> } };

// The parameter whose value explains each error best.
const OFFENDING: Record<string, string> = {
  invalid_redirect_uri: 'redirect_uri', redirect_uri_mismatch: 'redirect_uri', invalid_scope: 'scope',
  unsupported_response_type: 'response_type',
};
const EVENTS: ('authorization.error' | 'grant.error' | 'end_session.error' | 'pushed_authorization_request.error' | 'userinfo.error' | 'introspection.error' | 'revocation.error')[] = ['authorization.error', 'grant.error', 'end_session.error', 'pushed_authorization_request.error', 'userinfo.error', 'introspection.error', 'revocation.error'];

export function recordClientErrors(provider: Provider, db: Db, logger: Logger): void {
  // Writing errors needs no schema check: validate is never called on this path.
  const rps = relyingParties(db, { validate: async () => {} });
  for (const event of EVENTS) {
    // Every one of these events passes (ctx, error).
    provider.on(event as 'authorization.error', (ctx: Context, error: Error) => {
      const err = error as OidcError;
      const oc = ctx as OidcCtx;
      const clientId = oc.oidc?.client?.clientId;
      if (!clientId || !err?.error) return;
      const params = oc.oidc?.params ?? {};
      const name = event === 'end_session.error' ? 'post_logout_redirect_uri' : OFFENDING[err.error];
      const value = name ? params[name] : undefined;
      rps.recordError(clientId, {
        at: new Date(), error: err.error, ...(err.error_description ? { description: err.error_description } : {}),
        ...(name && typeof value === 'string' ? { detail: `${name}=${value}` } : {}),
      }).catch((e: unknown) => logger.warn('client error not recorded', { error: String(e) }));
    });
  }
}
