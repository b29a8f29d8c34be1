// Pages that oidc-provider itself shows (errors it cannot redirect, logout), in our layout.
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Context } from 'koa';
import { render } from '../web/render.ts';
import { errorPageHtml } from '../web/error-page.ts';

const KNOWN = new Set(['invalid_request', 'invalid_client', 'invalid_redirect_uri']);

export async function errorPage(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): Promise<void> {
  let key = KNOWN.has(out.error) ? `error.oidc.${out.error}` : out.error === 'temporarily_unavailable' ? 'error.unavailable' : 'error.generic';
  if (out.error === 'invalid_request' && /redirect_uri/.test(out.error_description ?? '')) key = 'error.oidc.invalid_redirect_uri';
  if (out.error === 'invalid_request' && /interaction|session/i.test(out.error_description ?? '')) key = 'error.session_expired';
  // The logout form's token was renewed (the page was opened again elsewhere): reload, as for our forms.
  if (out.error === 'invalid_request' && /xsrf/i.test(out.error_description ?? '')) key = 'error.csrf';
  const status = ctx.status >= 400 ? ctx.status : 400;
  try {
    render(ctx as unknown as Context, 'error', { messageKey: key, detail: `${out.error}${out.error_description ? `: ${out.error_description}` : ''}` }, status);
  } catch {
    // The full render reads cookies (gone with a client that hung up): the page of last resort needs none.
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = errorPageHtml(ctx as unknown as Context, key, false);
  }
}

export async function logoutPage(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  render(ctx as unknown as Context, 'logout', { form });
}

export async function logoutDonePage(ctx: KoaContextWithOIDC): Promise<void> {
  render(ctx as unknown as Context, 'logout-done', { clientName: ctx.oidc.client?.clientName });
}
