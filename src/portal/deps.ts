// What every section of the account portal is given.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Config } from '../config/index.ts';
import type { Connectors } from '../connectors/index.ts';
import type { Db } from '../db/knex.ts';
import type { Account } from '../identity/accounts.ts';
import type { AuthMethod, MethodDeps } from '../interaction/method.ts';
import { langOf, translate } from '../shared/i18n.ts';
import type { PortalAuth } from './auth.ts';

export interface PortalDeps {
  cfg: Config;
  db: Db;
  provider: Provider;
  auth: PortalAuth;
  sms: Connectors['sms'];
  email: Connectors['email'];
  otp: MethodDeps['otp'];
  methods: AuthMethod[];
  /** An SMS to the account's phone after a change ("if this was not you, call…"); best effort. */
  notify(ctx: Context, account: Account, key: string, idempotencyKey: string): Promise<void>;
}

export function smsNotifier(sms: Connectors['sms']): PortalDeps['notify'] {
  return async (ctx, account, key, idempotencyKey) => {
    const phone = account.identifiers.find((i) => i.type === 'phone' && i.primary);
    if (phone) await sms.send({ to: phone.value, text: translate(langOf(ctx), key), idempotencyKey }).catch(() => undefined);
  };
}
