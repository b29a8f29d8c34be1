// The interaction of this request, found once: every step of a request (the route, finishing the
// login, giving the result) shares one copy instead of each asking oidc-provider to find it again.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { SessionExpired } from '../shared/errors.ts';
import { useUiLocales } from '../shared/i18n.ts';
import { isStoreUnavailable } from '../db/store-unavailable.ts';

export type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

// Per request (ctx.state), never per process: the next request finds it again.
const FOUND = Symbol('interaction');

export async function interactionOf(provider: Provider, ctx: Context): Promise<Details> {
  const known = (ctx.state as Record<symbol, Details | undefined>)[FOUND];
  if (known) return known;
  try {
    const d = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.params.uid && d.uid !== ctx.params.uid) throw SessionExpired();
    useUiLocales(ctx, d.params.ui_locales);
    (ctx.state as Record<symbol, Details>)[FOUND] = d;
    return d;
  } catch (e) {
    // Redis down (REDIS_URL) is an outage to retry (503), not an expired sign-in to start again.
    if (isStoreUnavailable(e)) throw e;
    throw SessionExpired();
  }
}

/**
 * Stores the interaction's result and returns where the browser goes next: oidc-provider's
 * interactionResult, on the copy this request found (it would find the interaction once more).
 */
export async function interactionResult(provider: Provider, ctx: Context, result: InteractionResults, o: { mergeWithLastSubmission: boolean }): Promise<string> {
  const d = await interactionOf(provider, ctx);
  d.result = o.mergeWithLastSubmission && !('error' in result) ? { ...d.lastSubmission, ...result } : result;
  await d.save(d.exp - Math.floor(Date.now() / 1000));
  return d.returnTo;
}
