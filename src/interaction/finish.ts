// The single way a login ends: acr = min(account level, method ceiling), amr from the method.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Db } from '../db/knex.ts';
import { findAccount } from '../identity/accounts.ts';
import { audit } from '../identity/audit.ts';
import { AppError } from '../shared/errors.ts';
import { interactionOf, interactionResult } from './current.ts';
import type { LoginOutcome } from './method.ts';
import type { MethodRegistry } from './registry.ts';

export function loginFinisher(db: Db, provider: Provider, registry: MethodRegistry, clientIp: (ctx: Context) => string) {
  return async (ctx: Context, outcome: LoginOutcome): Promise<void> => {
    const method = registry.get(outcome.methodId);
    const account = await findAccount(db, outcome.accountId);
    if (!method || !account || account.status !== 'active') throw new AppError(403, 'error.account_unavailable');
    const acr = Math.min(account.level, registry.ceiling(method), outcome.acrCeiling ?? 3);
    const details = await interactionOf(provider, ctx);
    await audit(db, {
      action: 'login', accountId: account.id, ip: clientIp(ctx), userAgent: ctx.get('user-agent'), method: method.id,
      result: 'success', clientId: String(details.params.client_id ?? ''), details: { acr: String(acr) },
    });
    const redirectTo = await interactionResult(provider, ctx, {
      login: { accountId: account.id, acr: String(acr), amr: outcome.amr, remember: true },
    }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(redirectTo);
  };
}
