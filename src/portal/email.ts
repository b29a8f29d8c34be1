// Changing the email: a one-time link to the new address (24 h), usable on another device; the old
// address and the phone are told.
import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { findAccount, type Account } from '../identity/accounts.ts';
import { audit } from '../identity/audit.ts';
import { parseEmail } from '../identity/identifiers/index.ts';
import { deleteFlow, loadFlow, saveFlow, takeFlow } from '../shared/flows.ts';
import { langOf, translate } from '../shared/i18n.ts';
import { hit } from '../shared/rate-limit.ts';
import { render } from '../web/render.ts';
import type { PortalDeps } from './deps.ts';
import type { Config } from '../config/index.ts';
import { hmac } from '../shared/digest.ts';

const EMAIL_LINK_HOURS = 24;
const EMAIL_CHANGES_PER_DAY = 5;

// Only a keyed digest of the link's token is stored (like activation codes).
const tokenHash = (cfg: Config, token: string) => hmac(cfg.otpSecret, 'email-change', token);

/** a***@example.vn: enough to recognise one's own address, not to harvest it. */
export const maskEmail = (email: string) => email.replace(/^(.)[^@]*@/, '$1***@');

export function mountEmail(r: Router, p: PortalDeps): void {
  const { db, cfg, auth, notify } = p;

  const emailPage = (ctx: Context, current: string | undefined, extra: Record<string, unknown> = {}, status = 200) =>
    render(ctx, 'account/email', { current, ...extra }, status);
  // A citizen's email is optional (an enterprise's is required): a citizen may also remove it.
  const removable = (a: Account) => a.subjectType === 'citizen' && a.identifiers.some((i) => i.type === 'email');
  r.get('/email', async (ctx) => {
    const got = await auth.requireSession(ctx, true);
    if (got) emailPage(ctx, got.account.identifiers.find((i) => i.type === 'email')?.value, { removable: removable(got.account), removed: ctx.query.removed === '1' });
  });
  r.post('/email/remove', async (ctx) => {
    const got = await auth.requireSession(ctx, true);
    if (!got) return;
    if (removable(got.account)) {
      await db('identifiers').where({ account_id: got.account.id, type: 'email' }).delete();
      await audit(db, { action: 'email.remove', accountId: got.account.id, ip: ctx.ip, result: 'success' });
      await notify(ctx, got.account, 'sms.email_changed', `email-removed:${got.account.id}:${Date.now()}`);
    }
    ctx.status = 303;
    ctx.redirect('/account/email?removed=1');
  });
  r.post('/email', async (ctx) => {
    const got = await auth.requireSession(ctx, true);
    if (!got) return;
    const current = got.account.identifiers.find((i) => i.type === 'email')?.value;
    const raw = String((ctx.request.body as Record<string, unknown>).email ?? '').trim();
    const email = parseEmail(raw);
    if (!email.ok) return emailPage(ctx, current, { values: { email: raw }, errors: { email: raw ? 'reg.err.email.format' : 'acct.email.err.required' } }, 400);
    if (email.value.toLowerCase() === current?.toLowerCase()) return emailPage(ctx, current, { values: { email: raw }, errors: { email: 'acct.email.err.same' } }, 400);
    if ((await hit(db, `email-change:${got.account.id}`, 86_400)) > EMAIL_CHANGES_PER_DAY) return emailPage(ctx, current, { values: { email: raw }, formError: 'acct.email.err.too_many' }, 429);
    const token = randomBytes(24).toString('base64url');
    await saveFlow(db, { id: `email:${tokenHash(cfg, token)}`, kind: 'email_change', state: 'sent', data: { accountId: got.account.id, email: email.value }, expiresAt: new Date(Date.now() + EMAIL_LINK_HOURS * 3600_000) });
    const lang = langOf(ctx);
    const link = `${cfg.issuer}/account/email/confirm?token=${token}`;
    try {
      await p.email.send({ to: email.value, subject: translate(lang, 'mail.email_verify.subject'), text: translate(lang, 'mail.email_verify.body', { link, hours: EMAIL_LINK_HOURS }), idempotencyKey: `email-verify:${tokenHash(cfg, token)}` });
    } catch {
      await deleteFlow(db, `email:${tokenHash(cfg, token)}`);
      return emailPage(ctx, current, { values: { email: raw }, formError: 'acct.email.err.unavailable' }, 503);
    }
    await audit(db, { action: 'email.change_requested', accountId: got.account.id, ip: ctx.ip, result: 'success' });
    emailPage(ctx, current, { sentTo: email.value, hours: EMAIL_LINK_HOURS });
  });

  // The link may be opened on another device (a phone's mail app): the token alone proves the address.
  // Opening it only shows a button, so mail scanners that follow links do not use it up.
  const pending = async (token: unknown) => (typeof token === 'string' && token.length < 100 ? loadFlow<{ accountId: string; email: string }>(db, `email:${tokenHash(cfg, token)}`, 'email_change') : undefined);
  r.get('/email/confirm', async (ctx) => {
    const f = await pending(ctx.query.token);
    if (!f) return render(ctx, 'account/email-confirm', { expired: true }, 410);
    render(ctx, 'account/email-confirm', { token: ctx.query.token, email: f.data.email });
  });
  r.post('/email/confirm', async (ctx) => {
    const token = (ctx.request.body as Record<string, unknown>).token;
    const f = await pending(token);
    if (!f) return render(ctx, 'account/email-confirm', { expired: true }, 410);
    const account = await findAccount(db, f.data.accountId);
    if (!account || account.status !== 'active') {
      await deleteFlow(db, f.id);
      return render(ctx, 'account/email-confirm', { expired: true }, 410);
    }
    const old = account.identifiers.find((i) => i.type === 'email')?.value;
    const changed = await db.transaction(async (trx) => {
      // Single use: only the request that deletes the link changes the address (parallel presses
      // of the button, or a copy of the link, find it gone).
      if (!(await takeFlow(trx, f.id))) return false;
      await trx('identifiers').where({ account_id: account.id, type: 'email' }).delete();
      await trx('identifiers').insert({ account_id: account.id, type: 'email', value: f.data.email, verified: true, primary: true });
      return true;
    });
    if (!changed) return render(ctx, 'account/email-confirm', { expired: true }, 410);
    await audit(db, { action: 'email.change', accountId: account.id, ip: ctx.ip, result: 'success' });
    const lang = langOf(ctx);
    if (old) await p.email.send({ to: old, subject: translate(lang, 'mail.email_changed.subject'), text: translate(lang, 'mail.email_changed.body', { email: maskEmail(f.data.email) }), idempotencyKey: `email-changed:${f.id}` }).catch(() => undefined);
    await notify(ctx, account, 'sms.email_changed', `email-changed:${f.id}`);
    render(ctx, 'account/email-confirm', { done: true, email: f.data.email });
  });
}
