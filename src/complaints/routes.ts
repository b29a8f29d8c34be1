// "Khiếu nại khi không sở hữu tài khoản" (seed 001 §1.1): a form reachable from the duplicate-account
// page and the login page. Captcha, limits per address and per ID number, a reference number by SMS,
// and the same answer whether or not the number has an account.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { MethodDeps } from '../interaction/method.ts';
import { maskPhone } from '../identity/identifiers/index.ts';
import { pseudonym } from '../shared/digest.ts';
import { addMessages, langOf, translate } from '../shared/i18n.ts';
import { hit } from '../shared/rate-limit.ts';
import { checkComplaint, fileComplaint } from './file-complaint.ts';
import { SmsUnavailableError } from '../connectors/sms/index.ts';

addMessages({
  'complaint.title': { vi: 'Khiếu nại: tài khoản không phải của tôi', en: 'Complaint: this account is not mine' },
  'complaint.lead': { vi: 'Nếu số định danh của bạn đã được người khác dùng để đăng ký tài khoản, hãy cho chúng tôi biết. Bộ phận hỗ trợ sẽ liên hệ với bạn qua số điện thoại dưới đây và hẹn kiểm tra giấy tờ trực tiếp.', en: 'If someone else registered an account with your ID number, tell us. Support will contact you on the phone number below and arrange an in-person check of your papers.' },
  'complaint.id': { vi: 'Số CCCD/CMND hoặc mã số thuế', en: 'ID number or tax code' },
  'complaint.name': { vi: 'Họ và tên', en: 'Full name' },
  'complaint.phone': { vi: 'Số điện thoại liên hệ', en: 'Contact phone number' },
  'complaint.email': { vi: 'Email liên hệ (không bắt buộc)', en: 'Contact email (optional)' },
  'complaint.description': { vi: 'Điều gì đã xảy ra?', en: 'What happened?' },
  'complaint.description.hint': { vi: 'Ví dụ: khi đăng ký, trang báo số CCCD đã có tài khoản nhưng tôi chưa từng đăng ký. Từ 10 đến 2000 ký tự.', en: 'For example: when I registered, the page said my ID number already had an account, but I never registered. 10 to 2000 characters.' },
  'complaint.submit': { vi: 'Gửi khiếu nại', en: 'Send the complaint' },
  'complaint.done.title': { vi: 'Đã nhận khiếu nại', en: 'Complaint received' },
  'complaint.done.lead': { vi: 'Mã khiếu nại của bạn là {reference}. Chúng tôi đã gửi mã này đến số {phone}. Bộ phận hỗ trợ sẽ liên hệ với bạn; khi đến quầy giao dịch, hãy mang theo CCCD và mã khiếu nại.', en: 'Your complaint number is {reference}. We sent it to {phone}. Support will contact you; when you come to a service counter, bring your ID card and this number.' },
  'complaint.done.hotline': { vi: 'Tổng đài hỗ trợ: 18001096', en: 'Support hotline: 18001096' },
  'complaint.err.id': { vi: 'Vui lòng nhập số CCCD (12 số), CMND (9 số) hoặc mã số thuế hợp lệ.', en: 'Enter a valid 12-digit CCCD, 9-digit CMND or tax code.' },
  'complaint.err.phone': { vi: 'Vui lòng nhập số điện thoại di động Việt Nam hợp lệ.', en: 'Enter a valid Vietnamese mobile number.' },
  'complaint.err.email': { vi: 'Địa chỉ email không hợp lệ.', en: 'This email address is not valid.' },
  'complaint.err.name': { vi: 'Họ và tên quá dài.', en: 'The name is too long.' },
  'complaint.err.description': { vi: 'Vui lòng mô tả sự việc trong khoảng 10 đến 2000 ký tự.', en: 'Describe what happened in 10 to 2000 characters.' },
  'complaint.err.too_many': { vi: 'Đã có quá nhiều khiếu nại được gửi. Vui lòng thử lại sau hoặc gọi tổng đài 18001096.', en: 'Too many complaints were sent. Please try again later or call 18001096.' },
  'sms.complaint': { vi: 'Cong DVC da nhan khieu nai {reference}. Bo phan ho tro se lien he ban. Tong dai 18001096.', en: 'DVC received complaint {reference}. Support will contact you. Hotline 18001096.' },
});

// Complaints cost staff time and an SMS each: a few per day per address (sized for shared
// mobile-network addresses), per ID number and per contact phone.
const PER_IP_PER_DAY = 20;
const PER_ID_PER_DAY = 3;
const PER_PHONE_PER_DAY = 3;
const DAY = 86_400;

export function complaintsRouter(deps: MethodDeps): Router {
  const { db, cfg, render, captcha, sms } = deps;
  const router = new Router();
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const form = async (ctx: Context, extra: Record<string, unknown> = {}, status = 200) =>
    render(ctx, 'complaints/form', { captcha: await captcha.create(ctx), ...extra }, status);

  router.get('/complaints/new', async (ctx) => form(ctx, { values: { idNumber: str(ctx.query.id).slice(0, 20) } }));

  router.post('/complaints/new', async (ctx) => {
    const body = ctx.request.body as Record<string, unknown>;
    const input = { idNumber: str(body.idNumber), fullName: str(body.fullName), phone: str(body.phone), email: str(body.email), description: str(body.description) };
    const values = { ...input, description: input.description.slice(0, 2000) };
    const checked = checkComplaint(input);
    const errors = checked.ok ? {} : { ...checked.errors };
    if (!(await captcha.check(body.captcha_id, body.captcha))) (errors as Record<string, string>).captcha = 'reg.err.captcha';
    if (!checked.ok || Object.keys(errors).length) return form(ctx, { errors, values }, 400);
    const c = checked.value;
    // Keyed on what each limit protects: the address, the (normalised) ID number, the phone told.
    const limited = (await hit(db, `complaint:ip:${deps.clientIp(ctx)}`, DAY)) > PER_IP_PER_DAY
      || (await hit(db, `complaint:id:${pseudonym(cfg.otpSecret, `${c.idType}:${c.idNumber}`)}`, DAY)) > PER_ID_PER_DAY
      || (await hit(db, `complaint:phone:${pseudonym(cfg.otpSecret, c.phone)}`, DAY)) > PER_PHONE_PER_DAY;
    if (limited) return form(ctx, { formError: 'complaint.err.too_many', values }, 429);
    const reference = await fileComplaint(db, c, deps.clientIp(ctx));
    // The complaint is recorded either way; the page shows the number even if the SMS cannot go now.
    await sms.send({ to: c.phone, text: translate(langOf(ctx), 'sms.complaint', { reference }), idempotencyKey: `complaint:${reference}` })
      .catch((e: unknown) => { if (!(e instanceof SmsUnavailableError)) throw e; });
    ctx.status = 303;
    ctx.redirect(`/complaints/${reference}/received`);
  });

  // The page after filing says the number again; it shows nothing else about the complaint.
  router.get('/complaints/:reference/received', async (ctx) => {
    const row = await db('complaints').where({ reference: String(ctx.params.reference).slice(0, 32) }).first('reference', 'contact_phone') as { reference: string; contact_phone: string } | undefined;
    if (!row) { ctx.status = 404; return render(ctx, 'error', { messageKey: 'error.not_found' }, 404); }
    render(ctx, 'complaints/done', { reference: row.reference, phone: maskPhone(row.contact_phone) });
  });

  return router;
}
