// Login management (Quản lý đăng nhập): the provider's sessions of the account, its login history
// and the services that hold a grant. Ending a session or a grant ends it in the provider for real.
import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Db } from '../db/knex.ts';
import { audit } from '../identity/audit.ts';
import { CLAIMS } from '../provider/claims.ts';
import { vnDate, vnMinute } from '../shared/vn-time.ts';
import { describeDevice } from '../shared/device.ts';
import { render } from '../web/render.ts';
import type { Context } from 'koa';
import { langOf } from '../shared/i18n.ts';
import { PORTAL_CLIENT_ID } from './auth.ts';
import type { PortalDeps } from './deps.ts';
import type { AuthMethod } from '../interaction/method.ts';

const minute = vnMinute;

// What staff did with the account (src/admin/), shown with the time and the office, never the staff member.
const STAFF_LOOKS = ['support.view', 'audit.reveal'];
const STAFF_CHANGES = ['support.phone_change', 'support.reset_link', 'support.unlock', 'support.sign_out', 'support.credential_remove', 'complaint.freeze', 'complaint.restore'];
function staffEntry(action: string, details: unknown): { staff?: string; office?: string } {
  if (!STAFF_LOOKS.includes(action) && !STAFF_CHANGES.includes(action)) return {};
  return { staff: STAFF_LOOKS.includes(action) ? 'acct.history.staff.support.view' : 'acct.history.staff.changed', office: String((details as { office?: unknown } | null)?.office ?? '—') };
}

/** Ends a provider session: back-channel logout to its RPs, their tokens, the session itself. */
export async function endProviderSession(db: Db, provider: Provider, accountId: string, id: string): Promise<boolean> {
  const row = await db('oidc_models').where({ kind: 'Session', id, account_id: accountId }).first();
  if (!row) return false;
  const p = row.payload as { authorizations?: Record<string, { sid?: string; grantId?: string }> };
  for (const [clientId, a] of Object.entries(p.authorizations ?? {})) {
    if (a.grantId) {
      await db('oidc_models').where({ grant_id: a.grantId }).whereIn('kind', ['AccessToken', 'RefreshToken', 'AuthorizationCode']).delete();
      // Codes not yet exchanged may be in Redis (REDIS_URL): the model's own adapter finds them wherever they are.
      await provider.AuthorizationCode.adapter.revokeByGrantId(a.grantId);
    }
    const client = (await provider.Client.find(clientId)) as unknown as { backchannelLogoutUri?: string; backchannelLogout(sub: string, sid: string): Promise<void> } | undefined;
    if (client?.backchannelLogoutUri && a.sid) await client.backchannelLogout(accountId, a.sid).catch(() => undefined);
  }
  await db('oidc_models').where({ kind: 'Session', id }).delete();
  return true;
}

/** The services (other than the portal) that hold a grant of this account. */
export async function connectedServices(db: Db, provider: Provider, accountId: string) {
  const grants = await db('oidc_models').where({ kind: 'Grant', account_id: accountId }).andWhere('expires_at', '>', db.fn.now());
  const services = [];
  for (const g of grants) {
    const payload = g.payload as { clientId: string; openid?: { scope?: string; claims?: string[] }; iat?: number };
    if (payload.clientId === PORTAL_CLIENT_ID) continue;
    const client = await provider.Client.find(payload.clientId);
    const scopes = (payload.openid?.scope ?? '').split(' ').filter(Boolean);
    // The claims it can receive: those of its scopes, and any asked for one by one.
    const claims = new Set([...scopes.flatMap((sc) => (CLAIMS as Record<string, string[]>)[sc] ?? []), ...(payload.openid?.claims ?? [])]);
    services.push({
      grantId: g.id as string, name: client?.clientName ?? payload.clientId, scopes,
      claims: [...claims].join(', '), since: payload.iat ? vnDate(new Date(payload.iat * 1000)) : '',
    });
  }
  return services;
}

type Label = { vi: string; en: string };

/**
 * A session knows its amr, not its method, and registration methods end with the same amr as the
 * password login (`pwd sms mfa`): the login method's name wins, and the authenticator-app variant,
 * which no method declares, still gets words.
 */
export function methodNamesByAmr(methods: readonly Pick<AuthMethod, 'amr' | 'label' | 'purposes'>[]): Map<string, Label> {
  const names = new Map<string, Label>();
  const loginsFirst = [...methods].sort((a, b) => Number(b.purposes.includes('login')) - Number(a.purposes.includes('login')));
  for (const m of loginsFirst) if (!names.has(m.amr.join(' '))) names.set(m.amr.join(' '), m.label);
  names.set('pwd otp mfa', { vi: 'Mật khẩu và ứng dụng xác thực', en: 'Password and authenticator app' });
  return names;
}

export function methodNameOf(names: Map<string, Label>, amr: string[] | undefined, lang: 'vi' | 'en'): string {
  if (!amr?.length) return '—';
  return names.get(amr.join(' '))?.[lang] ?? (lang === 'vi' ? 'Phương thức khác' : 'Another method');
}

export function mountActivity(r: Router, p: PortalDeps): void {
  const { db, provider, auth } = p;
  const lang = (ctx: Context) => langOf(ctx);
  // People read method names, not RFC 8176 codes or ids.
  const byAmr = methodNamesByAmr(p.methods);
  const byId = new Map(p.methods.map((m) => [m.id, m.label]));
  const methodByAmr = (ctx: Context, amr: string[] | undefined) => methodNameOf(byAmr, amr, lang(ctx));
  const methodById = (ctx: Context, id: string | null) => (id ? byId.get(id)?.[lang(ctx)] ?? id : '—');
  const clientNames = async (ids: string[]) => {
    const names = new Map<string, string>();
    for (const id of new Set(ids)) names.set(id, (await provider.Client.find(id))?.clientName ?? id);
    return names;
  };
  // Revoking a connected service ends its grant and every token issued under it.
  r.post('/services/:grantId/revoke', async (ctx) => {
    const got = await auth.requireSession(ctx);
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

  r.get('/sessions', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const current = ctx.cookies.get('_session', { signed: true });
    const rows = await db('oidc_models as m').leftJoin('session_meta as x', 'x.session_uid', db.raw("m.payload->>'uid'"))
      .where({ 'm.kind': 'Session', 'm.account_id': got.account.id }).andWhere('m.expires_at', '>', db.fn.now())
      .select('m.id', 'm.payload', 'x.ip', 'x.user_agent', 'x.place', 'x.last_seen_at');
    const sessions = rows.map((r: { id: string; payload: unknown; ip: string | null; user_agent: string | null; place: string | null; last_seen_at: string | Date | null }) => {
      const sp = r.payload as { loginTs?: number; acr?: string; amr?: string[] };
      return {
        id: r.id, current: r.id === current, ip: r.ip ?? '—', device: describeDevice(r.user_agent, lang(ctx)), userAgent: r.user_agent ?? '', place: r.place ?? '', acr: sp.acr ?? '—', method: methodByAmr(ctx, sp.amr),
        started: sp.loginTs ? minute(new Date(sp.loginTs * 1000)) : '—', lastSeen: r.last_seen_at ? minute(new Date(r.last_seen_at)) : '—',
      };
    });
    render(ctx, 'account/sessions', { sessions, ended: ctx.query.ended });
  });

  r.post('/sessions/:id/end', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    if (await endProviderSession(db, provider, got.account.id, String(ctx.params.id))) await audit(db, { action: 'session.end', accountId: got.account.id, ip: ctx.ip, result: 'success' });
    ctx.status = 303;
    ctx.redirect('/account/sessions?ended=1');
  });

  r.post('/sessions/end-others', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const current = ctx.cookies.get('_session', { signed: true });
    const others = await db('oidc_models').where({ kind: 'Session', account_id: got.account.id }).whereNot({ id: current ?? '' }).pluck('id');
    for (const id of others) await endProviderSession(db, provider, got.account.id, id as string);
    await audit(db, { action: 'session.end_others', accountId: got.account.id, ip: ctx.ip, result: 'success', details: { ended: others.length } });
    ctx.status = 303;
    ctx.redirect('/account/sessions?ended=1');
  });

  // Login history: 90 days, newest first, 20 a page.
  r.get('/history', async (ctx) => {
    const got = await auth.requireSession(ctx);
    if (!got) return;
    const page = Math.max(1, Math.min(1000, Number.parseInt(String(ctx.query.page ?? '1'), 10) || 1));
    const rows = await db('audit_events').where({ account_id: got.account.id }).whereIn('action', ['login', 'stepup', ...STAFF_LOOKS, ...STAFF_CHANGES])
      .andWhere('at', '>', db.raw("now() - interval '90 days'")).orderBy('at', 'desc').offset((page - 1) * 20).limit(21);
    const shown = rows.slice(0, 20) as { at: string | Date; action: string; ip: string | null; user_agent: string | null; method: string | null; result: string | null; client_id: string | null; details: unknown }[];
    const names = await clientNames(shown.map((e) => e.client_id).filter((c): c is string => !!c));
    render(ctx, 'account/history', {
      page, more: rows.length > 20,
      events: shown.map((e) => ({
        at: minute(new Date(e.at)), ip: e.ip ?? '—', device: describeDevice(e.user_agent, lang(ctx)), userAgent: e.user_agent ?? '', method: methodById(ctx, e.method), client: e.client_id ? names.get(e.client_id)! : '—',
        result: e.result === 'success' ? 'acct.history.success' : e.result === 'failure' ? 'acct.history.failure' : undefined,
        acr: (e.details as { acr?: string } | null)?.acr ?? '—',
        ...staffEntry(e.action, e.details),
      })),
    });
  });
}
