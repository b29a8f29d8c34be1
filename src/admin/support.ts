// The support desk (role `support`): find an account with a reason (the lookup is audited and shown in
// the citizen's own history), see it, and act on it after checking the person's papers in person.
// A lookup opens a short "case" bound to this staff member, this account and this reason: every page
// and action of the account goes through it, so nothing is seen or changed without a stated reason.
import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { findAccount, findAccountIdByIdentifier, setLevel, setPhone, type Account } from '../identity/accounts.ts';
import { maskPhone, parseMst, parsePersonalId, parsePhone } from '../identity/identifiers/index.ts';
import { clearPasswordThrottle } from '../identity/login-throttle.ts';
import { issuePasswordResetLink } from '../identity/password-reset.ts';
import { providerLoginsOf, revokeEverything, sendBackchannelLogout } from '../identity/sessions.ts';
import { deleteFlow, loadFlow, saveFlow, type Flow } from '../shared/flows.ts';
import { langOf, translate } from '../shared/i18n.ts';
import { hit } from '../shared/rate-limit.ts';
import { render } from '../web/render.ts';
import { accountView } from './account-view.ts';
import { endFirstPartySessions } from './freeze.ts';
import { isOwnAccount, staffAudit, type Staff } from './auth.ts';
import { reasonOf, str, ticked, type AdminDeps } from './deps.ts';

const CASE_KIND = 'support_case';
const CASE_SECONDS = 30 * 60;
const RESET_LINK_SECONDS = 60 * 60;
/** Lookups per staff member per hour: a desk serves people one at a time; a script harvesting does not. */
const LOOKUPS_PER_HOUR = 60;
/** Actions on one account per hour (each sends an SMS to its phone), whoever the staff member. */
const ACTIONS_PER_ACCOUNT_PER_HOUR = 30;

interface Case { accountId: string; staffAccountId: string; reason: string }

/** The accounts a typed ID number, tax code or phone names. */
export async function accountsNamed(db: AdminDeps['db'], q: string): Promise<string[] | undefined> {
  const person = parsePersonalId(q);
  if (person.ok) return [await findAccountIdByIdentifier(db, person.value.type, person.value.value)].filter((x): x is string => !!x);
  const mst = parseMst(q);
  if (mst.ok) return [await findAccountIdByIdentifier(db, 'mst', mst.value)].filter((x): x is string => !!x);
  const phone = parsePhone(q);
  if (phone.ok) return (await db('identifiers').where({ type: 'phone', value: phone.value }).distinct('account_id').pluck('account_id')) as string[];
  return undefined;
}

export function mountSupport(r: Router, d: AdminDeps): void {
  const { db, cfg, sms, admin } = d;
  const findPage = (ctx: Context, extra: Record<string, unknown> = {}, status = 200) => render(ctx, 'admin/find', extra, status);

  r.get('/support', async (ctx) => {
    if (await admin.staff(ctx, 'support')) findPage(ctx);
  });

  r.post('/support/find', async (ctx) => {
    const s = await admin.staff(ctx, 'support');
    if (!s) return;
    const body = ctx.request.body as Record<string, unknown>;
    const q = str(body.query).trim().slice(0, 40);
    const reason = reasonOf(body.reason);
    const errors: Record<string, string> = {};
    const ids = await accountsNamed(db, q);
    if (!ids) errors.query = 'admin.find.err.query';
    if (!reason) errors.reason = 'admin.err.reason';
    const values = { query: q, reason: str(body.reason).slice(0, 200) };
    if (!ids || !reason) return findPage(ctx, { errors, values }, 400);
    if ((await hit(db, `admin:lookup:${s.accountId}`, 3600)) > LOOKUPS_PER_HOUR) return findPage(ctx, { formError: 'admin.err.too_many', values }, 429);
    if (ids.length === 0) return findPage(ctx, { errors: { query: 'admin.find.err.none' }, values }, 404);
    if (ids.length > 1) return findPage(ctx, { errors: { query: 'admin.find.err.several' }, values }, 409);
    const accountId = ids[0]!;
    if (isOwnAccount(s, accountId)) return findPage(ctx, { formError: 'admin.err.own', values }, 403);
    const id = randomBytes(18).toString('base64url');
    await db.transaction(async (trx) => {
      await saveFlow<Case>(trx, { id: `${CASE_KIND}:${id}`, kind: CASE_KIND, state: 'open', data: { accountId, staffAccountId: s.accountId, reason }, expiresAt: new Date(Date.now() + CASE_SECONDS * 1000) });
      await staffAudit(trx, s, { action: 'support.view', accountId, reason });
    });
    ctx.status = 303;
    ctx.redirect(`/admin/support/cases/${id}`);
  });

  /** The case of this staff member (never another's), with its account as it is now. */
  const openCase = async (ctx: Context, s: Staff): Promise<{ c: Flow<Case>; account: Account } | undefined> => {
    const c = await loadFlow<Case>(db, `${CASE_KIND}:${String(ctx.params.case).slice(0, 40)}`, CASE_KIND);
    const account = c && c.data.staffAccountId === s.accountId ? await findAccount(db, c.data.accountId) : undefined;
    if (!c || !account) { render(ctx, 'admin/find', { formError: 'admin.err.case' }, 410); return undefined; }
    return { c, account };
  };
  const casePage = async (ctx: Context, c: Flow<Case>, account: Account, extra: Record<string, unknown> = {}, status = 200) =>
    render(ctx, 'admin/case', { caseId: c.id.slice(CASE_KIND.length + 1), reason: c.data.reason, account: await accountView(db, d.methods, account, langOf(ctx)), ...extra }, status);

  r.get('/support/cases/:case', async (ctx) => {
    const s = await admin.staff(ctx, 'support');
    const got = s && (await openCase(ctx, s));
    if (got) await casePage(ctx, got.c, got.account, { notice: typeof ctx.query.done === 'string' ? `admin.done.${ctx.query.done.replace(/[^a-z_]/g, '')}` : undefined, noticeParams: { phone: typeof ctx.query.to === 'string' ? ctx.query.to.slice(0, 12) : '' } });
  });

  /** One support action: the papers checked, the change and its audit row in one transaction, then the SMS. */
  const action = (path: string, run: (ctx: Context, s: Staff, c: Flow<Case>, account: Account, body: Record<string, unknown>) => Promise<{ error: string } | { done: string; to?: string } | undefined>) => {
    r.post(`/support/cases/:case/${path}`, async (ctx) => {
      const s = await admin.staff(ctx, 'support');
      const got = s && (await openCase(ctx, s));
      if (!s || !got) return;
      const body = ctx.request.body as Record<string, unknown>;
      if (!ticked(body.checked)) return casePage(ctx, got.c, got.account, { formError: 'admin.err.checked' }, 400);
      if (isOwnAccount(s, got.account.id)) return casePage(ctx, got.c, got.account, { formError: 'admin.err.own' }, 403);
      if ((await hit(db, `admin:act:${got.account.id}`, 3600)) > ACTIONS_PER_ACCOUNT_PER_HOUR) return casePage(ctx, got.c, got.account, { formError: 'admin.err.too_many_actions' }, 429);
      const out = await run(ctx, s, got.c, got.account, body);
      if (!out) return;
      if ('error' in out) return casePage(ctx, got.c, got.account, { formError: out.error }, 400);
      ctx.status = 303;
      ctx.redirect(`/admin/support/cases/${got.c.id.slice(CASE_KIND.length + 1)}?done=${out.done}${out.to ? `&to=${encodeURIComponent(out.to)}` : ''}`);
    });
  };
  const say = (ctx: Context, to: string | undefined, key: string, idempotencyKey: string, params?: Record<string, string>) =>
    to ? sms.send({ to, text: translate(langOf(ctx), key, params), idempotencyKey }).catch(() => undefined) : Promise.resolve();
  const phoneOf = (a: Account) => a.identifiers.find((i) => i.type === 'phone' && i.primary)?.value;
  const stamp = () => randomBytes(6).toString('base64url');

  action('phone', async (ctx, s, c, account, body) => {
    const phone = parsePhone(str(body.phone));
    const old = phoneOf(account);
    if (!phone.ok || phone.value === old) return { error: 'admin.err.phone' };
    if (account.status !== 'active') return { error: 'admin.err.inactive' };
    await db.transaction(async (trx) => {
      await setPhone(trx, account.id, phone.value);
      await staffAudit(trx, s, { action: 'support.phone_change', accountId: account.id, reason: c.data.reason });
    });
    const k = stamp();
    await say(ctx, old, 'sms.staff.phone_changed_old', `staffphone:${k}:old`);
    await say(ctx, phone.value, 'sms.staff.phone_changed_new', `staffphone:${k}:new`);
    return { done: 'phone' };
  });

  action('reset-link', async (ctx, s, c, account) => {
    const phone = phoneOf(account);
    if (!phone) return { error: 'admin.err.no_phone' };
    if (account.status !== 'active') return { error: 'admin.err.inactive' };
    // The link goes to the phone only: the staff member never sees it.
    const path = await db.transaction(async (trx) => {
      const p = await issuePasswordResetLink(trx, account.id, phone, RESET_LINK_SECONDS);
      await staffAudit(trx, s, { action: 'support.reset_link', accountId: account.id, reason: c.data.reason });
      return p;
    });
    await say(ctx, phone, 'sms.staff.reset_link', `staffreset:${path}`, { link: `${cfg.issuer}${path}` });
    return { done: 'reset', to: maskPhone(phone) };
  });

  action('unlock', async (ctx, s, c, account) => {
    await db.transaction(async (trx) => {
      await clearPasswordThrottle(trx, cfg.otpSecret, account.id);
      await staffAudit(trx, s, { action: 'support.unlock', accountId: account.id, reason: c.data.reason });
    });
    await say(ctx, phoneOf(account), 'sms.staff.unlocked', `staffunlock:${stamp()}`);
    return { done: 'unlock' };
  });

  action('sign-out', async (ctx, s, c, account) => {
    const logins = await providerLoginsOf(db, account.id);
    const revoked = await db.transaction(async (trx) => {
      const n = await revokeEverything(trx, account.id);
      await endFirstPartySessions(trx, account.id);
      await staffAudit(trx, s, { action: 'support.sign_out', accountId: account.id, reason: c.data.reason, details: { revoked: n } });
      return n;
    });
    await sendBackchannelLogout((id) => d.provider.Client.find(id), account.id, logins);
    await say(ctx, phoneOf(account), 'sms.staff.signed_out', `staffsignout:${stamp()}:${revoked}`);
    return { done: 'signout' };
  });

  action('credentials/:id/remove', async (ctx, s, c, account) => {
    const credId = String(ctx.params.id).slice(0, 40);
    const removed = await db.transaction(async (trx) => {
      const row = await trx('credentials').where({ id: /^[0-9a-f-]{36}$/i.test(credId) ? credId : '00000000-0000-0000-0000-000000000000', account_id: account.id }).first('id', 'type');
      if (!row) return false;
      await trx('credentials').where({ id: row.id }).delete();
      if (row.type === 'totp') await trx('credentials').where({ account_id: account.id, type: 'recovery_codes' }).delete();
      await staffAudit(trx, s, { action: 'support.credential_remove', accountId: account.id, reason: c.data.reason, details: { type: row.type } });
      return true;
    });
    if (!removed) return { error: 'admin.err.not_found' };
    await say(ctx, phoneOf(account), 'sms.staff.method_removed', `staffcred:${credId}`);
    return { done: 'remove' };
  });

  action('raise', async (ctx, s, c, account) => {
    if (account.status !== 'active') return { error: 'admin.err.inactive' };
    if (account.level >= 3) return { done: 'raise_same' };
    await db.transaction(async (trx) => {
      await setLevel(trx, account.id, 3);
      await staffAudit(trx, s, { action: 'account.level_raised', accountId: account.id, reason: c.data.reason, details: { from: account.level, to: 3 } });
    });
    await say(ctx, phoneOf(account), 'sms.staff.raised', `staffraise:${account.id}`);
    return { done: 'raise' };
  });

  r.post('/support/cases/:case/close', async (ctx) => {
    const s = await admin.staff(ctx, 'support');
    const got = s && (await openCase(ctx, s));
    if (!got) return;
    await deleteFlow(db, got.c.id);
    ctx.status = 303;
    ctx.redirect('/admin/support');
  });
}
