// The SMS-code step shared by login, registration and forgot password: send, show, verify.
import type { Context } from 'koa';
import type { MethodDeps } from './method.ts';
import { langOf, translate } from '../shared/i18n.ts';
import { vnMinute } from '../shared/vn-time.ts';

export const SEND_ERRORS = ['sms_unavailable', 'rate_limited', 'cooldown'] as const;

export interface OtpPageLocals {
  lead?: string | undefined;
  action: string;
  resendAction: string;
  backHref?: string;
  backKey?: string;
  uid?: string | undefined;
  lostPhone?: boolean;
  /** The flow the code belongs to: the page then says when "resend" is possible again. */
  flowId?: string;
}

export function otpStep(deps: Pick<MethodDeps, 'otp' | 'cfg' | 'render' | 'clientIp'>, purpose: string, smsKey: string) {
  const minutes = Math.round(deps.cfg.otpTtlSeconds / 60);

  /** `identity`: the normalised ID number the code is for, when there is one (capped across phones). */
  const send = (ctx: Context, flowId: string, phone: string, deliver = true, identity?: string) => {
    const lang = langOf(ctx);
    return deps.otp.send({ purpose, flowId, phone, ip: deps.clientIp(ctx), deliver, identity, message: (code) => translate(lang, smsKey, { code, minutes }) });
  };

  const page = async (ctx: Context, locals: OtpPageLocals, extra: Record<string, unknown> = {}, status = 200) => {
    const error = SEND_ERRORS.find((e) => e === ctx.query.error);
    // The cooldown is shown before anyone clicks: seconds for the countdown script, the time for a page without it.
    const at = locals.flowId ? await deps.otp.resendAt(locals.flowId, purpose) : undefined;
    const resendWait = at ? Math.max(0, Math.ceil((at.getTime() - Date.now()) / 1000)) : 0;
    const resendAfter = resendWait ? vnMinute(at!).replace(/^\S+ /, '') : undefined;
    deps.render(ctx, 'otp', { minutes, resendWait, resendAfter, ...locals, ...(error ? { formError: `otp.err.${error}` } : {}), ...extra }, status);
  };

  /** Verifies the code; on failure returns the page locals that explain it. */
  const verify = async (ctx: Context, flowId: string, code: string): Promise<{ ok: true } | { ok: false; errors: Record<string, string>; errorParams: Record<string, number> }> => {
    if (!/^\d{6}$/.test(code)) return { ok: false, errors: { code: 'otp.err.format' }, errorParams: {} };
    const { result, attempts } = await deps.otp.verify({ purpose, flowId, code });
    if (result === 'ok') return { ok: true };
    return { ok: false, errors: { code: `otp.err.${result}` }, errorParams: { left: Math.max(0, deps.cfg.otpMaxAttempts - attempts) } };
  };

  /** Resend: the page with "sent" or with why not. */
  const resend = async (ctx: Context, flowId: string, phone: string, locals: OtpPageLocals, deliver = true, identity?: string) => {
    const sent = await send(ctx, flowId, phone, deliver, identity);
    if (sent.ok) return page(ctx, { ...locals, flowId }, { notice: 'otp.resent' });
    const seconds = sent.resendAt ? Math.ceil((sent.resendAt.getTime() - Date.now()) / 1000) : 0;
    return page(ctx, { ...locals, flowId }, { formError: `otp.err.${sent.error}`, formErrorParams: { seconds } }, 429);
  };

  return { send, page, verify, resend };
}
