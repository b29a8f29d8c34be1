// Pages that oidc-provider itself shows (errors it cannot redirect, logout), in our layout.
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Context } from 'koa';
import { render } from '../web/render.ts';

const KNOWN = new Set(['invalid_request', 'invalid_client', 'invalid_redirect_uri']);

export async function errorPage(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): Promise<void> {
  let key = KNOWN.has(out.error) ? `error.oidc.${out.error}` : 'error.generic';
  if (out.error === 'invalid_request' && /redirect_uri/.test(out.error_description ?? '')) key = 'error.oidc.invalid_redirect_uri';
  if (out.error === 'invalid_request' && /interaction|session/i.test(out.error_description ?? '')) key = 'error.session_expired';
  // The logout form's token was renewed (the page was opened again elsewhere): reload, as for our forms.
  if (out.error === 'invalid_request' && /xsrf/i.test(out.error_description ?? '')) key = 'error.csrf';
  render(ctx as unknown as Context, 'error', { messageKey: key, detail: `${out.error}${out.error_description ? `: ${out.error_description}` : ''}` }, ctx.status >= 400 ? ctx.status : 400);
}

export async function logoutPage(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  render(ctx as unknown as Context, 'logout', { form });
}

export async function logoutDonePage(ctx: KoaContextWithOIDC): Promise<void> {
  render(ctx as unknown as Context, 'logout-done', { clientName: ctx.oidc.client?.clientName });
}
