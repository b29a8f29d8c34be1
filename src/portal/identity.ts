// Identity information (Thông tin định danh): what we know of the person and how it was proved.
// Name, birth date and ID numbers are read-only (verified sources); the phone can change, verified
// by a code to the new number (the email: email.ts).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { audit } from '../identity/audit.ts';
import { setPhone } from '../identity/accounts.ts';
import { credentialsOf } from '../identity/credentials.ts';
import { formatDateVn, maskId, maskPhone, parsePhone } from '../identity/identifiers/index.ts';
import { otpStep } from '../interaction/otp-step.ts';
import { deleteFlow, loadFlow, saveFlow } from '../shared/flows.ts';
import { langOf, translate } from '../shared/i18n.ts';
import { render } from '../web/render.ts';
import { vnDate } from '../shared/vn-time.ts';
import { connectedServices } from './activity.ts';
import type { PortalDeps } from './deps.ts';
import { linkableFor } from './security.ts';

const LEGAL = ['cccd', 'cmnd', 'mst', 'bhxh'];

export function mountIdentity(r: Router, p: PortalDeps): void {
  const { db, auth, notify } = p;

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
      proof: proof ? { method: p.methods.find((m) => m.id === proof.method)?.label[langOf(ctx)] ?? translate(langOf(ctx), `acct.proof.${String(proof.method)}`), at: vnDate(new Date(proof.at)) } : undefined,
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
    const credentials = await credentialsOf(db, account.id);
    const history = await db('audit_events').where({ account_id: account.id }).orderBy('at', 'desc').limit(1000).select('at', 'action', 'method', 'result', 'ip', 'client_id');
    ctx.set('content-disposition', 'attachment; filename="dvc-id-my-data.json"');
    ctx.set('cache-control', 'no-store');
    ctx.body = {
      exportedAt: new Date().toISOString(),
      account: { id: account.id, type: account.subjectType, level: account.level, status: account.status, fullName: account.fullName, birthdate: account.birthdate, organisation: account.organisationName },
      identifiers: account.identifiers,
      credentials: credentials.map((c) => {
        const { hash: _h, secret: _s, codes: _c, ...safe } = c.config;
        return { type: c.type, createdAt: c.createdAt.toISOString(), details: safe };
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
  const phoneLocals = (ctx: Context, phone: string) => ({ flowId: phoneFlow(ctx), action: '/account/phone/verify', resendAction: '/account/phone/resend', backHref: '/account', backKey: 'common.back', lead: translate(langOf(ctx), 'act.otp.sent', { phone: maskPhone(phone) }) });
  r.get('/phone/verify', async (ctx) => {
    if (!(await auth.requireSession(ctx, true))) return;
    const f = await loadFlow<{ phone: string }>(db, phoneFlow(ctx), 'phone_change');
    if (!f) { ctx.redirect('/account/phone'); return; }
    await phoneStep.page(ctx, phoneLocals(ctx, f.data.phone));
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
    await db.transaction((trx) => setPhone(trx, got.account.id, f.data.phone));
    await deleteFlow(db, f.id);
    await audit(db, { action: 'phone.change', accountId: got.account.id, ip: ctx.ip, result: 'success' });
    // The notice goes to the old number (the account as loaded before the change).
    if (!got.account.identifiers.some((i) => i.type === 'phone' && i.value === f.data.phone)) await notify(ctx, got.account, 'sms.phone_changed', `phonechange:${f.id}`);
    ctx.status = 303;
    ctx.redirect('/account?phone=1');
  });
}
