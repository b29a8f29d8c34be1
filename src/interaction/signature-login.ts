// What happens after a digital signature has been verified, shared by the SIM and USB methods:
// step-up of the signed-in account (same person only: link and raise to level 3), login of the
// account that holds the identity (linking a new or renewed certificate), or R3/R4 registration.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { CertIdentity } from '../certificates/subject.ts';
import { findAccount, findAccountIdByIdentifier, setLevel, type Account } from '../identity/accounts.ts';
import { audit } from '../identity/audit.ts';
import { createAccount } from '../identity/create-account.ts';
import { addCredential, findCredentialByIdentifier } from '../identity/credentials.ts';
import { maskId, parseEmail } from '../identity/identifiers/index.ts';
import { deleteFlow, loadFlow, saveFlow } from '../shared/flows.ts';
import type { MethodDeps } from './method.ts';
import { addMessages } from '../shared/i18n.ts';
import { smsNotifier } from '../identity/notices.ts';

addMessages({
  'sig.retry': { vi: 'Thử lại', en: 'Try again' },
  'sig.other': { vi: 'Chọn phương thức khác', en: 'Choose another method' },
  'sig.err.title': { vi: 'Chưa ký được', en: 'Not signed' },
  'sig.err.cert.expired': { vi: 'Chứng thư số đã hết hạn. Vui lòng gia hạn với nhà cung cấp chữ ký số.', en: 'The certificate has expired. Renew it with your signature provider.' },
  'sig.err.cert.not_yet_valid': { vi: 'Chứng thư số chưa có hiệu lực.', en: 'The certificate is not valid yet.' },
  'sig.err.cert.revoked': { vi: 'Chứng thư số đã bị thu hồi.', en: 'The certificate has been revoked.' },
  'sig.err.cert.untrusted': { vi: 'Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực chữ ký số được công nhận cấp.', en: 'The certificate was not issued by a recognised certification authority.' },
  'sig.err.cert.other': { vi: 'Không xác minh được chữ ký số. Vui lòng thử lại hoặc chọn phương thức khác.', en: 'We could not verify the signature. Try again or choose another method.' },
  'sig.err.cert.subject': { vi: 'Không đọc được số định danh trong chứng thư số.', en: 'The certificate does not carry an ID number we can read.' },
  'sig.err.other_person': { vi: 'Chứng thư số này thuộc về người khác, không phải chủ tài khoản đang đăng nhập.', en: 'This certificate belongs to someone else, not to the signed-in account holder.' },
  'sig.err.linked_elsewhere': { vi: 'SIM ký số hoặc chứng thư số này đã được liên kết với một tài khoản khác.', en: 'This signing SIM or certificate is already linked to another account.' },
  'sig.register.lead': { vi: 'Thông tin đọc từ chứng thư số của bạn:', en: 'What your certificate says:' },
  'sig.register.name': { vi: 'Họ tên', en: 'Name' },
  'sig.register.id': { vi: 'Số định danh', en: 'ID number' },
  'sig.register.org': { vi: 'Tổ chức', en: 'Organisation' },
  'sig.register.mst': { vi: 'Mã số thuế', en: 'Tax code' },
  'sig.register.email': { vi: 'Email', en: 'Email' },
  'sig.register.email.optional': { vi: 'Email (không bắt buộc)', en: 'Email (optional)' },
  'sig.register.submit': { vi: 'Đăng ký', en: 'Register' },
  'sig.err.email.required': { vi: 'Doanh nghiệp cần nhập email.', en: 'Enterprises must give an email address.' },
  'sig.err.expired': { vi: 'Phiên ký số đã hết hạn. Vui lòng thử lại.', en: 'This signing session has expired. Please try again.' },
  'sms.signature_linked': { vi: 'Mot SIM ky so hoac chung thu so vua duoc lien ket voi tai khoan Cong DVC cua ban. Neu khong phai ban, hay lien he 18001096 ngay.', en: 'A signing SIM or certificate was just linked to your DVC account. If this was not you, call 18001096 now.' },
});

export interface SignedBy {
  methodId: string;
  amr: string[];
  credentialType: string;
  /** Unique per credential: the SIM's phone number, or the certificate's issuer + serial. */
  credentialKey: string;
  credentialConfig: Record<string, unknown>;
  /** A SIM also proves the phone: registration stores it as a verified phone. */
  phone?: string | undefined;
  identity: CertIdentity;
}

interface Registering extends SignedBy { kind: 'register' }

/**
 * The signed-in account this signature is for, when it is not a sign-in from scratch: step-up to a
 * higher level, or the portal's "add a SIM/USB certificate". Its owner must be the signer.
 */
export function accountToRaise(d: { session?: { accountId?: string } | undefined; prompt: { reasons: string[] } }): string | undefined {
  const reasons = d.prompt.reasons;
  return d.session?.accountId && (reasons.includes('acr_below') || reasons.includes('link_requested')) ? d.session.accountId : undefined;
}

export function matchesIdentity(account: Account, id: CertIdentity): boolean {
  if (id.kind === 'citizen') return account.identifiers.some((i) => (i.type === 'cccd' || i.type === 'cmnd') && i.value === id.idNumber);
  return account.identifiers.some((i) => i.type === 'mst' && i.value === id.taxCode);
}

const flowId = (uid: string, methodId: string) => `${uid}:${methodId}:register`;

export function signatureLogin(deps: MethodDeps) {
  const { db, render } = deps;

  const fail = (ctx: Context, uid: string, methodId: string, key: string, status: number, params: Record<string, number> = {}) =>
    render(ctx, 'signature/error', { uid, messageKey: key, messageParams: params, retryHref: `/interaction/${uid}/${methodId}` }, status);

  /** Links the credential once and raises a level-2 account to 3; false when it belongs to someone else. */
  const linkAndRaise = async (ctx: Context, accountId: string, s: SignedBy): Promise<boolean> => {
    const existing = await findCredentialByIdentifier(db, s.credentialType, s.credentialKey);
    if (existing && existing.accountId !== accountId) return false;
    const account = (await findAccount(db, accountId))!;
    await db.transaction(async (trx) => {
      if (!existing) await addCredential(trx, accountId, s.credentialType, s.credentialConfig, [s.credentialKey]);
      if (account.level < 3) await setLevel(trx, accountId, 3);
    });
    const details = { serial: s.credentialConfig.serial, issuer: s.credentialConfig.issuer };
    if (!existing) {
      await audit(db, { action: 'credential.add', accountId, ip: deps.clientIp(ctx), method: s.methodId, result: 'success', details });
      await smsNotifier(deps.sms)(ctx, account, 'sms.signature_linked', `linked:${s.credentialType}:${s.credentialKey}`);
    }
    if (account.level < 3) await audit(db, { action: 'account.level_raised', accountId, ip: deps.clientIp(ctx), method: s.methodId, result: 'success', details: { from: account.level, to: 3, ...details } });
    return true;
  };

  /** After verification: step up, log in, or go to registration. */
  const complete = async (ctx: Context, uid: string, stepUpAccountId: string | undefined, s: SignedBy): Promise<void> => {
    let accountId: string | undefined;
    if (stepUpAccountId) {
      const account = await findAccount(db, stepUpAccountId);
      if (!account || !matchesIdentity(account, s.identity)) {
        await audit(db, { action: 'stepup', accountId: stepUpAccountId, ip: deps.clientIp(ctx), method: s.methodId, result: 'failure', details: { reason: 'other_person' } });
        return fail(ctx, uid, s.methodId, 'sig.err.other_person', 403);
      }
      accountId = account.id;
    } else {
      const id = s.identity;
      accountId = id.kind === 'citizen' ? await findAccountIdByIdentifier(db, id.idType, id.idNumber) : await findAccountIdByIdentifier(db, 'mst', id.taxCode);
    }
    if (!accountId) {
      await saveFlow<Registering>(db, { id: flowId(uid, s.methodId), kind: 'signature_register', state: 'register', data: { ...s, kind: 'register' }, expiresAt: new Date(Date.now() + 15 * 60_000) });
      ctx.status = 303;
      return ctx.redirect(`/interaction/${uid}/${s.methodId}/register`);
    }
    if (!(await linkAndRaise(ctx, accountId, s))) return fail(ctx, uid, s.methodId, 'sig.err.linked_elsewhere', 409);
    await deps.finishLogin(ctx, { accountId, methodId: s.methodId, amr: s.amr });
  };

  /** R3/R4: show what the certificate says; email optional for citizens, required for enterprises. */
  const mountRegistration = (router: Router, methodId: string) => {
    const path = `/interaction/:uid/${methodId}/register`;
    const load = async (ctx: Context) => {
      const d = await deps.interaction(ctx);
      const flow = await loadFlow<Registering>(db, flowId(d.uid, methodId), 'signature_register');
      return { uid: d.uid, flow };
    };
    const page = (ctx: Context, uid: string, s: SignedBy, extra: Record<string, unknown> = {}, status = 200) => {
      const id = s.identity;
      render(ctx, 'signature/register', {
        uid, methodId, titleKey: `${methodId}.register.title`, enterprise: id.kind === 'enterprise', name: id.fullName,
        org: id.kind === 'enterprise' ? id.organisationName : undefined, mst: id.kind === 'enterprise' ? id.taxCode : undefined,
        idMasked: id.kind === 'citizen' ? maskId(id.idNumber) : undefined, ...extra,
      }, status);
    };
    router.get(path, async (ctx) => {
      const { uid, flow } = await load(ctx);
      if (!flow) return fail(ctx, uid, methodId, 'sig.err.expired', 410);
      page(ctx, uid, flow.data);
    });
    router.post(path, async (ctx) => {
      const { uid, flow } = await load(ctx);
      if (!flow) return fail(ctx, uid, methodId, 'sig.err.expired', 410);
      const s = flow.data;
      const raw = String((ctx.request.body as Record<string, unknown>).email ?? '').trim();
      const email = raw ? parseEmail(raw) : undefined;
      if ((s.identity.kind === 'enterprise' && !raw) || (email && !email.ok)) {
        return page(ctx, uid, s, { values: { email: raw }, errors: { email: raw ? 'reg.err.email.format' : 'sig.err.email.required' } }, 400);
      }
      const id = s.identity;
      const created = await createAccount(db, {
        subjectType: id.kind, level: 3, birthdateOptional: true, phoneOptional: !s.phone, phone: s.phone, email: email?.ok ? email.value : undefined,
        ...(id.kind === 'citizen' ? { fullName: id.fullName, [id.idType]: id.idNumber } : { fullName: id.fullName, mst: id.taxCode, organisationName: id.organisationName }),
        credentials: [{ type: s.credentialType, config: s.credentialConfig, identifiers: [s.credentialKey] }],
      });
      if (!created.ok) {
        if (created.errors.some((e) => e.error === 'duplicate')) return render(ctx, 'register/duplicate', { uid, forgotHref: `/interaction/${uid}/forgot` }, 409);
        throw new Error(`signature registration produced invalid data: ${created.errors.map((e) => e.field).join(',')}`);
      }
      await deleteFlow(db, flow.id);
      await audit(db, { action: 'account.register', accountId: created.accountId, ip: deps.clientIp(ctx), method: methodId, result: 'success', details: { serial: s.credentialConfig.serial } });
      await deps.finishLogin(ctx, { accountId: created.accountId, methodId, amr: s.amr });
    });
  };

  return { complete, mountRegistration, fail };
}
