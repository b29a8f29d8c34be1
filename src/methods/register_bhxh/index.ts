// R2: citizen registration by social insurance — every typed field must match the BHXH registry;
// the duplicate check uses the registry's ID number. Then SMS OTP and password. Level 2.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { namesMatch, parseBhxh } from '../../identity/identifiers/index.ts';
import { defineMethod, type MethodDeps } from '../../interaction/method.ts';
import { parsePersonForm, registrationPaths, registrationSteps } from '../../interaction/registration.ts';
import { addMessages } from '../../shared/i18n.ts';

const ID = 'register_bhxh';

addMessages({
  'reg.bhxh.code': { vi: 'Mã số BHXH', en: 'Social-insurance (BHXH) code' },
  'reg.bhxh.code.hint': { vi: 'Là 10 số cuối của mã thẻ BHYT (hoặc nhập cả mã thẻ 15 ký tự).', en: 'The last 10 digits of your health-insurance card (or type the whole 15-character card number).' },
  'reg.bhxh.lookup': { vi: 'Tra cứu mã số BHXH', en: 'Look up your BHXH code' },
  'reg.err.bhxh.required': { vi: 'Vui lòng nhập mã số BHXH.', en: 'Enter your BHXH code.' },
  'reg.err.bhxh.format': { vi: 'Mã số BHXH gồm 10 chữ số (hoặc mã thẻ BHYT 15 ký tự).', en: 'A BHXH code has 10 digits (or a 15-character health-insurance card number).' },
});

function mount(router: Router, deps: MethodDeps): void {
  const reg = registrationSteps(deps);
  const form = async (ctx: Context, uid: string | undefined, extra: Record<string, unknown> = {}, status = 200) =>
    deps.render(ctx, 'register/form', { uid, methodId: ID, bhxh: true, titleKey: 'reg.bhxh.title', leadKey: 'reg.bhxh.lead', captcha: await deps.captcha.create(ctx), ...extra }, status);

  for (const prefix of registrationPaths(ID)) {
    router.get(prefix, async (ctx) => form(ctx, await reg.uidOf(ctx)));
    router.post(prefix, async (ctx) => {
      const uid = await reg.uidOf(ctx);
      const body = ctx.request.body as Record<string, unknown>;
      const parsed = parsePersonForm(body);
      const bhxhRaw = typeof body.bhxh === 'string' ? body.bhxh : '';
      parsed.values.bhxh = bhxhRaw.trim();
      const bhxh = parseBhxh(bhxhRaw);
      if (!bhxh.ok) parsed.errors.bhxh = `reg.err.bhxh.${bhxh.error}`;
      if (!(await deps.captcha.check(body.captcha_id, body.captcha))) parsed.errors.captcha = 'reg.err.captcha';
      if (!parsed.person || !bhxh.ok || parsed.errors.captcha) return form(ctx, uid, { values: parsed.values, errors: parsed.errors }, 400);
      if (!(await reg.allowQuery(ctx))) return form(ctx, uid, { values: parsed.values, formError: 'reg.too_many' }, 429);
      const typed = parsed.person;
      const found = await reg.ask(ctx, uid, ID, () => deps.connectors.bhxh.lookup(bhxh.value));
      if (!found) return;
      const record = found.value;
      const matches = record && record.idNumber === typed.idNumber && record.birthdate === typed.birthdate && namesMatch(record.fullName, typed.fullName);
      if (!record || !matches) return reg.cannot(ctx, uid, ID, 'reg.cannot.bhxh');
      // The registry's ID number decides the duplicate rule, checked after the code (registration.ts);
      // its spelling of the name is kept.
      const idType = record.idNumber.length === 12 ? 'cccd' : 'cmnd';
      await reg.begin(ctx, ID, uid, { ...typed, idType, idNumber: record.idNumber, fullName: record.fullName, bhxh: record.bhxhCode });
    });
  }
  reg.mount(router, ID, ['pwd', 'sms', 'mfa']);
}

export const registerBhxhMethod = defineMethod({
  id: ID,
  label: { vi: 'Bảo hiểm xã hội', en: 'Social insurance (BHXH)' },
  hint: { vi: 'Thông tin do Bảo hiểm xã hội Việt Nam quản lý — tài khoản mức độ 2', en: 'Checked against Vietnam Social Security records — level 2 account' },
  purposes: ['registration'],
  standalone: true,
  subjectTypes: ['citizen'],
  ceiling: 2,
  amr: ['pwd', 'sms', 'mfa'],
  requiresKnownAccount: false,
  mount,
});
