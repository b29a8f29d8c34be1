// The account portal (Quản lý tài khoản) at /account: a first-party relying party of our own
// provider (openid-client, authorization code + PKCE), with its own short session in the database.
// This first slice: identity information, connected services (revoke a grant) and data export.
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import * as oidc from 'openid-client';
import type Provider from 'oidc-provider';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import { findAccount } from '../identity/accounts.ts';
import { audit } from '../identity/audit.ts';
import { formatDateVn, maskId, maskPhone } from '../identity/identifiers/index.ts';
import { knexAdapterFactory } from '../provider/adapter.ts';
import { hmac } from '../shared/digest.ts';
import { deleteFlow, loadFlow, saveFlow } from '../shared/flows.ts';
import { addMessages, langOf, translate } from '../shared/i18n.ts';
import { render } from '../web/render.ts';
import type { CredentialKind, MethodDeps } from '../interaction/method.ts';
import { otpStep } from '../interaction/otp-step.ts';
import { passwordErrors } from '../interaction/registration.ts';
import { credentialsOf, updateCredential } from '../identity/credentials.ts';
import { hashPassword, PASSWORD_CREDENTIAL, verifyPassword, type PasswordConfig } from '../identity/passwords.ts';
import { parsePhone } from '../identity/identifiers/index.ts';
import QRCode from 'qrcode';
import { generateURI } from 'otplib';
import { checkTotp, enrolTotp, hasTotp, newTotpSecret } from '../identity/totp.ts';
import { decryptJson, encryptJson } from '../provider/keys.ts';

const newUri = (secret: string, label: string) => generateURI({ issuer: 'DVC ID', label, secret });

addMessages({
  'acct.title': { vi: 'Quản lý tài khoản', en: 'Account management' },
  'acct.identity': { vi: 'Thông tin định danh', en: 'Identity information' },
  'acct.type': { vi: 'Loại tài khoản', en: 'Account type' },
  'acct.type.citizen': { vi: 'Công dân', en: 'Citizen' },
  'acct.type.enterprise': { vi: 'Doanh nghiệp', en: 'Enterprise' },
  'acct.level': { vi: 'Mức độ xác minh', en: 'Verification level' },
  'acct.name': { vi: 'Họ tên', en: 'Name' },
  'acct.birthdate': { vi: 'Ngày sinh', en: 'Date of birth' },
  'acct.ids': { vi: 'Số định danh', en: 'ID numbers' },
  'acct.phone': { vi: 'Số điện thoại', en: 'Phone' },
  'acct.email': { vi: 'Email', en: 'Email' },
  'acct.org': { vi: 'Tổ chức', en: 'Organisation' },
  'acct.readonly': { vi: 'Họ tên, ngày sinh và số định danh lấy từ nguồn đã xác minh nên không tự sửa được. Để điều chỉnh, vui lòng mang giấy tờ đến bộ phận một cửa hoặc bưu cục.', en: 'Name, date of birth and ID numbers come from verified sources and cannot be edited here. To correct them, bring your papers to a one-stop counter or a post office.' },
  'acct.services': { vi: 'Dịch vụ đã kết nối', en: 'Connected services' },
  'acct.services.none': { vi: 'Chưa có dịch vụ nào được chia sẻ thông tin.', en: 'No service has received your information yet.' },
  'acct.services.revoke': { vi: 'Thu hồi quyền', en: 'Revoke access' },
  'acct.services.revoked': { vi: 'Đã thu hồi quyền truy cập của dịch vụ.', en: 'The service no longer has access.' },
  'acct.export': { vi: 'Tải về dữ liệu của tôi (JSON)', en: 'Download my data (JSON)' },
  'acct.logout': { vi: 'Đăng xuất', en: 'Sign out' },
  'acct.sessions': { vi: 'Quản lý đăng nhập', en: 'Login management' },
  'acct.sessions.current': { vi: '(phiên này)', en: '(this session)' },
  'acct.sessions.end': { vi: 'Đăng xuất phiên này', en: 'Sign out this one' },
  'acct.sessions.end_others': { vi: 'Đăng xuất khỏi mọi nơi khác', en: 'Sign out everywhere else' },
  'acct.sessions.ended': { vi: 'Đã kết thúc phiên đăng nhập.', en: 'The session was ended.' },
  'acct.sessions.device': { vi: 'Thiết bị', en: 'Device' },
  'acct.sessions.started': { vi: 'Bắt đầu', en: 'Started' },
  'acct.sessions.last_seen': { vi: 'Lần cuối', en: 'Last seen' },
  'acct.history': { vi: 'Lịch sử đăng nhập', en: 'Login history' },
  'acct.history.more': { vi: 'Cũ hơn', en: 'Older' },
  'acct.history.newer': { vi: 'Mới hơn', en: 'Newer' },
  'acct.home': { vi: 'Thông tin tài khoản', en: 'Account' },
  'acct.totp': { vi: 'Ứng dụng xác thực (thay cho SMS)', en: 'Authenticator app (instead of SMS)' },
  'acct.totp.lead': { vi: 'Quét mã QR bằng ứng dụng xác thực (ví dụ Google Authenticator), rồi nhập mã 6 số ứng dụng hiển thị.', en: 'Scan the QR code with an authenticator app (e.g. Google Authenticator), then type the six-digit code it shows.' },
  'acct.totp.manual': { vi: 'Hoặc nhập khoá thủ công:', en: 'Or type the key by hand:' },
  'acct.totp.enrolled': { vi: 'Bạn đã có ứng dụng xác thực; đăng ký lại sẽ thay thế ứng dụng cũ.', en: 'You already have an authenticator app; enrolling again replaces it.' },
  'acct.totp.code': { vi: 'Mã 6 số', en: 'Six-digit code' },
  'acct.totp.codes': { vi: 'Mã khôi phục', en: 'Recovery codes' },
  'acct.totp.codes.lead': { vi: 'Lưu các mã sau ở nơi an toàn. Mỗi mã dùng được một lần khi bạn không có ứng dụng xác thực. Các mã chỉ hiển thị lần này.', en: 'Keep these codes somewhere safe. Each works once when you do not have the app. They are shown only now.' },
  'sms.totp_added': { vi: 'Mot ung dung xac thuc vua duoc them vao tai khoan Cong DVC cua ban. Neu khong phai ban, hay lien he 18001096 ngay.', en: 'An authenticator app was just added to your DVC account. If this was not you, call 18001096 now.' },
  'acct.methods': { vi: 'Các phương thức xác thực', en: 'Authentication methods' },
  'acct.methods.remove': { vi: 'Gỡ bỏ', en: 'Remove' },
  'acct.methods.last': { vi: '(cách đăng nhập duy nhất — không thể gỡ)', en: '(the only way to sign in — cannot be removed)' },
  'acct.methods.removed': { vi: 'Đã gỡ phương thức xác thực.', en: 'The method was removed.' },
  'acct.methods.refused': { vi: 'Không thể gỡ cách đăng nhập cuối cùng của tài khoản.', en: "The account's last way to sign in cannot be removed." },
  'acct.reveal': { vi: 'Hiện đầy đủ số định danh', en: 'Show full ID numbers' },
  'sms.method_removed': { vi: 'Mot phuong thuc xac thuc vua duoc go khoi tai khoan Cong DVC cua ban. Neu khong phai ban, hay lien he 18001096 ngay.', en: 'A sign-in method was just removed from your DVC account. If this was not you, call 18001096 now.' },
  'acct.password': { vi: 'Đổi mật khẩu', en: 'Change password' },
  'acct.password.current': { vi: 'Mật khẩu hiện tại', en: 'Current password' },
  'acct.password.err.current': { vi: 'Mật khẩu hiện tại không đúng.', en: 'The current password is not right.' },
  'acct.password.done': { vi: 'Đã đổi mật khẩu.', en: 'Your password was changed.' },
  'acct.phone.change': { vi: 'Đổi số điện thoại', en: 'Change phone number' },
  'acct.phone.new': { vi: 'Số điện thoại mới', en: 'New phone number' },
  'acct.phone.done': { vi: 'Đã đổi số điện thoại.', en: 'Your phone number was changed.' },
  'otp.sms.phone_change': { vi: 'Ma OTP xac nhan so dien thoai moi cho tai khoan Cong DVC: {code}. Co hieu luc {minutes} phut.', en: 'DVC code to confirm your new phone: {code}. Valid {minutes} min.' },
  'sms.phone_changed': { vi: 'So dien thoai cua tai khoan Cong DVC vua duoc doi sang so khac. Neu khong phai ban, hay lien he 18001096 ngay.', en: 'Your DVC account phone number was just changed. If this was not you, call 18001096 now.' },
});

const CLIENT_ID = 'dvc-account';
const COOKIE = 'dvc.account';
const KIND = 'portal_session';
interface PortalSession { accountId: string; acr: string; authTime: number }
interface PortalLogin { verifier: string; state: string; nonce: string; returnTo?: string }
const RECENT_SECONDS = 300;

export async function portalRouter(cfg: Config, db: Db, provider: Provider, deps: Pick<MethodDeps, 'otp' | 'sms' | 'cfg' | 'db' | 'render' | 'clientIp'>, kinds: CredentialKind[]): Promise<Router> {
  const phoneStep = otpStep(deps, 'phone_change', 'otp.sms.phone_change');
  const secret = hmac(cfg.otpSecret, 'portal-client-secret');
  const redirectUri = `${cfg.issuer}/account/callback`;
  // The portal registers itself as a first-party client (no consent page).
  await new (knexAdapterFactory(db))('Client').upsert(CLIENT_ID, {
    client_id: CLIENT_ID, client_secret: secret, client_name: 'Quản lý tài khoản', redirect_uris: [redirectUri],
    grant_types: ['authorization_code'], response_types: ['code'], dvc_skip_consent: true,
  }, 0);

  let config: oidc.Configuration | undefined;
  const rp = async () => (config ??= await oidc.discovery(new URL(cfg.issuer), CLIENT_ID, secret, undefined, cfg.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {}));

  const r = new Router({ prefix: '/account' });

  const session = async (ctx: Context) => {
    const id = ctx.cookies.get(COOKIE, { signed: true });
    return id ? loadFlow<PortalSession>(db, `portal:${id}`, KIND) : undefined;
  };
  const startLogin = async (ctx: Context, maxAge?: number, returnTo = '/account') => {
    const c = await rp();
    const login: PortalLogin = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), returnTo };
    await saveFlow(db, { id: `portal-login:${login.state}`, kind: 'portal_login', state: 'start', data: login, expiresAt: new Date(Date.now() + 30 * 60_000) });
    ctx.redirect(oidc.buildAuthorizationUrl(c, {
      redirect_uri: redirectUri, scope: 'openid profile phone email national_id enterprise', state: login.state, nonce: login.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(login.verifier), code_challenge_method: 'S256',
      ...(maxAge !== undefined ? { max_age: String(maxAge) } : {}),
    }).href);
  };
  /** `recent`: sensitive actions need a sign-in of the last five minutes (OIDC max_age). */
  const requireSession = async (ctx: Context, recent = false) => {
    const s = await session(ctx);
    const back = ctx.method === 'GET' ? ctx.originalUrl : '/account';
    if (!s) { await startLogin(ctx, undefined, back); return undefined; }
    const account = await findAccount(db, s.data.accountId);
    if (!account || account.status !== 'active') { await startLogin(ctx, undefined, back); return undefined; }
    if (recent && Date.now() / 1000 - s.data.authTime > RECENT_SECONDS) { await startLogin(ctx, RECENT_SECONDS, back); return undefined; }
    return { s, account };
  };

  r.get('/callback', async (ctx) => {
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const login = state ? await loadFlow<PortalLogin>(db, `portal-login:${state}`, 'portal_login') : undefined;
    if (!login) return startLogin(ctx);
    await deleteFlow(db, login.id);
    const tokens = await oidc.authorizationCodeGrant(await rp(), new URL(`${redirectUri}?${ctx.querystring}`), { pkceCodeVerifier: login.data.verifier, expectedState: state, expectedNonce: login.data.nonce });
    const claims = tokens.claims()!;
    const id = randomBytes(18).toString('base64url');
    await saveFlow<PortalSession>(db, { id: `portal:${id}`, kind: KIND, state: 'active', data: { accountId: claims.sub, acr: String(claims.acr), authTime: Number(claims.auth_time) }, expiresAt: new Date(Date.now() + 3600_000) });
    ctx.cookies.set(COOKIE, id, { httpOnly: true, sameSite: 'lax', signed: true, secure: ctx.secure, path: '/account' });
    ctx.redirect(login.data.returnTo?.startsWith('/account') ? login.data.returnTo : '/account');
  });

  r.get('/', async (ctx) => {
    const got = await requireSession(ctx);
    if (!got) return;
    const { account } = got;
    const grants = await db('oidc_models').where({ kind: 'Grant', account_id: account.id }).andWhere('expires_at', '>', db.fn.now());
    const services = [];
    for (const g of grants) {
      const payload = (typeof g.payload === 'string' ? JSON.parse(g.payload) : g.payload) as { clientId: string; openid?: { scope?: string }; iat?: number };
      if (payload.clientId === CLIENT_ID) continue;
      const client = await provider.Client.find(payload.clientId);
      services.push({ grantId: g.id as string, name: client?.clientName ?? payload.clientId, scopes: payload.openid?.scope ?? '', since: payload.iat ? new Date(payload.iat * 1000).toISOString().slice(0, 10) : '' });
    }
    const ids = account.identifiers;
    render(ctx, 'account/home', {
      account, services, revoked: ctx.query.revoked === '1', phoneChanged: ctx.query.phone === '1',
      birthdate: account.birthdate ? formatDateVn(account.birthdate) : undefined,
      legalIds: ids.filter((i) => ['cccd', 'cmnd', 'mst', 'bhxh'].includes(i.type)).map((i) => ({ type: i.type.toUpperCase(), masked: maskId(i.value) })),
      phone: ids.find((i) => i.type === 'phone')?.value, maskedPhone: ids.find((i) => i.type === 'phone') ? maskPhone(ids.find((i) => i.type === 'phone')!.value) : undefined,
      email: ids.find((i) => i.type === 'email')?.value,
    });
  });

  // Revoking a connected service ends its grant and every token issued under it.
  r.post('/services/:grantId/revoke', async (ctx) => {
    const got = await requireSession(ctx);
    if (!got) return;
    const grant = await db('oidc_models').where({ kind: 'Grant', id: String(ctx.params.grantId), account_id: got.account.id }).first();
    if (grant) {
      await db('oidc_models').where({ grant_id: grant.id }).delete();
      await db('oidc_models').where({ kind: 'Grant', id: grant.id }).delete();
      await audit(db, { action: 'grant.revoke', accountId: got.account.id, ip: ctx.ip, result: 'success', details: { grant: grant.id } });
    }
    ctx.status = 303;
    ctx.redirect('/account?revoked=1');
  });

  // Everything we hold about the account, machine-readable (no secrets: no password hashes, no keys).
  r.get('/export', async (ctx) => {
    const got = await requireSession(ctx, true);
    if (!got) return;
    const { account } = got;
    const credentials = await db('credentials').where({ account_id: account.id }).select('type', 'created_at', 'config');
    const history = await db('audit_events').where({ account_id: account.id }).orderBy('at', 'desc').limit(1000).select('at', 'action', 'method', 'result', 'ip', 'client_id');
    ctx.set('content-disposition', 'attachment; filename="dvc-id-my-data.json"');
    ctx.set('cache-control', 'no-store');
    ctx.body = {
      exportedAt: new Date().toISOString(),
      account: { id: account.id, type: account.subjectType, level: account.level, status: account.status, fullName: account.fullName, birthdate: account.birthdate, organisation: account.organisationName },
      identifiers: account.identifiers,
      credentials: credentials.map((c: { type: string; created_at: string; config: unknown }) => {
        const cfgObj = (typeof c.config === 'string' ? JSON.parse(c.config) : c.config) as Record<string, unknown>;
        const { hash: _h, ...safe } = cfgObj;
        return { type: c.type, createdAt: c.created_at, details: safe };
      }),
      history,
    };
  });

  // Login management: the provider's sessions of this account, with device and place.
  r.get('/sessions', async (ctx) => {
    const got = await requireSession(ctx);
    if (!got) return;
    const current = ctx.cookies.get('_session', { signed: true });
    const rows = await db('oidc_models as m').leftJoin('session_meta as x', 'x.session_uid', db.raw("m.payload->>'uid'"))
      .where({ 'm.kind': 'Session', 'm.account_id': got.account.id }).andWhere('m.expires_at', '>', db.fn.now())
      .select('m.id', 'm.payload', 'x.ip', 'x.user_agent', 'x.last_seen_at');
    const sessions = rows.map((r: { id: string; payload: unknown; ip: string | null; user_agent: string | null; last_seen_at: string | Date | null }) => {
      const p = (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { loginTs?: number; acr?: string; amr?: string[] };
      return {
        id: r.id, current: r.id === current, ip: r.ip ?? '—', device: r.user_agent ?? '—', acr: p.acr ?? '—', amr: (p.amr ?? []).join(', '),
        started: p.loginTs ? new Date(p.loginTs * 1000).toISOString().replace('T', ' ').slice(0, 16) : '—',
        lastSeen: r.last_seen_at ? new Date(r.last_seen_at).toISOString().replace('T', ' ').slice(0, 16) : '—',
      };
    });
    render(ctx, 'account/sessions', { sessions, ended: ctx.query.ended });
  });

  /** Ends a provider session for real: back-channel logout to its RPs, their tokens, the session. */
  const endSession = async (accountId: string, id: string): Promise<boolean> => {
    const row = await db('oidc_models').where({ kind: 'Session', id, account_id: accountId }).first();
    if (!row) return false;
    const p = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as { authorizations?: Record<string, { sid?: string; grantId?: string }> };
    for (const [clientId, a] of Object.entries(p.authorizations ?? {})) {
      if (a.grantId) await db('oidc_models').where({ grant_id: a.grantId }).whereIn('kind', ['AccessToken', 'RefreshToken', 'AuthorizationCode']).delete();
      const client = (await provider.Client.find(clientId)) as unknown as { backchannelLogoutUri?: string; backchannelLogout(sub: string, sid: string): Promise<void> } | undefined;
      if (client?.backchannelLogoutUri && a.sid) await client.backchannelLogout(accountId, a.sid).catch(() => undefined);
    }
    await db('oidc_models').where({ kind: 'Session', id }).delete();
    return true;
  };

  r.post('/sessions/:id/end', async (ctx) => {
    const got = await requireSession(ctx);
    if (!got) return;
    const ok = await endSession(got.account.id, String(ctx.params.id));
    if (ok) await audit(db, { action: 'session.end', accountId: got.account.id, ip: ctx.ip, result: 'success' });
    ctx.status = 303;
    ctx.redirect('/account/sessions?ended=1');
  });

  r.post('/sessions/end-others', async (ctx) => {
    const got = await requireSession(ctx);
    if (!got) return;
    const current = ctx.cookies.get('_session', { signed: true });
    const others = await db('oidc_models').where({ kind: 'Session', account_id: got.account.id }).whereNot({ id: current ?? '' }).pluck('id');
    for (const id of others) await endSession(got.account.id, id as string);
    await audit(db, { action: 'session.end_others', accountId: got.account.id, ip: ctx.ip, result: 'success', details: { ended: others.length } });
    ctx.status = 303;
    ctx.redirect('/account/sessions?ended=1');
  });

  // Login history: 90 days, newest first, 20 a page.
  r.get('/history', async (ctx) => {
    const got = await requireSession(ctx);
    if (!got) return;
    const page = Math.max(1, Math.min(1000, Number.parseInt(String(ctx.query.page ?? '1'), 10) || 1));
    const rows = await db('audit_events').where({ account_id: got.account.id }).whereIn('action', ['login', 'stepup'])
      .andWhere('at', '>', db.raw("now() - interval '90 days'")).orderBy('at', 'desc').offset((page - 1) * 20).limit(21);
    render(ctx, 'account/history', {
      page, more: rows.length > 20,
      events: rows.slice(0, 20).map((e: { at: string | Date; ip: string | null; user_agent: string | null; method: string | null; result: string | null; client_id: string | null; details: unknown }) => ({
        at: new Date(e.at).toISOString().replace('T', ' ').slice(0, 16), ip: e.ip ?? '—', device: e.user_agent ?? '—', method: e.method ?? '—', result: e.result ?? '—', client: e.client_id || '—',
        acr: ((typeof e.details === 'string' ? JSON.parse(e.details) : e.details) as { acr?: string } | null)?.acr ?? '—',
      })),
    });
  });

  // Change password: the current one is required; the seed rule; a notice by SMS.
  const passwordPage = (ctx: Context, extra: Record<string, unknown> = {}, status = 200) => render(ctx, 'account/password', extra, status);
  r.get('/password', async (ctx) => { if (await requireSession(ctx)) passwordPage(ctx); });
  r.post('/password', async (ctx) => {
    const got = await requireSession(ctx);
    if (!got) return;
    const body = ctx.request.body as Record<string, unknown>;
    const [cred] = await credentialsOf<PasswordConfig>(db, got.account.id, PASSWORD_CREDENTIAL);
    const errors: Record<string, string> = {};
    if (!cred || !(await verifyPassword(cred.config.hash, String(body.current ?? '')))) errors.current = 'acct.password.err.current';
    Object.assign(errors, passwordErrors(body.password, body.password2));
    if (!errors.password && body.password === body.current) errors.password = 'reg.err.password.same_as_current';
    if (Object.keys(errors).length || !cred) return passwordPage(ctx, { errors }, 400);
    if (!(await updateCredential(db, cred, { hash: await hashPassword(String(body.password)), changedAt: new Date().toISOString() }))) return passwordPage(ctx, { formError: 'error.generic' }, 409);
    await audit(db, { action: 'password.change', accountId: got.account.id, ip: ctx.ip, result: 'success' });
    const phone = got.account.identifiers.find((i) => i.type === 'phone' && i.primary);
    if (phone) await deps.sms.send({ to: phone.value, text: translate(langOf(ctx), 'sms.password_changed'), idempotencyKey: `pwchange:${cred.id}:${cred.version}` }).catch(() => undefined);
    passwordPage(ctx, { notice: 'acct.password.done' });
  });

  // Change phone: a recent sign-in, a code to the new number, a notice to the old one.
  const phoneFlow = (ctx: Context) => `phone:${ctx.cookies.get(COOKIE, { signed: true }) ?? ''}`;
  r.get('/phone', async (ctx) => { if (await requireSession(ctx, true)) render(ctx, 'account/phone', {}); });
  r.post('/phone', async (ctx) => {
    const got = await requireSession(ctx, true);
    if (!got) return;
    const raw = String((ctx.request.body as Record<string, unknown>).phone ?? '');
    const phone = parsePhone(raw);
    if (!phone.ok) return render(ctx, 'account/phone', { values: { phone: raw }, errors: { phone: `reg.err.phone.${phone.error}` } }, 400);
    await saveFlow(db, { id: phoneFlow(ctx), kind: 'phone_change', state: 'otp', data: { phone: phone.value, accountId: got.account.id }, expiresAt: new Date(Date.now() + 15 * 60_000) });
    const sent = await phoneStep.send(ctx, phoneFlow(ctx), phone.value);
    ctx.status = 303;
    ctx.redirect(`/account/phone/verify${sent.ok ? '' : `?error=${sent.error}`}`);
  });
  const phoneLocals = (ctx: Context, phone: string) => ({ action: '/account/phone/verify', resendAction: '/account/phone/resend', backHref: '/account', backKey: 'common.back', lead: translate(langOf(ctx), 'act.otp.sent', { phone: maskPhone(phone) }) });
  r.get('/phone/verify', async (ctx) => {
    if (!(await requireSession(ctx, true))) return;
    const f = await loadFlow<{ phone: string }>(db, phoneFlow(ctx), 'phone_change');
    if (!f) { ctx.redirect('/account/phone'); return; }
    phoneStep.page(ctx, phoneLocals(ctx, f.data.phone));
  });
  r.post('/phone/resend', async (ctx) => {
    if (!(await requireSession(ctx, true))) return;
    const f = await loadFlow<{ phone: string }>(db, phoneFlow(ctx), 'phone_change');
    if (!f) { ctx.redirect('/account/phone'); return; }
    await phoneStep.resend(ctx, f.id, f.data.phone, phoneLocals(ctx, f.data.phone));
  });
  r.post('/phone/verify', async (ctx) => {
    const got = await requireSession(ctx, true);
    if (!got) return;
    const f = await loadFlow<{ phone: string; accountId: string }>(db, phoneFlow(ctx), 'phone_change');
    if (!f || f.data.accountId !== got.account.id) { ctx.redirect('/account/phone'); return; }
    const checked = await phoneStep.verify(ctx, f.id, String((ctx.request.body as Record<string, unknown>).code ?? '').trim());
    if (!checked.ok) return phoneStep.page(ctx, phoneLocals(ctx, f.data.phone), checked, 400);
    const old = got.account.identifiers.find((i) => i.type === 'phone' && i.primary);
    await db.transaction(async (trx) => {
      await trx('identifiers').where({ account_id: got.account.id, type: 'phone' }).delete();
      await trx('identifiers').insert({ account_id: got.account.id, type: 'phone', value: f.data.phone, verified: true, primary: true });
    });
    await deleteFlow(db, f.id);
    await audit(db, { action: 'phone.change', accountId: got.account.id, ip: ctx.ip, result: 'success' });
    if (old && old.value !== f.data.phone) await deps.sms.send({ to: old.value, text: translate(langOf(ctx), 'sms.phone_changed'), idempotencyKey: `phonechange:${f.id}` }).catch(() => undefined);
    ctx.status = 303;
    ctx.redirect('/account?phone=1');
  });

  // Authenticator app (TOTP): enrolled by QR code after a recent sign-in; recovery codes shown once.
  const totpFlow = (ctx: Context) => `totp:${ctx.cookies.get(COOKIE, { signed: true }) ?? ''}`;
  r.get('/totp', async (ctx) => {
    const got = await requireSession(ctx, true);
    if (!got) return;
    const { secret, uri } = newTotpSecret();
    await saveFlow(db, { id: totpFlow(ctx), kind: 'totp_enrol', state: 'pending', data: { secret: encryptJson(cfg.keyEncryptionSecret, secret) }, expiresAt: new Date(Date.now() + 10 * 60_000) });
    render(ctx, 'account/totp', { qr: await QRCode.toDataURL(uri(got.account.fullName ?? got.account.id)), secret, enrolled: await hasTotp(db, got.account.id) });
  });
  r.post('/totp', async (ctx) => {
    const got = await requireSession(ctx, true);
    if (!got) return;
    const f = await loadFlow<{ secret: string }>(db, totpFlow(ctx), 'totp_enrol');
    if (!f) { ctx.redirect('/account/totp'); return; }
    const secret = decryptJson<string>(cfg.keyEncryptionSecret, f.data.secret);
    const code = String((ctx.request.body as Record<string, unknown>).code ?? '').trim();
    const step = await checkTotp(secret, code);
    if (step === undefined) {
      return render(ctx, 'account/totp', { qr: await QRCode.toDataURL(newUri(secret, got.account.fullName ?? got.account.id)), secret, errors: { code: 'pwotp.totp.err' } }, 400);
    }
    const codes = await enrolTotp(db, cfg.keyEncryptionSecret, cfg.otpSecret, got.account.id, secret, step);
    await deleteFlow(db, f.id);
    await audit(db, { action: 'credential.add', accountId: got.account.id, ip: ctx.ip, method: 'totp', result: 'success' });
    const phone = got.account.identifiers.find((i) => i.type === 'phone' && i.primary);
    if (phone) await deps.sms.send({ to: phone.value, text: translate(langOf(ctx), 'sms.totp_added'), idempotencyKey: `totp:${f.id}` }).catch(() => undefined);
    render(ctx, 'account/recovery-codes', { codes });
  });

  // Authentication methods: the account's credentials, each removable unless it is the last way in.
  // Each enabled method says which credentials it keeps and how to show them.
  const kindOf = new Map(kinds.map((k) => [k.type, k]));
  const LOGIN_WAYS = kinds.filter((k) => k.signsIn).map((k) => k.type);
  r.get('/methods', async (ctx) => {
    const got = await requireSession(ctx);
    if (!got) return;
    const rows = (await db('credentials').where({ account_id: got.account.id }).orderBy('created_at')).filter((c: { type: string }) => kindOf.has(c.type));
    const logins = rows.filter((c: { type: string }) => LOGIN_WAYS.includes(c.type)).length;
    const methods = rows.map((c: { id: string; type: string; config: unknown; created_at: string | Date }) => {
      const conf = (typeof c.config === 'string' ? JSON.parse(c.config) : c.config) as Record<string, unknown>;
      const kind = kindOf.get(c.type)!;
      return { id: c.id, label: kind.label, detail: kind.describe?.(conf) ?? '', since: new Date(c.created_at).toISOString().slice(0, 10), removable: !LOGIN_WAYS.includes(c.type) || logins > 1 };
    });
    render(ctx, 'account/methods', { methods, removed: ctx.query.removed === '1', refused: ctx.query.refused === '1' });
  });
  r.post('/methods/:id/remove', async (ctx) => {
    const got = await requireSession(ctx, true);
    if (!got) return;
    const id = String(ctx.params.id);
    let removed = false;
    await db.transaction(async (trx) => {
      // Counted inside the transaction, locked: two removals at once cannot both leave nothing.
      const rows = await trx('credentials').where({ account_id: got.account.id }).forUpdate().select('id', 'type');
      const target = rows.find((r: { id: string }) => r.id === id);
      if (!target) return;
      const logins = rows.filter((r: { type: string }) => LOGIN_WAYS.includes(r.type)).length;
      if (LOGIN_WAYS.includes(target.type) && logins <= 1) return;
      await trx('credentials').where({ id }).delete();
      if (target.type === 'totp') await trx('credentials').where({ account_id: got.account.id, type: 'recovery_codes' }).delete();
      removed = true;
    });
    if (removed) {
      await audit(db, { action: 'credential.remove', accountId: got.account.id, ip: ctx.ip, result: 'success' });
      const phone = got.account.identifiers.find((i) => i.type === 'phone' && i.primary);
      if (phone) await deps.sms.send({ to: phone.value, text: translate(langOf(ctx), 'sms.method_removed'), idempotencyKey: `credremove:${id}` }).catch(() => undefined);
    }
    ctx.status = 303;
    ctx.redirect(`/account/methods?${removed ? 'removed' : 'refused'}=1`);
  });

  // Reveal the full ID numbers: only after a recent sign-in.
  r.get('/identity/reveal', async (ctx) => {
    const got = await requireSession(ctx, true);
    if (!got) return;
    await audit(db, { action: 'identity.reveal', accountId: got.account.id, ip: ctx.ip, result: 'success' });
    render(ctx, 'account/reveal', { ids: got.account.identifiers.filter((i) => ['cccd', 'cmnd', 'mst', 'bhxh'].includes(i.type)).map((i) => ({ type: i.type.toUpperCase(), value: i.value })) });
  });

  r.post('/logout', async (ctx) => {
    const id = ctx.cookies.get(COOKIE, { signed: true });
    if (id) await deleteFlow(db, `portal:${id}`);
    ctx.cookies.set(COOKIE, '', { path: '/account', maxAge: 0 });
    ctx.status = 303;
    ctx.redirect('/session/end');
  });
  return r;
}
