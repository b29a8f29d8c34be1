// Authentication methods (Các phương thức xác thực): password, the authenticator app and the
// credentials each method keeps. The portal knows no method: each declares its credential kinds and,
// if it can, an "add" action that runs its own steps for the signed-in account.
import type Router from '@koa/router';
import type { Context } from 'koa';
import QRCode from 'qrcode';
import { generateURI } from 'otplib';
import type { Account } from '../identity/accounts.ts';
import { audit } from '../identity/audit.ts';
import { maskPhone } from '../identity/identifiers/index.ts';
import { clearPasswordThrottle } from '../identity/login-throttle.ts';
import { addCredential, credentialsOf, updateCredential } from '../identity/credentials.ts';
import { hashPassword, PASSWORD_CREDENTIAL, verifyPassword, type PasswordConfig } from '../identity/passwords.ts';
import { checkTotp, enrolTotp, hasTotp, newTotpSecret } from '../identity/totp.ts';
import type { AuthMethod } from '../interaction/method.ts';
import { passwordErrors } from '../interaction/registration.ts';
import { decryptJson, encryptJson } from '../shared/sealed-json.ts';
import { LINK_PARAM } from '../provider/configuration.ts';
import { deleteFlow, loadFlow, saveFlow } from '../shared/flows.ts';
import { render } from '../web/render.ts';
import { vnDate } from '../shared/vn-time.ts';
import type { PortalDeps } from './deps.ts';

const newUri = (secret: string, label: string) => generateURI({ issuer: 'DVC ID', label, secret });

const otpPhoneOf = (a: Account) => {
  const phone = a.identifiers.find((i) => i.type === 'phone' && i.primary);
  return phone ? maskPhone(phone.value) : undefined;
};

/** The methods whose credential this account may add from the portal. */
export const linkableFor = (methods: AuthMethod[], account: Account) => methods.filter((m) => m.link && m.subjectTypes.includes(account.subjectType));

export function mountSecurity(r: Router, p: PortalDeps): void {
  const { db, cfg, auth, notify } = p;

  // Change password: the current one is required; the seed rule; a notice by SMS. An account
  // registered by signature has none: it may set one (after a recent sign-in) to sign in with
  // ID number + password + code as well.
  const passwordPage = async (ctx: Context, accountId: string, extra: Record<string, unknown> = {}, status = 200) =>
    render(ctx, 'account/password', { setting: !(await credentialsOf(db, accountId, PASSWORD_CREDENTIAL)).length, ...extra }, status);
  r.get('/password', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const [cred] = await credentialsOf(db, got.account.id, PASSWORD_CREDENTIAL);
    if (!cred && !(await auth.requireSession(ctx, true))) return;
    await passwordPage(ctx, got.account.id);
  });
  r.post('/password', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const body = ctx.request.body as Record<string, unknown>;
    const [cred] = await credentialsOf<PasswordConfig>(db, got.account.id, PASSWORD_CREDENTIAL);
    if (!cred && !(await auth.requireSession(ctx, true))) return;
    const errors: Record<string, string> = {};
    if (cred && !(await verifyPassword(cred.config.hash, String(body.current ?? '')))) errors.current = 'acct.password.err.current';
    Object.assign(errors, passwordErrors(body.password, body.password2));
    if (cred && !errors.password && body.password === body.current) errors.password = 'reg.err.password.same_as_current';
    if (Object.keys(errors).length) return passwordPage(ctx, got.account.id, { errors }, 400);
    const config = { hash: await hashPassword(String(body.password)), changedAt: new Date().toISOString() };
    if (cred) {
      if (!(await updateCredential(db, cred, config))) return passwordPage(ctx, got.account.id, { formError: 'error.generic' }, 409);
    } else {
      await addCredential(db, got.account.id, PASSWORD_CREDENTIAL, config);
    }
    // A new password ends any password-guessing lock (README "Throttling policy").
    await clearPasswordThrottle(db, cfg.otpSecret, got.account.id);
    await audit(db, { action: cred ? 'password.change' : 'credential.add', accountId: got.account.id, ip: ctx.ip, method: cred ? undefined : 'password', result: 'success' });
    await notify(ctx, got.account, 'sms.password_changed', `pwchange:${cred ? `${cred.id}:${cred.version}` : got.account.id}`);
    await passwordPage(ctx, got.account.id, { notice: 'acct.password.done' });
  });

  // Authenticator app (TOTP): enrolled by QR code after a recent sign-in; recovery codes shown once.
  const totpFlow = (ctx: Context) => `totp:${auth.sessionKey(ctx)}`;
  r.get('/totp', async (ctx) => {
    const got = await auth.requireSession(ctx, true);
    if (!got) return;
    const { secret, uri } = newTotpSecret();
    await saveFlow(db, { id: totpFlow(ctx), kind: 'totp_enrol', state: 'pending', data: { secret: encryptJson(cfg.keyEncryptionSecret, secret) }, expiresAt: new Date(Date.now() + 10 * 60_000) });
    render(ctx, 'account/totp', { qr: await QRCode.toDataURL(uri(got.account.fullName ?? got.account.id)), secret, enrolled: await hasTotp(db, got.account.id) });
  });
  r.post('/totp', async (ctx) => {
    const got = await auth.requireSession(ctx, true);
    if (!got) return;
    const f = await loadFlow<{ secret: string }>(db, totpFlow(ctx), 'totp_enrol');
    if (!f) { ctx.redirect('/account/totp'); return; }
    const secret = decryptJson<string>(cfg.keyEncryptionSecret, f.data.secret);
    const step = await checkTotp(secret, String((ctx.request.body as Record<string, unknown>).code ?? '').trim());
    if (step === undefined) {
      return render(ctx, 'account/totp', { qr: await QRCode.toDataURL(newUri(secret, got.account.fullName ?? got.account.id)), secret, errors: { code: 'pwotp.totp.err' } }, 400);
    }
    const codes = await enrolTotp(db, cfg.keyEncryptionSecret, cfg.otpSecret, got.account.id, secret, step);
    await deleteFlow(db, f.id);
    await audit(db, { action: 'credential.add', accountId: got.account.id, ip: ctx.ip, method: 'totp', result: 'success' });
    await notify(ctx, got.account, 'sms.totp_added', `totp:${f.id}`);
    render(ctx, 'account/recovery-codes', { codes });
  });

  // The account's credentials, each removable unless it is the last way in.
  const kinds = p.methods.flatMap((m) => m.credentials ?? []);
  const kindOf = new Map(kinds.map((k) => [k.type, k]));
  const LOGIN_WAYS = kinds.filter((k) => k.signsIn).map((k) => k.type);
  r.get('/methods', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const creds = (await credentialsOf(db, got.account.id)).filter((c) => kindOf.has(c.type));
    const logins = creds.filter((c) => LOGIN_WAYS.includes(c.type)).length;
    const methods = creds.map((c) => {
      const kind = kindOf.get(c.type)!;
      return { id: c.id, label: kind.label, detail: kind.describe?.(c.config) ?? '', since: vnDate(c.createdAt), removable: !LOGIN_WAYS.includes(c.type) || logins > 1 };
    });
    render(ctx, 'account/methods', {
      methods, otpPhone: otpPhoneOf(got.account), removed: ctx.query.removed === '1', refused: ctx.query.refused === '1', linked: ctx.query.linked === '1',
      links: linkableFor(p.methods, got.account).map((m) => ({ id: m.id, label: m.link })), level: got.account.level,
    });
  });

  // "Add": the method's own steps for this account, through the provider (a signature by the owner).
  r.post('/methods/link/:method', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const m = linkableFor(p.methods, got.account).find((x) => x.id === ctx.params.method);
    if (!m) { ctx.status = 303; ctx.redirect('/account/methods'); return; }
    await auth.startLogin(ctx, { returnTo: '/account/methods?linked=1', extras: { [LINK_PARAM]: m.id } });
  });

  r.post('/methods/:id/remove', async (ctx) => {
    const got = await auth.requireSession(ctx, true);
    if (!got) return;
    const id = String(ctx.params.id);
    let removed = false;
    await db.transaction(async (trx) => {
      // Counted inside the transaction, locked: two removals at once cannot both leave nothing.
      const rows = await trx('credentials').where({ account_id: got.account.id }).forUpdate().select('id', 'type');
      const target = rows.find((row: { id: string }) => row.id === id);
      if (!target) return;
      const logins = rows.filter((row: { type: string }) => LOGIN_WAYS.includes(row.type)).length;
      if (LOGIN_WAYS.includes(target.type) && logins <= 1) return;
      await trx('credentials').where({ id }).delete();
      if (target.type === 'totp') await trx('credentials').where({ account_id: got.account.id, type: 'recovery_codes' }).delete();
      removed = true;
    });
    if (removed) {
      await audit(db, { action: 'credential.remove', accountId: got.account.id, ip: ctx.ip, result: 'success' });
      await notify(ctx, got.account, 'sms.method_removed', `credremove:${id}`);
    }
    ctx.status = 303;
    ctx.redirect(`/account/methods?${removed ? 'removed' : 'refused'}=1`);
  });
}
