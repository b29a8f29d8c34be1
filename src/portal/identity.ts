// Identity information (Thông tin định danh): what we know of the person and how it was proved.
// Name, birth date and ID numbers are read-only (verified sources); phone and email can change,
// each verified on the new address first.
import { createHash, randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { findAccount } from '../identity/accounts.ts';
import { audit } from '../identity/audit.ts';
import { formatDateVn, maskId, maskPhone, parseEmail, parsePhone } from '../identity/identifiers/index.ts';
import { otpStep } from '../interaction/otp-step.ts';
import { deleteFlow, loadFlow, saveFlow } from '../shared/flows.ts';
import { langOf, translate } from '../shared/i18n.ts';
import { hit } from '../shared/rate-limit.ts';
import { render } from '../web/render.ts';
import { connectedServices } from './activity.ts';
import type { PortalDeps } from './deps.ts';
import { linkableFor } from './security.ts';

const LEGAL = ['cccd', 'cmnd', 'mst', 'bhxh'];
const EMAIL_LINK_HOURS = 24;
const EMAIL_CHANGES_PER_DAY = 5;
const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/** a***@example.vn: enough to recognise one's own address, not to harvest it. */
export const maskEmail = (email: string) => email.replace(/^(.)[^@]*@/, '$1***@');

export function mountIdentity(r: Router, p: PortalDeps): void {
  const { db, cfg, auth, notify } = p;

  r.get('/', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const { account } = got;
    const ids = account.identifiers;
    const phone = ids.find((i) => i.type === 'phone');
    // What proved the level, and when: the newest event that set it.
    const proof = await db('audit_events').where({ account_id: account.id }).whereIn('action', ['account.register', 'account.level_raised', 'account.create'])
      .orderBy('at', 'desc').first('action', 'method', 'at');
    render(ctx, 'account/home', {
      account, services: await connectedServices(db, p.provider, account.id), revoked: ctx.query.revoked === '1',
      phoneChanged: ctx.query.phone === '1', emailChanged: ctx.query.email === '1', error: typeof ctx.query.error === 'string',
      birthdate: account.birthdate ? formatDateVn(account.birthdate) : undefined,
      legalIds: ids.filter((i) => LEGAL.includes(i.type)).map((i) => ({ type: i.type.toUpperCase(), masked: maskId(i.value) })),
      maskedPhone: phone ? maskPhone(phone.value) : undefined,
      email: ids.find((i) => i.type === 'email')?.value,
      proof: proof ? { method: p.methods.find((m) => m.id === proof.method)?.label[langOf(ctx)] ?? translate(langOf(ctx), `acct.proof.${String(proof.method)}`), at: new Date(proof.at).toISOString().slice(0, 10) } : undefined,
      raise: account.level < 3 ? linkableFor(p.methods, account).map((m) => ({ id: m.id, label: m.link })) : [],
    });
  });

  // Reveal the full ID numbers: only after a recent sign-in.
  r.get('/identity/reveal', async (ctx) => {
    const got = await auth.requireSession(ctx, true);
    if (!got) return;
    await audit(db, { action: 'identity.reveal', accountId: got.account.id, ip: ctx.ip, result: 'success' });
    render(ctx, 'account/reveal', { ids: got.account.identifiers.filter((i) => LEGAL.includes(i.type)).map((i) => ({ type: i.type.toUpperCase(), value: i.value })) });
  });

  // Everything we hold about the account, machine-readable (no secrets: no password hashes, no keys).
  r.get('/export', async (ctx) => {
    const got = await auth.requireSession(ctx, true);
    if (!got) return;
    const { account } = got;
    const credentials = await db('credentials').where({ account_id: account.id }).select('type', 'created_at', 'config');
    const history = await db('audit_events').where({ account_id: account.id }).orderBy('at', 'desc').limit(1000).select('at', 'action', 'method', 'result', 'ip', 'client_id');
    ctx.set('content-disposition', 'attachment; filename="dvc-id-my-data.json"');
    ctx.set('cache-control', 'no-store');
    ctx.body = {
      exportedAt: new Date().toISOString(),
      account: { id: account.id, type: account.subjectType, level: account.level, status: account.status, fullName: account.fullName, birthdate: account.birthdate, organisation: account.organisationName },
      identifiers: account.identifiers,
      credentials: credentials.map((c: { type: string; created_at: string; config: unknown }) => {
        const { hash: _h, secret: _s, codes: _c, ...safe } = (typeof c.config === 'string' ? JSON.parse(c.config) : c.config) as Record<string, unknown>;
        return { type: c.type, createdAt: c.created_at, details: safe };
      }),
      connectedServices: await connectedServices(db, p.provider, account.id),
      history,
    };
  });

  // Change phone: a recent sign-in, a code to the new number, a notice to the old one.
  const phoneStep = otpStep({ ...p, render, clientIp: (ctx) => ctx.ip }, 'phone_change', 'otp.sms.phone_change');
  const phoneFlow = (ctx: Context) => `phone:${auth.sessionKey(ctx)}`;
  r.get('/phone', async (ctx) => { if (await auth.requireSession(ctx, true)) render(ctx, 'account/phone', {}); });
  r.post('/phone', async (ctx) => {
    const got = await auth.requireSession(ctx, true);
    if (!got) return;
    const raw = String((ctx.request.body as Record<string, unknown>).phone ?? '');
    const phone = parsePhone(raw);
    if (!phone.ok) return render(ctx, 'account/phone', { values: { phone: raw }, errors: { phone: `reg.err.phone.${phone.error}` } }, 400);
    await saveFlow(db, { id: phoneFlow(ctx), kind: 'phone_change', state: 'otp', data: { phone: phone.value, accountId: got.account.id }, expiresAt: new Date(Date.now() + 15 * 60_000) });
    const sent = await phoneStep.send(ctx, phoneFlow(ctx), phone.value);
    ctx.status = 303;
    ctx.redirect(`/account/phone/verify${sent.ok ? '' : `?error=${sent.error}`}`);
  });
  const phoneLocals = (ctx: Context, phone: string) => ({ action: '/account/phone/verify', resendAction: '/account/phone/resend', backHref: '/account', backKey: 'common.back', lead: translate(langOf(ctx), 'act.otp.sent', { phone: maskPhone(phone) }) });
  r.get('/phone/verify', async (ctx) => {
    if (!(await auth.requireSession(ctx, true))) return;
    const f = await loadFlow<{ phone: string }>(db, phoneFlow(ctx), 'phone_change');
    if (!f) { ctx.redirect('/account/phone'); return; }
    phoneStep.page(ctx, phoneLocals(ctx, f.data.phone));
  });
  r.post('/phone/resend', async (ctx) => {
    if (!(await auth.requireSession(ctx, true))) return;
    const f = await loadFlow<{ phone: string }>(db, phoneFlow(ctx), 'phone_change');
    if (!f) { ctx.redirect('/account/phone'); return; }
    await phoneStep.resend(ctx, f.id, f.data.phone, phoneLocals(ctx, f.data.phone));
  });
  r.post('/phone/verify', async (ctx) => {
    const got = await auth.requireSession(ctx, true);
    if (!got) return;
    const f = await loadFlow<{ phone: string; accountId: string }>(db, phoneFlow(ctx), 'phone_change');
    if (!f || f.data.accountId !== got.account.id) { ctx.redirect('/account/phone'); return; }
    const checked = await phoneStep.verify(ctx, f.id, String((ctx.request.body as Record<string, unknown>).code ?? '').trim());
    if (!checked.ok) return phoneStep.page(ctx, phoneLocals(ctx, f.data.phone), checked, 400);
    await db.transaction(async (trx) => {
      await trx('identifiers').where({ account_id: got.account.id, type: 'phone' }).delete();
      await trx('identifiers').insert({ account_id: got.account.id, type: 'phone', value: f.data.phone, verified: true, primary: true });
    });
    await deleteFlow(db, f.id);
    await audit(db, { action: 'phone.change', accountId: got.account.id, ip: ctx.ip, result: 'success' });
    // The notice goes to the old number (the account as loaded before the change).
    if (!got.account.identifiers.some((i) => i.type === 'phone' && i.value === f.data.phone)) await notify(ctx, got.account, 'sms.phone_changed', `phonechange:${f.id}`);
    ctx.status = 303;
    ctx.redirect('/account?phone=1');
  });

  // Change email: a one-time link to the new address (24 h); the old address and the phone are told.
  const emailPage = (ctx: Context, current: string | undefined, extra: Record<string, unknown> = {}, status = 200) =>
    render(ctx, 'account/email', { current, ...extra }, status);
  r.get('/email', async (ctx) => {
    const got = await auth.requireSession(ctx, true);
    if (got) emailPage(ctx, got.account.identifiers.find((i) => i.type === 'email')?.value);
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
    await saveFlow(db, { id: `email:${tokenHash(token)}`, kind: 'email_change', state: 'sent', data: { accountId: got.account.id, email: email.value }, expiresAt: new Date(Date.now() + EMAIL_LINK_HOURS * 3600_000) });
    const lang = langOf(ctx);
    const link = `${cfg.issuer}/account/email/confirm?token=${token}`;
    try {
      await p.email.send({ to: email.value, subject: translate(lang, 'mail.email_verify.subject'), text: translate(lang, 'mail.email_verify.body', { link, hours: EMAIL_LINK_HOURS }), idempotencyKey: `email-verify:${tokenHash(token)}` });
    } catch {
      await deleteFlow(db, `email:${tokenHash(token)}`);
      return emailPage(ctx, current, { values: { email: raw }, formError: 'acct.email.err.unavailable' }, 503);
    }
    await audit(db, { action: 'email.change_requested', accountId: got.account.id, ip: ctx.ip, result: 'success' });
    emailPage(ctx, current, { sentTo: email.value, hours: EMAIL_LINK_HOURS });
  });

  // The link may be opened on another device (a phone's mail app): the token alone proves the address.
  // Opening it only shows a button, so mail scanners that follow links do not use it up.
  const pending = async (token: unknown) => (typeof token === 'string' && token.length < 100 ? loadFlow<{ accountId: string; email: string }>(db, `email:${tokenHash(token)}`, 'email_change') : undefined);
  r.get('/email/confirm', async (ctx) => {
    const f = await pending(ctx.query.token);
    if (!f) return render(ctx, 'account/email-confirm', { expired: true }, 410);
    render(ctx, 'account/email-confirm', { token: ctx.query.token, email: f.data.email });
  });
  r.post('/email/confirm', async (ctx) => {
    const token = (ctx.request.body as Record<string, unknown>).token;
    const f = await pending(token);
    if (!f) return render(ctx, 'account/email-confirm', { expired: true }, 410);
    await deleteFlow(db, f.id);
    const account = await findAccount(db, f.data.accountId);
    if (!account || account.status !== 'active') return render(ctx, 'account/email-confirm', { expired: true }, 410);
    const old = account.identifiers.find((i) => i.type === 'email')?.value;
    await db.transaction(async (trx) => {
      await trx('identifiers').where({ account_id: account.id, type: 'email' }).delete();
      await trx('identifiers').insert({ account_id: account.id, type: 'email', value: f.data.email, verified: true, primary: true });
    });
    await audit(db, { action: 'email.change', accountId: account.id, ip: ctx.ip, result: 'success' });
    const lang = langOf(ctx);
    if (old) await p.email.send({ to: old, subject: translate(lang, 'mail.email_changed.subject'), text: translate(lang, 'mail.email_changed.body', { email: maskEmail(f.data.email) }), idempotencyKey: `email-changed:${f.id}` }).catch(() => undefined);
    await notify(ctx, account, 'sms.email_changed', `email-changed:${f.id}`);
    render(ctx, 'account/email-confirm', { done: true, email: f.data.email });
  });
}
