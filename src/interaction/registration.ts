// The steps every citizen registration shares once a registry has vouched for the person:
// SMS OTP to the phone → (an ID number that has an account stops here, with the seed's three ways
// out) → set password → account created (only then) → signed in or told to sign in.
// State is a stored flow with an expiry, addressed by its id in the URL, so reload, back button,
// a second tab and another node all see the same step.
import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { findAccountIdByIdentifier } from '../identity/accounts.ts';
import { createAccount } from '../identity/create-account.ts';
import { ConnectorUnavailableError } from '../connectors/unavailable.ts';
import { audit } from '../identity/audit.ts';
import { formatDateVn, maskPhone, normaliseName, parseDateVn, parseEmail, parsePersonalId, parsePhone } from '../identity/identifiers/index.ts';
import { passwordProblems } from '../identity/passwords.ts';
import { loadFlow, saveFlow, deleteFlow, type Flow } from '../shared/flows.ts';
import { addMessages, langOf, translate } from '../shared/i18n.ts';
import { hit } from '../shared/rate-limit.ts';
import type { MethodDeps } from './method.ts';
import { otpStep, type OtpPageLocals } from './otp-step.ts';

addMessages({
  'reg.title': { vi: 'Đăng ký tài khoản', en: 'Create an account' },
  'reg.choose': { vi: 'Chọn phương thức đăng ký', en: 'Choose how to register' },
  'reg.who': { vi: 'Chọn đối tượng đăng ký tài khoản, rồi chọn cách đăng ký.', en: 'Choose who is registering, then how.' },
  'reg.citizen': { vi: 'Công dân', en: 'Citizen' },
  'reg.enterprise': { vi: 'Doanh nghiệp', en: 'Enterprise' },
  'reg.enterprise.lead': { vi: 'Doanh nghiệp đăng ký bằng chứng thư số mang mã số thuế (MST) của doanh nghiệp; cần có email.', en: "An enterprise registers with a signing certificate that carries its tax code (MST); an email address is required." },
  'reg.via_portal': { vi: 'Bắt đầu từ trang đăng nhập: chọn phương thức này, người chưa có tài khoản sẽ được đăng ký.', en: 'Starts at the sign-in page: pick this method there; a person without an account is registered.' },
  'reg.counter.title': { vi: 'Đăng ký tại bưu cục Bưu điện Việt Nam (mức độ 3)', en: 'Register at a Vietnam Post office (level 3)' },
  'reg.counter.lead': { vi: 'Nhân viên bưu cục kiểm tra giấy tờ của bạn trực tiếp, vì vậy tài khoản có mức độ xác thực 3.', en: 'The post office officer checks your papers in person, so the account is verified at level 3.' },
  'reg.counter.bring': { vi: 'Mang theo Căn cước công dân (CCCD) hoặc Chứng minh nhân dân (CMND) bản gốc.', en: 'Bring your original citizen ID card (CCCD) or legacy ID card (CMND).' },
  'reg.counter.phone': { vi: 'Mang theo điện thoại có số thuê bao đứng tên bạn.', en: 'Bring the phone whose number is registered in your name.' },
  'reg.counter.sms': { vi: 'Sau khi đăng ký, bạn nhận tin nhắn SMS có đường dẫn kích hoạt (72 giờ) để đặt mật khẩu.', en: 'Afterwards an SMS brings an activation link (72 hours) to set your password.' },
  'reg.link': { vi: 'Chưa có tài khoản? Đăng ký', en: 'No account yet? Register' },
  'reg.otp.sent': { vi: 'Mã xác thực đã được gửi qua SĐT: {phone}', en: 'A code was sent by SMS to {phone}' },
  'reg.password.title': { vi: 'Đặt mật khẩu', en: 'Choose a password' },
  'reg.password.rule': { vi: 'Sử dụng 8 ký tự trở lên bao gồm chữ thường, chữ in hoa, số và ký tự đặc biệt.', en: 'Use 8 or more characters with lower case, upper case, a digit and a special character.' },
  'reg.password': { vi: 'Nhập mật khẩu', en: 'Password' },
  'reg.password2': { vi: 'Xác nhận mật khẩu', en: 'Confirm the password' },
  'reg.submit': { vi: 'Đăng ký', en: 'Register' },
  'reg.password.check.too_short': { vi: 'Ít nhất 8 ký tự', en: 'At least 8 characters' },
  'reg.password.check.needs_lower': { vi: 'Có chữ thường (a–z)', en: 'A lower-case letter (a–z)' },
  'reg.password.check.needs_upper': { vi: 'Có chữ in hoa (A–Z)', en: 'An upper-case letter (A–Z)' },
  'reg.password.check.needs_digit': { vi: 'Có chữ số (0–9)', en: 'A digit (0–9)' },
  'reg.password.check.needs_special': { vi: 'Có ký tự đặc biệt (ví dụ @, #, !)', en: 'A special character (e.g. @, #, !)' },
  'reg.password.show': { vi: 'Hiện mật khẩu', en: 'Show password' },
  'reg.password.hide': { vi: 'Ẩn mật khẩu', en: 'Hide password' },
  'reg.password.met': { vi: 'đã đạt', en: 'done' },
  'reg.password.unmet': { vi: 'chưa đạt', en: 'not yet' },
  'reg.err.password.too_short': { vi: 'Mật khẩu cần ít nhất 8 ký tự.', en: 'The password needs at least 8 characters.' },
  'reg.err.password.too_long': { vi: 'Mật khẩu quá dài (tối đa 128 ký tự).', en: 'The password is too long (128 characters at most).' },
  'reg.err.password.needs_lower': { vi: 'Mật khẩu cần có chữ thường.', en: 'The password needs a lower-case letter.' },
  'reg.err.password.needs_upper': { vi: 'Mật khẩu cần có chữ in hoa.', en: 'The password needs an upper-case letter.' },
  'reg.err.password.needs_digit': { vi: 'Mật khẩu cần có chữ số.', en: 'The password needs a digit.' },
  'reg.err.password.needs_special': { vi: 'Mật khẩu cần có ký tự đặc biệt (ví dụ @, #, !).', en: 'The password needs a special character (e.g. @, #, !).' },
  'reg.err.password.too_common': { vi: 'Mật khẩu này quá phổ biến, dễ bị đoán. Vui lòng chọn mật khẩu khác.', en: 'This password is too common and easy to guess. Please choose another.' },
  'reg.err.password.same_as_current': { vi: 'Mật khẩu mới phải khác mật khẩu hiện tại.', en: 'The new password must differ from the current one.' },
  'reg.err.password2': { vi: 'Hai mật khẩu không khớp.', en: 'The two passwords do not match.' },
  'reg.duplicate.title': { vi: 'Tài khoản đã tồn tại', en: 'An account already exists' },
  'reg.duplicate.lead': { vi: 'Số định danh này đã được dùng để đăng ký một tài khoản trên Cổng Dịch vụ công. Bạn có thể:', en: 'This ID number already has an account on the portal. You can:' },
  'reg.duplicate.forgot': { vi: 'Lấy lại mật khẩu bằng chức năng "Quên mật khẩu"', en: 'Recover the password with "Forgot password"' },
  'reg.duplicate.counter': { vi: 'Đến quầy giao dịch (bộ phận một cửa hoặc bưu cục) mang theo CCCD bản gốc và điện thoại để lấy lại mật khẩu. Hỏi địa điểm qua tổng đài:', en: 'Go to a service counter (one-stop office or post office) with your original ID card and your phone to recover the password. Ask the hotline where:' },
  'reg.duplicate.complaint': { vi: 'Gửi khiếu nại nếu bạn không sở hữu tài khoản này', en: 'File a complaint if this account is not yours' },
  'reg.cannot.title': { vi: 'Không đăng ký được tài khoản', en: 'We could not register you' },
  'reg.cannot.mobile': { vi: 'Thông tin bạn nhập không khớp với thông tin chủ thuê bao do nhà mạng quản lý. Vui lòng kiểm tra lại, dùng số điện thoại đã đăng ký chính chủ, hoặc chọn phương thức đăng ký khác.', en: "What you typed does not match the carrier's record of this phone's owner. Check it, use a phone registered in your own name, or choose another way to register." },
  'reg.cannot.bhxh': { vi: 'Thông tin bạn nhập không khớp với cơ sở dữ liệu Bảo hiểm xã hội. Vui lòng kiểm tra lại hoặc chọn phương thức đăng ký khác.', en: 'What you typed does not match the social-insurance database. Check it or choose another way to register.' },
  'reg.unavailable.title': { vi: 'Hệ thống đang bận', en: 'Service temporarily unavailable' },
  'reg.unavailable.lead': { vi: 'Chưa kết nối được tới hệ thống xác minh. Chưa có thông tin nào được lưu. Vui lòng thử lại sau ít phút.', en: 'We could not reach the verification service. Nothing has been saved. Please try again in a few minutes.' },
  'reg.expired.title': { vi: 'Phiên đăng ký đã hết hạn', en: 'This registration has expired' },
  'reg.expired.lead': { vi: 'Vì an toàn, phiên đăng ký chỉ có hiệu lực trong thời gian ngắn. Chưa có tài khoản nào được tạo. Vui lòng đăng ký lại.', en: 'For your safety a registration is only valid for a short time. No account was created. Please start again.' },
  'reg.restart': { vi: 'Đăng ký lại', en: 'Start again' },
  'reg.done.account': { vi: 'Đăng nhập vào trang Quản lý tài khoản', en: 'Sign in to your account page' },
  'reg.done.services': { vi: 'Từ nay bạn dùng tài khoản này để đăng nhập các trang dịch vụ công có nút "Đăng nhập bằng DVC".', en: 'From now on, use this account on public-service sites that offer "Log in with DVC".' },
  'reg.done.title': { vi: 'Đăng ký thành công', en: 'Your account is ready' },
  'reg.done.lead': { vi: 'Tài khoản của bạn đã được tạo ở mức độ {level}. Bạn có thể đăng nhập bằng số CCCD/CMND và mật khẩu vừa đặt.', en: 'Your account was created at level {level}. Sign in with your ID number and the password you chose.' },
  'reg.too_many': { vi: 'Bạn đã thử quá nhiều lần. Vui lòng thử lại sau một giờ.', en: 'Too many attempts. Please try again in an hour.' },
  'reg.idNumber': { vi: 'Số CCCD/CMND', en: 'ID number (CCCD/CMND)' },
  'reg.fullName': { vi: 'Họ tên', en: 'Full name' },
  'reg.birthdate': { vi: 'Ngày sinh', en: 'Date of birth' },
  'reg.birthdate.hint': { vi: 'Theo dạng ngày/tháng/năm, ví dụ 20/03/1995', en: 'As dd/mm/yyyy, e.g. 20/03/1995' },
  'reg.birthdate.placeholder': { vi: 'dd/mm/yyyy', en: 'dd/mm/yyyy' },
  'reg.phone': { vi: 'Số điện thoại', en: 'Mobile phone number' },
  'reg.email': { vi: 'Email (không bắt buộc)', en: 'Email (optional)' },
  'reg.err.idNumber.required': { vi: 'Vui lòng nhập số CCCD hoặc CMND.', en: 'Enter your CCCD or CMND number.' },
  'reg.err.idNumber.format': { vi: 'Số CCCD gồm 12 chữ số, CMND gồm 9 chữ số.', en: 'A CCCD has 12 digits, a CMND 9.' },
  'reg.err.idNumber.province': { vi: 'Số CCCD không hợp lệ (3 số đầu không phải mã tỉnh).', en: 'Not a valid CCCD (the first three digits are not a province code).' },
  'reg.err.idNumber.birth_year_mismatch': { vi: 'Số CCCD không khớp với năm sinh đã nhập.', en: 'The CCCD does not match the year of birth you typed.' },
  'reg.err.idNumber.not_mobile': { vi: 'Số định danh không hợp lệ.', en: 'Not a valid ID number.' },
  'reg.err.fullName.required': { vi: 'Vui lòng nhập họ tên.', en: 'Enter your full name.' },
  'reg.err.fullName.format': { vi: 'Họ tên chỉ gồm chữ cái (có dấu) và khoảng trắng.', en: 'A name has letters (with diacritics) and spaces only.' },
  'reg.err.birthdate.required': { vi: 'Vui lòng nhập ngày sinh.', en: 'Enter your date of birth.' },
  'reg.err.birthdate.format': { vi: 'Ngày sinh theo dạng dd/mm/yyyy.', en: 'Type the date as dd/mm/yyyy.' },
  'reg.err.birthdate.date_invalid': { vi: 'Ngày sinh không tồn tại.', en: 'That date does not exist.' },
  'reg.err.birthdate.date_future': { vi: 'Ngày sinh không thể ở tương lai.', en: 'The date of birth cannot be in the future.' },
  'reg.err.phone.required': { vi: 'Vui lòng nhập số điện thoại.', en: 'Enter your mobile number.' },
  'reg.err.phone.format': { vi: 'Số điện thoại không đúng định dạng (ví dụ 0912345678).', en: 'Not a phone number (e.g. 0912345678).' },
  'reg.err.phone.not_mobile': { vi: 'Vui lòng nhập số di động Việt Nam.', en: 'Enter a Vietnamese mobile number.' },
  'reg.err.email.format': { vi: 'Email không đúng định dạng.', en: 'Not a valid email address.' },
  'reg.err.captcha': { vi: 'Mã xác thực không đúng. Vui lòng nhập lại.', en: 'The verification code is not right. Please try again.' },
  'reg.mobile.title': { vi: 'Đăng ký bằng thuê bao di động', en: 'Register with your mobile subscription' },
  'reg.mobile.lead': { vi: 'Chỉ dành cho công dân. Số điện thoại phải là thuê bao đã đăng ký chính chủ.', en: 'Citizens only. The phone must be registered in your own name.' },
  'reg.bhxh.title': { vi: 'Đăng ký bằng Bảo hiểm xã hội', en: 'Register with your social insurance' },
  'reg.bhxh.lead': { vi: 'Chỉ dành cho công dân. Thông tin phải khớp với cơ sở dữ liệu Bảo hiểm xã hội Việt Nam.', en: 'Citizens only. Your details must match the Vietnam Social Security database.' },
  'otp.sms.register': { vi: 'Ma OTP dang ky tai khoan Cong DVC: {code}. Co hieu luc {minutes} phut. Khong cung cap ma cho bat ky ai.', en: 'DVC registration code: {code}. Valid {minutes} min. Never share it.' },
});

export interface VerifiedPerson {
  idType: 'cccd' | 'cmnd';
  idNumber: string;
  fullName: string;
  birthdate: string; // ISO
  phone: string;
  email?: string | undefined;
  bhxh?: string | undefined;
}

interface RegistrationData { uid?: string | undefined; methodId: string; person: VerifiedPerson }

const KIND = 'registration';
const OTP_PURPOSE = 'register';
const TTL_MS = 30 * 60_000;

/** Where a registration lives: under the interaction when an RP started it, under /register otherwise. */
export function registrationBase(uid: string | undefined, methodId: string): string {
  return uid ? `/interaction/${uid}/${methodId}` : `/register/${methodId}`;
}

/** Both mount points of a registration method's routes. */
export function registrationPaths(methodId: string): string[] {
  return [`/interaction/:uid/${methodId}`, `/register/${methodId}`];
}

export function registrationSteps(deps: MethodDeps) {
  const { db, cfg, render } = deps;
  const step = otpStep(deps, OTP_PURPOSE, 'otp.sms.register');

  /** For routes that may be under an interaction: checks it is alive, returns its uid. */
  const uidOf = async (ctx: Context): Promise<string | undefined> => {
    if (!ctx.params.uid) return undefined;
    return (await deps.interaction(ctx)).uid;
  };

  /** Counts a registry query per IP: registries must not become an oracle for strangers. */
  const allowQuery = async (ctx: Context): Promise<boolean> =>
    (await hit(db, `reg:ip:${deps.clientIp(ctx)}`, 3600)) <= cfg.registrationMaxPerIp;

  const otpLocals = (ctx: Context, base: string, flow: Flow<RegistrationData>, notSent = false): OtpPageLocals => ({
    uid: flow.data.uid, flowId: flow.id, action: `${base}/flow/${flow.id}/otp`, resendAction: `${base}/flow/${flow.id}/resend`,
    backHref: base, backKey: 'common.back',
    lead: notSent ? undefined : translate(langOf(ctx), 'reg.otp.sent', { phone: maskPhone(flow.data.person.phone) }),
  });

  /** A registry has vouched for this person: store the flow, send the OTP, go to the OTP step —
   *  the same step whether or not the ID number has an account (that is told after the code). */
  const begin = async (ctx: Context, methodId: string, uid: string | undefined, person: VerifiedPerson): Promise<void> => {
    const id = randomBytes(16).toString('base64url');
    const flow: Flow<RegistrationData> = { id, kind: KIND, state: 'otp', data: { uid, methodId, person }, expiresAt: new Date(Date.now() + TTL_MS) };
    await saveFlow(db, flow);
    const sent = await step.send(ctx, id, person.phone, true, identityOf(person));
    ctx.status = 303;
    ctx.redirect(`${registrationBase(uid, methodId)}/flow/${id}/otp${sent.ok ? '' : `?error=${sent.error}`}`);
  };

  const duplicate = (ctx: Context, uid: string | undefined) =>
    render(ctx, 'register/duplicate', { uid, forgotHref: uid ? `/interaction/${uid}/forgot` : '/forgot' }, 409);
  const cannot = (ctx: Context, uid: string | undefined, methodId: string, messageKey: string) =>
    render(ctx, 'register/cannot', { uid, messageKey, retryHref: registrationBase(uid, methodId) }, 422);
  const unavailable = (ctx: Context, uid: string | undefined, methodId: string) =>
    render(ctx, 'register/unavailable', { uid, retryHref: registrationBase(uid, methodId) }, 503);

  /** Mounts the OTP and password steps of one method under both of its mount points. */
  const mount = (router: Router, methodId: string, amr: string[]) => {
    for (const prefix of registrationPaths(methodId)) {
      const load = async (ctx: Context, want: 'otp' | 'password') => {
        const uid = await uidOf(ctx);
        const base = registrationBase(uid, methodId);
        const flow = await loadFlow<RegistrationData>(db, String(ctx.params.flow), KIND);
        if (!flow || flow.data.methodId !== methodId || flow.data.uid !== uid) {
          render(ctx, 'register/expired', { uid, restartHref: base }, 410);
          return undefined;
        }
        // Back button or a second tab on an older step: show the step the flow is really at.
        if (flow.state !== want) {
          ctx.status = 303;
          ctx.redirect(`${base}/flow/${flow.id}/${flow.state}`);
          return undefined;
        }
        return { uid, base, flow };
      };

      router.get(`${prefix}/flow/:flow/otp`, async (ctx) => {
        const f = await load(ctx, 'otp');
        if (f) await step.page(ctx, otpLocals(ctx, f.base, f.flow, typeof ctx.query.error === 'string'));
      });
      router.post(`${prefix}/flow/:flow/otp`, async (ctx) => {
        const f = await load(ctx, 'otp');
        if (!f) return;
        const code = typeof (ctx.request.body as Record<string, unknown>).code === 'string' ? String((ctx.request.body as Record<string, unknown>).code).trim() : '';
        const checked = await step.verify(ctx, f.flow.id, code);
        if (!checked.ok) return step.page(ctx, otpLocals(ctx, f.base, f.flow), checked, 400);
        // Only now, with the registry's match and the phone proven, may we say that this ID number
        // has an account: before, a stranger typing made-up details would learn it.
        const p = f.flow.data.person;
        if (await findAccountIdByIdentifier(db, p.idType, p.idNumber)) { await deleteFlow(db, f.flow.id); return duplicate(ctx, f.uid); }
        await saveFlow(db, { ...f.flow, state: 'password' });
        ctx.status = 303;
        ctx.redirect(`${f.base}/flow/${f.flow.id}/password`);
      });
      router.post(`${prefix}/flow/:flow/resend`, async (ctx) => {
        const f = await load(ctx, 'otp');
        if (f) await step.resend(ctx, f.flow.id, f.flow.data.person.phone, otpLocals(ctx, f.base, f.flow), true, identityOf(f.flow.data.person));
      });

      const passwordPage = (ctx: Context, f: { uid: string | undefined; base: string; flow: Flow<RegistrationData> }, extra: Record<string, unknown> = {}, status = 200) =>
        render(ctx, 'register/password', { uid: f.uid, action: `${f.base}/flow/${f.flow.id}/password`, ...extra }, status);

      router.get(`${prefix}/flow/:flow/password`, async (ctx) => {
        const f = await load(ctx, 'password');
        if (f) passwordPage(ctx, f);
      });
      router.post(`${prefix}/flow/:flow/password`, async (ctx) => {
        const f = await load(ctx, 'password');
        if (!f) return;
        const body = ctx.request.body as Record<string, unknown>;
        const errors = passwordErrors(body.password, body.password2);
        if (Object.keys(errors).length) return passwordPage(ctx, f, { errors }, 400);
        const p = f.flow.data.person;
        const created = await createAccount(db, {
          subjectType: 'citizen', level: 2, fullName: p.fullName, birthdate: formatDateVn(p.birthdate),
          [p.idType]: p.idNumber, bhxh: p.bhxh, phone: p.phone, email: p.email, password: String(body.password),
        });
        if (!created.ok) {
          // Someone registered this person meanwhile (second tab, race): the unique index decided.
          if (created.errors.some((e) => e.error === 'duplicate')) { await deleteFlow(db, f.flow.id); return duplicate(ctx, f.uid); }
          throw new Error(`registration produced invalid account data: ${created.errors.map((e) => e.field).join(',')}`);
        }
        await deleteFlow(db, f.flow.id);
        await audit(db, { action: 'account.register', accountId: created.accountId, ip: deps.clientIp(ctx), userAgent: ctx.get('user-agent'), method: methodId, result: 'success' });
        if (f.uid) return deps.finishLogin(ctx, { accountId: created.accountId, methodId, amr });
        render(ctx, 'register/done', { level: 2 });
      });
    }
  };

  /** Asks a registry; an outage becomes the "try later" page (undefined), anything else propagates. */
  const ask = async <T>(ctx: Context, uid: string | undefined, methodId: string, query: () => Promise<T>): Promise<{ value: T } | undefined> => {
    try {
      return { value: await query() };
    } catch (e) {
      if (!(e instanceof ConnectorUnavailableError)) throw e;
      unavailable(ctx, uid, methodId);
      return undefined;
    }
  };

  return { begin, mount, uidOf, allowQuery, cannot, ask };
}

/** Codes are capped per identity across phones: one registry match cannot pay for SMS to many numbers. */
function identityOf(p: VerifiedPerson): string {
  return `${p.idType}:${p.idNumber}`;
}

export interface PersonForm { values: Record<string, string>; errors: Record<string, string>; person?: Omit<VerifiedPerson, 'bhxh'> }

/** The fields both citizen registrations ask for, validated and normalised (DESIGN.md §4). */
export function parsePersonForm(body: Record<string, unknown>): PersonForm {
  const v = (k: string) => (typeof body[k] === 'string' ? String(body[k]) : '');
  const values = { idNumber: v('idNumber').trim(), fullName: v('fullName'), birthdate: v('birthdate').trim(), phone: v('phone').trim(), email: v('email').trim() };
  const errors: Record<string, string> = {};
  const dob = parseDateVn(values.birthdate);
  if (!dob.ok) errors.birthdate = `reg.err.birthdate.${dob.error}`;
  const id = parsePersonalId(values.idNumber, dob.ok ? dob.value : undefined);
  if (!id.ok) errors.idNumber = `reg.err.idNumber.${id.error}`;
  const fullName = normaliseName(values.fullName);
  if (!fullName) errors.fullName = 'reg.err.fullName.required';
  else if (fullName.length > 100 || !/^[\p{L}\p{M}' .-]+$/u.test(fullName)) errors.fullName = 'reg.err.fullName.format';
  const phone = parsePhone(values.phone);
  if (!phone.ok) errors.phone = `reg.err.phone.${phone.error}`;
  const email = values.email ? parseEmail(values.email) : undefined;
  if (email && !email.ok) errors.email = 'reg.err.email.format';
  if (Object.keys(errors).length || !id.ok || !dob.ok || !phone.ok) return { values, errors };
  return {
    values, errors,
    person: { idType: id.value.type, idNumber: id.value.value, fullName, birthdate: dob.value, phone: phone.value, email: email?.ok ? email.value : undefined },
  };
}

/** Seed rule + block-list + typed twice; error keys per field. */
export function passwordErrors(password: unknown, password2: unknown): Record<string, string> {
  const pw = typeof password === 'string' ? password : '';
  const problems = passwordProblems(pw);
  const errors: Record<string, string> = {};
  if (problems[0]) errors.password = `reg.err.password.${problems[0]}`;
  else if (pw !== password2) errors.password2 = 'reg.err.password2';
  return errors;
}
