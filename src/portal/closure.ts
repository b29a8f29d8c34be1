// Closing the account (yêu cầu đóng tài khoản): after a recent sign-in and an explicit confirmation.
// The page says what is deleted now and what the law makes us keep, and for how long.
import type Router from '@koa/router';
import { audit } from '../identity/audit.ts';
import { closeAccount } from '../identity/close-account.ts';
import { render } from '../web/render.ts';
import { endProviderSession } from './activity.ts';
import type { PortalDeps } from './deps.ts';

export function mountClosure(r: Router, p: PortalDeps): void {
  const { db, auth } = p;
  const keptMonths = () => Math.round(p.cfg.closedAccountRetentionDays / 30);

  r.get('/close', async (ctx) => {
    if (await auth.requireSession(ctx, true)) render(ctx, 'account/close', { months: keptMonths() });
  });

  r.post('/close', async (ctx) => {
    const got = await auth.requireSession(ctx, true);
    if (!got) return;
    if ((ctx.request.body as Record<string, unknown>).confirm !== 'yes') {
      return render(ctx, 'account/close', { months: keptMonths(), errors: { confirm: 'acct.close.err.confirm' } }, 400);
    }
    const { account } = got;
    // Told while we still have the number; relying parties hear of each session's end.
    await p.notify(ctx, account, 'sms.account_closed', `closed:${account.id}`);
    const sessions = await db('oidc_models').where({ kind: 'Session', account_id: account.id }).pluck('id');
    for (const id of sessions) await endProviderSession(db, p.provider, account.id, id as string);
    await closeAccount(db, account.id);
    await audit(db, { action: 'account.close', accountId: account.id, ip: ctx.ip, result: 'success' });
    await auth.endSession(ctx);
    render(ctx, 'account/closed', { months: keptMonths() });
  });
}
