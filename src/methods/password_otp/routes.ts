// L1 steps: /interaction/:uid/password_otp (ID + password + captcha) → …/otp (SMS code) → finish.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Account } from '../../identity/accounts.ts';
import { audit } from '../../identity/audit.ts';
import { credentialsOf, type Credential } from '../../identity/credentials.ts';
import { maskPhone } from '../../identity/identifiers/index.ts';
import { admitGuess, lockedBy, lockNoticeDue, loginSubject, recordSuccess, type Refusal } from '../../identity/login-throttle.ts';
import { smsNotifier } from '../../identity/notices.ts';
import { afterPasswordProved } from '../../identity/legacy-password-upgrade.ts';
import { burnPasswordTime, PASSWORD_CREDENTIAL, verifyPassword, type PasswordConfig } from '../../identity/passwords.ts';
import type { LoginPageLocals, MethodDeps } from '../../interaction/method.ts';
import { otpStep, type OtpPageLocals } from '../../interaction/otp-step.ts';
import { deleteFlow, loadFlow, saveFlow } from '../../shared/flows.ts';
import { translate, langOf } from '../../shared/i18n.ts';
import { hit } from '../../shared/rate-limit.ts';
import { TOTP_CREDENTIAL, verifySecondFactor } from '../../identity/totp.ts';
import { deviceCookies } from '../../web/device-cookie.ts';

const ID = 'password_otp';
const OTP_PURPOSE = 'login';
interface FlowData { accountId: string; phone: string }

type Body = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

// What the page says for each limit met (README "Throttling policy": why, for how long, what still works).
const REFUSAL_MESSAGE: Record<Refusal, string> = {
  account: 'pwotp.err.locked', disabled: 'pwotp.err.disabled', ip: 'pwotp.err.ip_locked', device: 'pwotp.err.device_locked',
};
const LOCK_SMS = { window: 'sms.login_locked', disabled: 'sms.login_disabled' } as const;

function primaryPhone(a: Account): string | undefined {
  return a.identifiers.find((i) => i.type === 'phone' && i.primary && i.verified)?.value;
}

/** The form, on its own page or as the login page with the other methods `beside` it (errors and typed values in `extra`). */
export async function showLoginForm(ctx: Context, deps: Pick<MethodDeps, 'captcha' | 'render' | 'interaction'>, extra: Record<string, unknown> = {}, status = 200): Promise<void> {
  const d = await deps.interaction(ctx); // the request's own copy: no second find
  deps.render(ctx, 'methods/password_otp/login', { uid: d.uid, captcha: await deps.captcha.create(ctx), values: { username: d.params.login_hint ?? '' }, ...extra }, status);
}

export const passwordLoginPage = (ctx: Context, deps: MethodDeps, beside: LoginPageLocals) => showLoginForm(ctx, deps, { beside });

export function mountPasswordOtp(router: Router, deps: MethodDeps): void {
  const { cfg, db, captcha, render } = deps;
  const devices = deviceCookies({ keys: cfg.cookieKeys, pseudonymSecret: cfg.otpSecret, maxAgeDays: cfg.deviceCookieDays });
  const notify = smsNotifier(deps.sms);
  const step = otpStep(deps, OTP_PURPOSE, 'otp.sms.login');
  const base = `/interaction/:uid/${ID}`;
  const flowId = (uid: string) => `${uid}:${ID}`;

  const showForm = (ctx: Context, extra: Record<string, unknown>, status: number) => showLoginForm(ctx, deps, extra, status);

  router.get(base, async (ctx) => showLoginForm(ctx, deps));

  router.post(base, async (ctx) => {
    const d = await deps.interaction(ctx);
    const body = ctx.request.body as Body;
    const username = str(body.username).trim();
    const password = str(body.password);
    const errors: Record<string, string> = {};
    const subject = await loginSubject(db, cfg.otpSecret, username);
    if (subject === null) errors.username = 'pwotp.err.username';
    if (!password) errors.password = 'pwotp.err.password_required';
    if (!(await captcha.check(body.captcha_id, body.captcha))) errors.captcha = 'pwotp.err.captcha';
    if (!subject || Object.keys(errors).length) return showForm(ctx, { errors, values: { username } }, 400);

    // Counted before the check (src/identity/login-throttle.ts): parallel guesses cannot get past a limit.
    const ip = deps.clientIp(ctx);
    const device = subject.accountId ? devices.read(ctx, subject.accountId) : undefined;
    const admitted = await admitGuess(db, cfg, subject, ip, device?.nonce);
    if (!admitted.ok) {
      await audit(db, { action: 'login', accountId: subject.accountId, ip, method: ID, result: 'failure', details: { reason: 'throttled', limit: admitted.reason } });
      return showForm(ctx, { formError: REFUSAL_MESSAGE[admitted.reason], formErrorParams: { minutes: Math.ceil(cfg.loginWindowSeconds / 60) }, values: { username } }, 429);
    }

    const account = subject.account;
    // Every credential in one read: the password's, and whether an authenticator app replaces the SMS.
    const creds = account ? await credentialsOf<unknown>(db, account.id) : [];
    const cred = creds.find((c) => c.type === PASSWORD_CREDENTIAL) as Credential<PasswordConfig> | undefined;
    const ok = cred ? await verifyPassword(cred.config.hash, password) : (await burnPasswordTime(password), false);
    if (!ok || !account || account.status !== 'active') {
      await audit(db, { action: 'login', accountId: account?.id, ip, userAgent: ctx.get('user-agent'), method: ID, result: 'failure', clientId: String(d.params.client_id), details: { reason: 'credentials', trustedDevice: admitted.ticket.trusted } });
      const lock = lockedBy(cfg, admitted.ticket);
      if (lock && account && (await lockNoticeDue(db, cfg, admitted.ticket, lock))) {
        await notify(ctx, account, LOCK_SMS[lock], `login-${lock}:${account.id}:${Math.floor(Date.now() / 1000 / cfg.loginWindowSeconds)}`);
      }
      return showForm(ctx, { formError: 'pwotp.err.credentials', values: { username } }, 400);
    }
    // An imported legacy hash becomes argon2id now; a weak one may have to be reset first (IMPORT_WEAK_HASH_POLICY).
    if ((await afterPasswordProved(db, cred!, password, cfg.importWeakHashPolicy, { ip, method: ID })) === 'reset') {
      return showForm(ctx, { formError: 'pwotp.err.reset_required', values: { username } }, 400);
    }
    await recordSuccess(db, cfg, admitted.ticket);

    const phone = primaryPhone(account);
    if (!phone) return showForm(ctx, { formError: 'pwotp.err.no_phone', values: { username } }, 400);
    await saveFlow<FlowData>(db, { id: flowId(d.uid), kind: ID, state: 'otp', data: { accountId: account.id, phone }, expiresAt: new Date(Date.now() + 1800_000) });
    // An enrolled authenticator app replaces the SMS (which stays one click away).
    if (creds.some((c) => c.type === TOTP_CREDENTIAL)) {
      ctx.status = 303;
      return ctx.redirect(`/interaction/${d.uid}/${ID}/totp`);
    }
    const sent = await step.send(ctx, flowId(d.uid), phone);
    ctx.status = 303;
    ctx.redirect(`/interaction/${d.uid}/${ID}/otp${sent.ok ? '' : `?error=${sent.error}`}`);
  });

  const currentFlow = async (ctx: Context) => {
    const d = await deps.interaction(ctx);
    const flow = await loadFlow<FlowData>(db, flowId(d.uid), ID);
    return { d, flow };
  };

  router.get(`${base}/otp`, async (ctx) => {
    const { d, flow } = await currentFlow(ctx);
    if (!flow) return ctx.redirect(`/interaction/${d.uid}/${ID}`);
    await step.page(ctx, leadFor(ctx, d.uid, flow.data.phone, typeof ctx.query.error === 'string'));
  });

  router.post(`${base}/otp`, async (ctx) => {
    const { d, flow } = await currentFlow(ctx);
    if (!flow) return ctx.redirect(`/interaction/${d.uid}/${ID}`);
    const checked = await step.verify(ctx, flowId(d.uid), str((ctx.request.body as Body).code).trim());
    if (!checked.ok) {
      await audit(db, { action: 'login', accountId: flow.data.accountId, ip: deps.clientIp(ctx), method: ID, result: 'failure', details: { reason: checked.errors.code } });
      return step.page(ctx, leadFor(ctx, d.uid, flow.data.phone), checked, 400);
    }
    await deleteFlow(db, flowId(d.uid));
    devices.issue(ctx, flow.data.accountId);
    await deps.finishLogin(ctx, { accountId: flow.data.accountId, methodId: ID, amr: ['pwd', 'sms', 'mfa'] });
  });

  router.post(`${base}/resend`, async (ctx) => {
    const { d, flow } = await currentFlow(ctx);
    if (!flow) return ctx.redirect(`/interaction/${d.uid}/${ID}`);
    await step.resend(ctx, flowId(d.uid), flow.data.phone, leadFor(ctx, d.uid, flow.data.phone));
  });

  router.get(`${base}/totp`, async (ctx) => {
    const { d, flow } = await currentFlow(ctx);
    if (!flow) return ctx.redirect(`/interaction/${d.uid}/${ID}`);
    render(ctx, 'methods/password_otp/totp', { uid: d.uid });
  });
  router.post(`${base}/totp`, async (ctx) => {
    const { d, flow } = await currentFlow(ctx);
    if (!flow) return ctx.redirect(`/interaction/${d.uid}/${ID}`);
    const code = str((ctx.request.body as Body).code);
    const used = await verifySecondFactor(db, cfg.keyEncryptionSecret, cfg.otpSecret, flow.data.accountId, code);
    if (!used) {
      await audit(db, { action: 'login', accountId: flow.data.accountId, ip: deps.clientIp(ctx), method: ID, result: 'failure', details: { reason: 'totp' } });
      // The same counter as SMS codes: too many wrong codes end the attempt.
      if ((await hit(db, `totp:${flowId(d.uid)}`, 1800)) >= cfg.otpMaxAttempts) { await deleteFlow(db, flowId(d.uid)); return ctx.redirect(`/interaction/${d.uid}/${ID}`); }
      return render(ctx, 'methods/password_otp/totp', { uid: d.uid, errors: { code: 'pwotp.totp.err' } }, 400);
    }
    await deleteFlow(db, flowId(d.uid));
    devices.issue(ctx, flow.data.accountId);
    await deps.finishLogin(ctx, { accountId: flow.data.accountId, methodId: ID, amr: ['pwd', 'otp', 'mfa'] });
  });
  // "Send a code by SMS instead".
  router.post(`${base}/sms`, async (ctx) => {
    const { d, flow } = await currentFlow(ctx);
    if (!flow) return ctx.redirect(`/interaction/${d.uid}/${ID}`);
    const sent = await step.send(ctx, flowId(d.uid), flow.data.phone);
    ctx.status = 303;
    ctx.redirect(`/interaction/${d.uid}/${ID}/otp${sent.ok ? '' : `?error=${sent.error}`}`);
  });

  function leadFor(ctx: Context, uid: string, phone: string, notSent = false): OtpPageLocals {
    return {
      uid, lostPhone: true, backHref: `/interaction/${uid}`, flowId: flowId(uid),
      action: `/interaction/${uid}/${ID}/otp`, resendAction: `/interaction/${uid}/${ID}/resend`,
      lead: notSent ? undefined : translate(langOf(ctx), 'pwotp.otp.sent', { phone: maskPhone(phone) }),
    };
  }
}
