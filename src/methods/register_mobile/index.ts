// R1: citizen registration by mobile subscriber — the carrier confirms the number is registered
// to this person ("chính chủ"), then SMS OTP and password. Level 2. Whether the ID number already
// has an account is told only after the carrier's match and the code (registration.ts).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { defineMethod, type MethodDeps } from '../../interaction/method.ts';
import { parsePersonForm, registrationPaths, registrationSteps } from '../../interaction/registration.ts';

const ID = 'register_mobile';

function mount(router: Router, deps: MethodDeps): void {
  const reg = registrationSteps(deps);
  const form = async (ctx: Context, uid: string | undefined, extra: Record<string, unknown> = {}, status = 200) =>
    deps.render(ctx, 'register/form', { uid, methodId: ID, titleKey: 'reg.mobile.title', leadKey: 'reg.mobile.lead', captcha: await deps.captcha.create(ctx), ...extra }, status);

  for (const prefix of registrationPaths(ID)) {
    router.get(prefix, async (ctx) => form(ctx, await reg.uidOf(ctx)));
    router.post(prefix, async (ctx) => {
      const uid = await reg.uidOf(ctx);
      const body = ctx.request.body as Record<string, unknown>;
      const parsed = parsePersonForm(body);
      if (!(await deps.captcha.check(body.captcha_id, body.captcha))) parsed.errors.captcha = 'reg.err.captcha';
      if (!parsed.person || parsed.errors.captcha) return form(ctx, uid, { values: parsed.values, errors: parsed.errors }, 400);
      if (!(await reg.allowQuery(ctx))) return form(ctx, uid, { values: parsed.values, formError: 'reg.too_many' }, 429);
      const p = parsed.person;
      const verdict = await reg.ask(ctx, uid, ID, () => deps.connectors.carrier.checkSubscriber({ phone: p.phone, idNumber: p.idNumber, fullName: p.fullName, birthdate: p.birthdate }));
      if (!verdict) return;
      // Which field differed is not told: a stranger must not learn who owns a number.
      if (verdict.value !== 'match') return reg.cannot(ctx, uid, ID, 'reg.cannot.mobile');
      await reg.begin(ctx, ID, uid, p);
    });
  }
  reg.mount(router, ID, ['pwd', 'sms', 'mfa']);
}

export const registerMobileMethod = defineMethod({
  id: ID,
  label: { vi: 'Thuê bao di động', en: 'Mobile subscriber' },
  hint: { vi: 'Số điện thoại đã đăng ký chính chủ — tài khoản mức độ 2', en: 'A phone registered in your own name — level 2 account' },
  purposes: ['registration'],
  standalone: true,
  subjectTypes: ['citizen'],
  ceiling: 2,
  amr: ['pwd', 'sms', 'mfa'],
  requiresKnownAccount: false,
  mount,
});
