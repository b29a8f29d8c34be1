// "Quên mật khẩu": ID number + captcha → OTP to the registered phone → new password → every session
// and refresh token of the account revoked, and an SMS notice. The answers are the same whether or
// not the ID exists: an unknown ID gets a flow whose code is never delivered.
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { findAccount, findAccountIdByIdentifier } from '../identity/accounts.ts';
import { audit } from '../identity/audit.ts';
import { addCredential, credentialsOf, updateCredential } from '../identity/credentials.ts';
import { parseMst, parsePersonalId } from '../identity/identifiers/index.ts';
import { clearPasswordThrottle } from '../identity/login-throttle.ts';
import { hashPassword, PASSWORD_CREDENTIAL, verifyPassword, type PasswordConfig } from '../identity/passwords.ts';
import { revokeEverything } from '../identity/sessions.ts';
import { FORGOT_PASSWORD_KIND } from '../identity/password-reset.ts';
import type { MethodDeps } from '../interaction/method.ts';
import { otpStep, type OtpPageLocals } from '../interaction/otp-step.ts';
import { passwordErrors } from '../interaction/registration.ts';
import { loadFlow, saveFlow, takeFlow, type Flow } from '../shared/flows.ts';
import { addMessages, langOf, translate } from '../shared/i18n.ts';
import { hit } from '../shared/rate-limit.ts';
import { pseudonym } from '../shared/digest.ts';

addMessages({
  'forgot.title': { vi: 'Quên mật khẩu', en: 'Forgot password' },
  'forgot.lead': { vi: 'Nhập số CCCD/CMND (hoặc mã số thuế) của tài khoản. Chúng tôi sẽ gửi mã xác thực đến số điện thoại đã đăng ký.', en: 'Type the ID number (or tax code) of the account. We will send a code to its registered phone.' },
  'forgot.username': { vi: 'Số CCCD/CMND hoặc mã số thuế', en: 'ID number or tax code' },
  'forgot.submit': { vi: 'Tiếp tục', en: 'Continue' },
  'forgot.otp.lead': { vi: 'Nếu số định danh bạn nhập có tài khoản, mã xác thực đã được gửi đến số điện thoại đã đăng ký của tài khoản đó.', en: 'If the number you typed has an account, a code was sent to the phone registered for it.' },
  'forgot.password.title': { vi: 'Đặt mật khẩu mới', en: 'Choose a new password' },
  'forgot.password.submit': { vi: 'Đổi mật khẩu', en: 'Change password' },
  'forgot.done.title': { vi: 'Đã đổi mật khẩu', en: 'Password changed' },
  'forgot.done.lead': { vi: 'Mật khẩu đã được đổi. Vì an toàn, tài khoản đã được đăng xuất khỏi mọi thiết bị. Vui lòng đăng nhập lại bằng mật khẩu mới.', en: 'Your password was changed. For your safety the account was signed out everywhere. Please sign in with the new password.' },
  'forgot.signin': { vi: 'Đăng nhập', en: 'Sign in' },
  'forgot.err.username': { vi: 'Vui lòng nhập số CCCD (12 số), CMND (9 số) hoặc mã số thuế.', en: 'Enter a 12-digit CCCD, a 9-digit CMND or a tax code.' },
  'otp.sms.reset': { vi: 'Ma OTP dat lai mat khau Cong DVC: {code}. Co hieu luc {minutes} phut. Neu ban khong yeu cau, hay bo qua tin nay.', en: 'DVC password reset code: {code}. Valid {minutes} min. If you did not ask, ignore this message.' },
  'sms.password_changed': { vi: 'Mat khau tai khoan Cong DVC cua ban vua duoc thay doi. Neu khong phai ban, hay lien he 18001096 ngay.', en: 'Your DVC account password was just changed. If this was not you, call 18001096 now.' },
});

const KIND = FORGOT_PASSWORD_KIND;
const PURPOSE = 'reset';
// An unknown ID still gets a challenge (never delivered, `phone` a pseudonym) so that limits and timing match.
interface Data { uid?: string | undefined; accountId: string | null; phone: string }

class ChangedMeanwhile extends Error {}

export function forgotPasswordRouter(deps: MethodDeps): Router {
  const { db, cfg, render, captcha } = deps;
  const router = new Router();
  const step = otpStep(deps, PURPOSE, 'otp.sms.reset');

  const uidOf = async (ctx: Context) => (ctx.params.uid ? (await deps.interaction(ctx)).uid : undefined);
  const baseOf = (uid: string | undefined) => (uid ? `/interaction/${uid}/forgot` : '/forgot');
  const startForm = async (ctx: Context, uid: string | undefined, extra: Record<string, unknown> = {}, status = 200) =>
    render(ctx, 'forgot/start', { uid, action: baseOf(uid), captcha: await captcha.create(ctx), ...extra }, status);
  const otpLocals = (ctx: Context, uid: string | undefined, flow: Flow<Data>): OtpPageLocals => ({
    uid, flowId: flow.id, lead: translate(langOf(ctx), 'forgot.otp.lead'), action: `${baseOf(uid)}/${flow.id}/otp`, resendAction: `${baseOf(uid)}/${flow.id}/resend`,
    backHref: baseOf(uid), backKey: 'common.back',
  });

  const load = async (ctx: Context, want: string) => {
    const uid = await uidOf(ctx);
    const flow = await loadFlow<Data>(db, String(ctx.params.flow), KIND);
    if (!flow || flow.data.uid !== uid) { render(ctx, 'register/expired', { uid, restartHref: baseOf(uid) }, 410); return undefined; }
    if (flow.state !== want) { ctx.status = 303; ctx.redirect(`${baseOf(uid)}/${flow.id}/${flow.state}`); return undefined; }
    return { uid, flow };
  };

  for (const prefix of ['/interaction/:uid/forgot', '/forgot']) {
    router.get(prefix, async (ctx) => startForm(ctx, await uidOf(ctx)));

    router.post(prefix, async (ctx) => {
      const uid = await uidOf(ctx);
      const body = ctx.request.body as Record<string, unknown>;
      const username = typeof body.username === 'string' ? body.username.trim() : '';
      const person = parsePersonalId(username);
      const mst = person.ok ? undefined : parseMst(username);
      const errors: Record<string, string> = {};
      if (!person.ok && !mst?.ok) errors.username = 'forgot.err.username';
      if (!(await captcha.check(body.captcha_id, body.captcha))) errors.captcha = 'reg.err.captcha';
      if (Object.keys(errors).length) return startForm(ctx, uid, { errors, values: { username } }, 400);
      if ((await hit(db, `reg:ip:${deps.clientIp(ctx)}`, 3600)) > cfg.registrationMaxPerIp) return startForm(ctx, uid, { formError: 'reg.too_many', values: { username } }, 429);

      const accountId = person.ok
        ? await findAccountIdByIdentifier(db, person.value.type, person.value.value)
        : await findAccountIdByIdentifier(db, 'mst', mst!.ok ? mst!.value : '');
      const account = accountId ? await findAccount(db, accountId) : undefined;
      const phone = account?.status === 'active' ? account.identifiers.find((i) => i.type === 'phone' && i.primary && i.verified)?.value : undefined;
      const id = randomBytes(16).toString('base64url');
      const flow: Flow<Data> = { id, kind: KIND, state: 'otp', data: { uid, accountId: phone ? account!.id : null, phone: phone ?? `unknown:${pseudonym(cfg.otpSecret, username)}` }, expiresAt: new Date(Date.now() + 30 * 60_000) };
      await saveFlow(db, flow);
      const sent = await step.send(ctx, id, flow.data.phone, !!phone);
      ctx.status = 303;
      ctx.redirect(`${baseOf(uid)}/${id}/otp${sent.ok ? '' : `?error=${sent.error}`}`);
    });

    router.get(`${prefix}/:flow/otp`, async (ctx) => {
      const f = await load(ctx, 'otp');
      if (f) await step.page(ctx, otpLocals(ctx, f.uid, f.flow));
    });
    router.post(`${prefix}/:flow/otp`, async (ctx) => {
      const f = await load(ctx, 'otp');
      if (!f) return;
      const code = typeof (ctx.request.body as Record<string, unknown>).code === 'string' ? String((ctx.request.body as Record<string, unknown>).code).trim() : '';
      const checked = await step.verify(ctx, f.flow.id, code);
      if (!checked.ok || !f.flow.data.accountId) {
        const errs = checked.ok ? { errors: { code: 'otp.err.wrong' }, errorParams: { left: 0 } } : checked;
        return step.page(ctx, otpLocals(ctx, f.uid, f.flow), errs, 400);
      }
      await saveFlow(db, { ...f.flow, state: 'password' });
      ctx.status = 303;
      ctx.redirect(`${baseOf(f.uid)}/${f.flow.id}/password`);
    });
    router.post(`${prefix}/:flow/resend`, async (ctx) => {
      const f = await load(ctx, 'otp');
      if (f) await step.resend(ctx, f.flow.id, f.flow.data.phone, otpLocals(ctx, f.uid, f.flow), !!f.flow.data.accountId);
    });

    const passwordPage = (ctx: Context, uid: string | undefined, flow: Flow<Data>, extra: Record<string, unknown> = {}, status = 200) =>
      render(ctx, 'register/password', { uid, action: `${baseOf(uid)}/${flow.id}/password`, submitKey: 'forgot.password.submit', ...extra }, status);

    router.get(`${prefix}/:flow/password`, async (ctx) => {
      const f = await load(ctx, 'password');
      if (f) passwordPage(ctx, f.uid, f.flow);
    });
    router.post(`${prefix}/:flow/password`, async (ctx) => {
      const f = await load(ctx, 'password');
      if (!f || !f.flow.data.accountId) return;
      const accountId = f.flow.data.accountId;
      const body = ctx.request.body as Record<string, unknown>;
      const errors = passwordErrors(body.password, body.password2);
      const [cred] = await credentialsOf<PasswordConfig>(db, accountId, PASSWORD_CREDENTIAL);
      if (!errors.password && cred && (await verifyPassword(cred.config.hash, String(body.password)))) errors.password = 'reg.err.password.same_as_current';
      if (Object.keys(errors).length) return passwordPage(ctx, f.uid, f.flow, { errors }, 400);
      const config: PasswordConfig = { hash: await hashPassword(String(body.password)), changedAt: new Date().toISOString() };
      // The flow is consumed in the same transaction as the write: of two submissions at once (any node),
      // exactly one sets the password; the other finds the link used.
      const won = await db.transaction(async (trx) => {
        if (!(await takeFlow(trx, f.flow.id, 'password'))) return false;
        if (cred) {
          // Changed meanwhile (e.g. in the portal): nothing is written, the link stays usable.
          if (!(await updateCredential(trx, cred, config))) throw new ChangedMeanwhile();
        } else {
          await addCredential(trx, accountId, PASSWORD_CREDENTIAL, config);
        }
        return true;
      }).catch((e: unknown) => { if (e instanceof ChangedMeanwhile) return false; throw e; });
      if (!won) { render(ctx, 'register/expired', { uid: f.uid, restartHref: baseOf(f.uid) }, 410); return; }
      // A new password ends any password-guessing lock, including the one that disabled password login.
      await clearPasswordThrottle(db, cfg.otpSecret, accountId);
      const revoked = await revokeEverything(db, accountId);
      await audit(db, { action: 'password.reset', accountId, ip: deps.clientIp(ctx), userAgent: ctx.get('user-agent'), result: 'success', details: { revoked } });
      await deps.sms.send({ to: f.flow.data.phone, text: translate(langOf(ctx), 'sms.password_changed'), idempotencyKey: `pwchanged:${f.flow.id}` }).catch(() => undefined);
      render(ctx, 'forgot/done', { uid: f.uid, signinHref: f.uid ? `/interaction/${f.uid}/password_otp` : undefined });
    });
  }
  return router;
}
