// Activating an account registered at a post office: the SMS link → a code to the registered phone
// → a password (seed rule) → the account can sign in. Links expire (72 h) and work once.
import Router from '@koa/router';
import type { Context } from 'koa';
import { findAccount } from '../identity/accounts.ts';
import { audit } from '../identity/audit.ts';
import { addCredential } from '../identity/credentials.ts';
import { maskPhone } from '../identity/identifiers/index.ts';
import { hashPassword, PASSWORD_CREDENTIAL, type PasswordConfig } from '../identity/passwords.ts';
import type { MethodDeps } from '../interaction/method.ts';
import { otpStep, type OtpPageLocals } from '../interaction/otp-step.ts';
import { passwordErrors } from '../interaction/registration.ts';
import { loadFlow, saveFlow, takeFlow, type Flow } from '../shared/flows.ts';
import { addMessages, langOf, translate } from '../shared/i18n.ts';
import { ACTIVATION_KIND, activationFlowId } from './register.ts';

addMessages({
  'act.title': { vi: 'Kích hoạt tài khoản', en: 'Activate your account' },
  'act.lead': { vi: 'Tài khoản của bạn đã được tạo tại bưu cục (mức độ 3). Để kích hoạt, chúng tôi sẽ gửi mã xác thực đến số điện thoại {phone}.', en: 'Your account was created at a post office (level 3). To activate it we will send a code to {phone}.' },
  'act.send': { vi: 'Gửi mã xác thực', en: 'Send the code' },
  'act.otp.sent': { vi: 'Mã xác thực đã được gửi qua SĐT: {phone}', en: 'A code was sent by SMS to {phone}' },
  'act.password.title': { vi: 'Đặt mật khẩu', en: 'Choose a password' },
  'act.submit': { vi: 'Kích hoạt', en: 'Activate' },
  'act.done.title': { vi: 'Tài khoản đã được kích hoạt', en: 'Your account is active' },
  'act.done.lead': { vi: 'Bạn có thể đăng nhập bằng số CCCD/CMND và mật khẩu vừa đặt.', en: 'You can now sign in with your ID number and the password you chose.' },
  'act.expired.title': { vi: 'Liên kết kích hoạt không còn hiệu lực', en: 'This activation link is no longer valid' },
  'act.expired.lead': { vi: 'Liên kết đã hết hạn (72 giờ) hoặc đã được sử dụng. Vui lòng quay lại bưu cục để được cấp liên kết mới.', en: 'The link has expired (72 hours) or was already used. Please go back to the post office for a new one.' },
  'otp.sms.activate': { vi: 'Ma OTP kich hoat tai khoan Cong DVC: {code}. Co hieu luc {minutes} phut.', en: 'DVC activation code: {code}. Valid {minutes} min.' },
});

interface Data { accountId: string }

export function activationRouter(deps: MethodDeps): Router {
  const { db, cfg, render } = deps;
  const r = new Router();
  const step = otpStep(deps, 'activate', 'otp.sms.activate');
  const base = (code: string) => `/activate/${code}`;

  const load = async (ctx: Context, want?: string) => {
    const code = String(ctx.params.code);
    const flow = /^[A-Za-z0-9_-]{16}$/.test(code) ? await loadFlow<Data>(db, activationFlowId(cfg.otpSecret, code), ACTIVATION_KIND) : undefined;
    const account = flow ? await findAccount(db, flow.data.accountId) : undefined;
    if (!flow || !account || account.status !== 'pending_activation') { render(ctx, 'activate/expired', {}, 410); return undefined; }
    if (want && flow.state !== want) { ctx.status = 303; ctx.redirect(`${base(code)}${flow.state === 'start' ? '' : `/${flow.state}`}`); return undefined; }
    const phone = account.identifiers.find((i) => i.type === 'phone')!.value;
    return { code, flow, account, phone };
  };
  const otpLocals = (ctx: Context, code: string, phone: string, flowId?: string): OtpPageLocals => ({
    flowId, action: `${base(code)}/otp`, resendAction: `${base(code)}/resend`, lead: translate(langOf(ctx), 'act.otp.sent', { phone: maskPhone(phone) }),
  });

  r.get('/activate/:code', async (ctx) => {
    const f = await load(ctx, 'start');
    if (f) render(ctx, 'activate/start', { action: `${base(f.code)}/send`, maskedPhone: maskPhone(f.phone) });
  });
  r.post('/activate/:code/send', async (ctx) => {
    const f = await load(ctx);
    if (!f) return;
    const sent = await step.send(ctx, f.flow.id, f.phone);
    await saveFlow(db, { ...f.flow, state: 'otp' } as Flow<Data>);
    ctx.status = 303;
    ctx.redirect(`${base(f.code)}/otp${sent.ok ? '' : `?error=${sent.error}`}`);
  });
  r.get('/activate/:code/otp', async (ctx) => {
    const f = await load(ctx, 'otp');
    if (f) await step.page(ctx, otpLocals(ctx, f.code, f.phone, f.flow.id));
  });
  r.post('/activate/:code/otp', async (ctx) => {
    const f = await load(ctx, 'otp');
    if (!f) return;
    const checked = await step.verify(ctx, f.flow.id, String((ctx.request.body as Record<string, unknown>).code ?? '').trim());
    if (!checked.ok) return step.page(ctx, otpLocals(ctx, f.code, f.phone, f.flow.id), checked, 400);
    await saveFlow(db, { ...f.flow, state: 'password' });
    ctx.status = 303;
    ctx.redirect(`${base(f.code)}/password`);
  });
  r.post('/activate/:code/resend', async (ctx) => {
    const f = await load(ctx, 'otp');
    if (f) await step.resend(ctx, f.flow.id, f.phone, otpLocals(ctx, f.code, f.phone, f.flow.id));
  });
  r.get('/activate/:code/password', async (ctx) => {
    const f = await load(ctx, 'password');
    if (f) render(ctx, 'register/password', { action: `${base(f.code)}/password`, submitKey: 'act.submit' });
  });
  r.post('/activate/:code/password', async (ctx) => {
    const f = await load(ctx, 'password');
    if (!f) return;
    const body = ctx.request.body as Record<string, unknown>;
    const errors = passwordErrors(body.password, body.password2);
    if (Object.keys(errors).length) return render(ctx, 'register/password', { action: `${base(f.code)}/password`, submitKey: 'act.submit', errors }, 400);
    const config: PasswordConfig = { hash: await hashPassword(String(body.password)), changedAt: new Date().toISOString() };
    const activated = await db.transaction(async (trx) => {
      // Single use: only the request that deletes the link goes on; in the same transaction, so a
      // failure below leaves the link usable and nothing changed.
      if (!(await takeFlow(trx, f.flow.id, 'password'))) return false;
      await addCredential(trx, f.account.id, PASSWORD_CREDENTIAL, config);
      await trx('identifiers').where({ account_id: f.account.id, type: 'phone' }).update({ verified: true });
      await trx('accounts').where({ id: f.account.id }).update({ status: 'active', updated_at: trx.fn.now() });
      return true;
    });
    if (!activated) return render(ctx, 'activate/expired', {}, 410);
    await audit(db, { action: 'account.activate', accountId: f.account.id, ip: deps.clientIp(ctx), result: 'success' });
    render(ctx, 'activate/done', {});
  });
  return r;
}
