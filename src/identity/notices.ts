// The "if this was not you, call…" SMS after a change to an account, to its primary phone. Best
// effort: the change has happened; a gateway outage must not turn it into an error page.
import type { Context } from 'koa';
import type { SmsGateway } from '../connectors/sms/index.ts';
import { langOf, translate } from '../shared/i18n.ts';
import type { Account } from './accounts.ts';

export type Notify = (ctx: Context, account: Account, messageKey: string, idempotencyKey: string) => Promise<void>;

export function smsNotifier(sms: SmsGateway): Notify {
  return async (ctx, account, messageKey, idempotencyKey) => {
    const phone = account.identifiers.find((i) => i.type === 'phone' && i.primary);
    if (phone) await sms.send({ to: phone.value, text: translate(langOf(ctx), messageKey), idempotencyKey }).catch(() => undefined);
  };
}
