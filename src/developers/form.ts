// The client form of the developer portal: standard client metadata from form fields, and back.
// Only the fields an integrator may set are read; everything else is the provider's default.
import type { ClientMetadata } from '../identity/relying-parties.ts';

/** Scopes an integrator may ask for (the partner API's scope is given by operators only). */
export const OFFERED_SCOPES = ['openid', 'profile', 'email', 'phone', 'national_id', 'enterprise', 'offline_access'] as const;
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export const ID_TOKEN_ALGS = ['ES256', 'RS256'] as const;
export const SUBJECT_TYPES = ['public', 'pairwise'] as const;

export interface FormValues {
  client_name: string; redirect_uris: string; post_logout_redirect_uris: string; backchannel_logout_uri: string;
  token_endpoint_auth_method: string; jwks: string; jwks_uri: string; id_token_signed_response_alg: string;
  subject_type: string; scopes: string[];
}

export interface Parsed { values: FormValues; metadata?: ClientMetadata; errors: Record<string, string> }

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const str = (v: unknown, max = 2000) => (typeof v === 'string' ? v.trim().slice(0, max) : '');
const lines = (v: string) => v.split(/[\r\n]+/).map((s) => s.trim()).filter(Boolean);
const oneOf = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

export function parseClientForm(body: Record<string, unknown>): Parsed {
  const rawScopes = body.scopes === undefined ? [] : Array.isArray(body.scopes) ? body.scopes : [body.scopes];
  const values: FormValues = {
    client_name: str(body.client_name, 100), redirect_uris: str(body.redirect_uris, 4000), post_logout_redirect_uris: str(body.post_logout_redirect_uris, 4000),
    backchannel_logout_uri: str(body.backchannel_logout_uri), token_endpoint_auth_method: str(body.token_endpoint_auth_method, 40),
    jwks: str(body.jwks, 20000), jwks_uri: str(body.jwks_uri), id_token_signed_response_alg: str(body.id_token_signed_response_alg, 10),
    subject_type: str(body.subject_type, 10), scopes: rawScopes.filter((s): s is string => typeof s === 'string').slice(0, 20),
  };
  const errors: Record<string, string> = {};
  // Control characters (a NUL cannot even be stored) are refused where they were typed.
  for (const [k, v] of Object.entries(values)) if ((Array.isArray(v) ? v : [v]).some((x) => CONTROL.test(x))) errors[k] = 'dev.err.control';
  if (Object.keys(errors).length) return { values, errors };
  if (!values.client_name) errors.client_name = 'dev.err.client_name';
  const redirects = lines(values.redirect_uris);
  if (!redirects.length || redirects.length > 10) errors.redirect_uris = 'dev.err.redirect_uris';
  const logouts = lines(values.post_logout_redirect_uris);
  if (logouts.length > 10) errors.post_logout_redirect_uris = 'dev.err.post_logout_redirect_uris';
  if (!oneOf(AUTH_METHODS, values.token_endpoint_auth_method)) errors.token_endpoint_auth_method = 'dev.err.token_endpoint_auth_method';
  if (!oneOf(ID_TOKEN_ALGS, values.id_token_signed_response_alg)) errors.id_token_signed_response_alg = 'dev.err.id_token_signed_response_alg';
  if (!oneOf(SUBJECT_TYPES, values.subject_type)) errors.subject_type = 'dev.err.subject_type';
  if (!values.scopes.includes('openid') || !values.scopes.every((s) => oneOf(OFFERED_SCOPES, s))) errors.scopes = 'dev.err.scopes';
  let jwks: unknown;
  if (values.token_endpoint_auth_method === 'private_key_jwt') {
    if (Boolean(values.jwks) === Boolean(values.jwks_uri)) errors.jwks = 'dev.err.jwks_one';
    else if (values.jwks) {
      try { jwks = JSON.parse(values.jwks); } catch { errors.jwks = 'dev.err.jwks'; }
    }
  }
  if (Object.keys(errors).length) return { values, errors };
  const offline = values.scopes.includes('offline_access');
  const metadata: ClientMetadata = {
    client_name: values.client_name, redirect_uris: redirects, response_types: ['code'],
    grant_types: offline ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
    token_endpoint_auth_method: values.token_endpoint_auth_method, id_token_signed_response_alg: values.id_token_signed_response_alg,
    subject_type: values.subject_type, scope: values.scopes.join(' '),
    ...(logouts.length ? { post_logout_redirect_uris: logouts } : {}),
    ...(values.backchannel_logout_uri ? { backchannel_logout_uri: values.backchannel_logout_uri, backchannel_logout_session_required: true } : {}),
    ...(values.token_endpoint_auth_method === 'private_key_jwt' ? (jwks !== undefined ? { jwks } : { jwks_uri: values.jwks_uri }) : {}),
  };
  return { values, metadata, errors };
}

/** The form's values for stored metadata (editing a client), without the portal's own try-it URI. */
export function formValuesOf(m: ClientMetadata, hide: string): FormValues {
  const arr = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);
  return {
    client_name: String(m.client_name ?? ''), redirect_uris: arr(m.redirect_uris).filter((u) => u !== hide).join('\n'),
    post_logout_redirect_uris: arr(m.post_logout_redirect_uris).join('\n'), backchannel_logout_uri: String(m.backchannel_logout_uri ?? ''),
    token_endpoint_auth_method: String(m.token_endpoint_auth_method ?? 'client_secret_basic'), jwks: m.jwks ? JSON.stringify(m.jwks, null, 2) : '',
    jwks_uri: String(m.jwks_uri ?? ''), id_token_signed_response_alg: String(m.id_token_signed_response_alg ?? 'ES256'),
    subject_type: String(m.subject_type ?? 'public'), scopes: String(m.scope ?? 'openid').split(' ').filter(Boolean),
  };
}

export const EMPTY_FORM: FormValues = formValuesOf({ scope: 'openid profile' }, '');
