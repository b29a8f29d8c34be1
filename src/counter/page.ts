// The counter page (/counter) for post-office officers without an integrated counter system: an
// officer signs in through our own provider at level 3, must hold the counter role (CLI), and then
// registers a person whose papers they have checked, or raises an existing account to level 3.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import type { SmsGateway } from '../connectors/sms/index.ts';
import { maskPhone } from '../identity/identifiers/index.ts';
import { parsePersonForm } from '../interaction/registration.ts';
import { firstPartyAuth } from '../web/first-party-auth.ts';
import { addMessages } from '../shared/i18n.ts';
import { render } from '../web/render.ts';
import { findOfficer, type Officer } from './officers.ts';
import { createAtCounter, DOCUMENTS, isDocument, upgradeAtCounter, type CounterActor } from './register.ts';

addMessages({
  'counter.title': { vi: 'Đăng ký tài khoản tại quầy Bưu điện', en: 'Post office counter registration' },
  'counter.officer': { vi: 'Cán bộ {officer} — bưu cục {office}', en: 'Officer {officer} — post office {office}' },
  'counter.lead': { vi: 'Chỉ đăng ký sau khi đã kiểm tra giấy tờ gốc của người dân. Tài khoản ở mức độ 3 và được kích hoạt qua đường dẫn gửi bằng SMS.', en: "Register only after checking the person's original papers. The account is level 3 and is activated through a link sent by SMS." },
  'counter.document': { vi: 'Giấy tờ đã kiểm tra', en: 'Document checked' },
  'counter.document.cccd': { vi: 'Căn cước công dân', en: 'Citizen identity card' },
  'counter.document.cmnd': { vi: 'Chứng minh nhân dân', en: 'Identity card (CMND)' },
  'counter.document.passport': { vi: 'Hộ chiếu', en: 'Passport' },
  'counter.err.document': { vi: 'Chọn loại giấy tờ đã kiểm tra.', en: 'Choose the document you checked.' },
  'counter.err.upgrade': { vi: 'Số định danh hoặc loại giấy tờ không hợp lệ; không có gì được thay đổi.', en: 'The ID number or the document type is not valid; nothing was changed.' },
  'counter.err.not_found': { vi: 'Không có tài khoản nào mang số định danh này.', en: 'No account has this ID number.' },
  'counter.err.field': { vi: 'Thông tin này không hợp lệ.', en: 'This is not valid.' },
  'counter.submit': { vi: 'Đăng ký tài khoản', en: 'Register the account' },
  'counter.created': { vi: 'Đã tạo tài khoản mức độ 3. Đường dẫn kích hoạt (72 giờ) đã được gửi bằng SMS đến {phone}.', en: 'A level-3 account was created. An activation link (72 hours) was sent by SMS to {phone}.' },
  'counter.reissued': { vi: 'Tài khoản này đã được đăng ký nhưng chưa kích hoạt: đã gửi lại đường dẫn kích hoạt mới (72 giờ) đến {phone}; đường dẫn cũ không còn dùng được.', en: 'This account was registered but never activated: a new activation link (72 hours) was sent to {phone}; the old link no longer works.' },
  'counter.exists': { vi: 'Số định danh này đã có tài khoản (mức độ {level}).', en: 'This ID number already has an account (level {level}).' },
  'counter.upgrade': { vi: 'Nâng tài khoản lên mức độ 3', en: 'Raise the account to level 3' },
  'counter.upgraded': { vi: 'Tài khoản đã được nâng lên mức độ 3.', en: 'The account has been raised to level 3.' },
  'counter.already_level3': { vi: 'Tài khoản đã ở mức độ 3 từ trước; không có gì thay đổi.', en: 'The account was already level 3; nothing changed.' },
  'counter.next': { vi: 'Đăng ký người tiếp theo', en: 'Register the next person' },
  'counter.not_officer': { vi: 'Tài khoản của bạn chưa được cấp quyền cán bộ quầy. Vui lòng liên hệ quản trị hệ thống.', en: 'Your account does not have the counter role. Please contact the system operator.' },
  'counter.logout': { vi: 'Đăng xuất', en: 'Sign out' },
});

export async function counterPage(cfg: Config, db: Db, sms: SmsGateway): Promise<Router> {
  const r = new Router({ prefix: '/counter' });
  const auth = await firstPartyAuth(cfg, db, r, { clientId: 'dvc-counter', name: 'Quầy Bưu điện', base: '/counter', sessionKind: 'counter_session', scope: 'openid profile', minAcr: 3 });

  /** The signed-in officer, or a refusal page. */
  const officerOf = async (ctx: Context): Promise<Officer | undefined> => {
    const got = await auth.requireSession(ctx);
    if (!got) return undefined;
    const officer = await findOfficer(db, got.account.id);
    if (!officer) render(ctx, 'counter/refused', {}, 403);
    return officer;
  };
  const who = (ctx: Context, o: Officer): CounterActor => ({ actor: `officer:${o.officerId}@${o.postOffice}`, officerId: o.officerId, postOffice: o.postOffice, clientId: 'dvc-counter', ip: ctx.ip });
  const form = (ctx: Context, o: Officer, extra: Record<string, unknown> = {}, status = 200) =>
    render(ctx, 'counter/form', { officer: o, documents: DOCUMENTS, ...extra }, status);

  r.get('/', async (ctx) => {
    const o = await officerOf(ctx);
    if (o) form(ctx, o);
  });

  r.post('/accounts', async (ctx) => {
    const o = await officerOf(ctx);
    if (!o) return;
    const body = ctx.request.body as Record<string, unknown>;
    const parsed = parsePersonForm(body);
    const documentType = body.documentType;
    if (!isDocument(documentType)) parsed.errors.documentType = 'counter.err.document';
    const values = { ...parsed.values, documentType: typeof documentType === 'string' ? documentType : '' };
    if (!parsed.person || !isDocument(documentType)) return form(ctx, o, { values, errors: parsed.errors }, 400);
    const out = await createAtCounter(cfg, db, sms, who(ctx, o), { ...parsed.values, documentType });
    if (out.ok) return render(ctx, 'counter/done', { notice: out.reissued ? 'counter.reissued' : 'counter.created', params: { phone: maskPhone(out.phone) } });
    if (out.error === 'account_exists') return form(ctx, o, { values, exists: { level: out.level, upgradable: out.upgradable } }, 409);
    // The registry-level checks of createAccount (normally caught by the form checks above).
    return form(ctx, o, { values, errors: Object.fromEntries(out.error === 'invalid' ? out.fields.map((f) => [f.field, 'counter.err.field']) : [['documentType', 'counter.err.document']]) }, 400);
  });

  r.post('/accounts/upgrade', async (ctx) => {
    const o = await officerOf(ctx);
    if (!o) return;
    const body = ctx.request.body as Record<string, unknown>;
    const out = await upgradeAtCounter(db, who(ctx, o), typeof body.idNumber === 'string' ? body.idNumber : '', body.documentType);
    if (!out.ok) return form(ctx, o, { formError: out.error === 'not_found' ? 'counter.err.not_found' : 'counter.err.upgrade' }, out.error === 'not_found' ? 404 : 400);
    render(ctx, 'counter/done', { notice: out.changed ? 'counter.upgraded' : 'counter.already_level3', params: {} });
  });

  r.post('/logout', async (ctx) => {
    await auth.endSession(ctx);
    ctx.status = 303;
    ctx.redirect('/session/end');
  });
  return r;
}
