// Audit search (role `auditor`, read-only): by account, staff member, client, action and time range,
// 50 a page, and a CSV export that is itself audited. Personal numbers are masked; an auditor opens
// one only with a reason, and that opening is audited too.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Knex } from 'knex';
import { findAccount } from '../identity/accounts.ts';
import { maskId, parseDateVn } from '../identity/identifiers/index.ts';
import { vnMinute } from '../shared/vn-time.ts';
import { render } from '../web/render.ts';
import { staffAudit } from './auth.ts';
import { reasonOf, str, type AdminDeps } from './deps.ts';
import { accountsNamed } from './support.ts';

const PAGE = 50;
const EXPORT_MAX = 10_000;
const LEGAL = ['cccd', 'cmnd', 'mst'];

interface Filters { account: string; staff: string; client: string; action: string; from: string; to: string }
interface EventRow { id: string | number; at: Date | string; action: string; account_id: string | null; actor: string | null; ip: string | null; method: string | null; result: string | null; client_id: string | null; details: unknown; legal_id: string | null }

/** Any long run of digits (an ID, tax or phone number that slipped into details) is masked. */
export const maskNumbers = (text: string) => text.replace(/\+?\d{9,15}/g, (m) => maskId(m));

type Parsed = { ok: true; where: (q: Knex.QueryBuilder) => void } | { ok: false; errors: Record<string, string> };

async function parseFilters(db: AdminDeps['db'], f: Filters): Promise<Parsed> {
  const errors: Record<string, string> = {};
  let accountIds: string[] | undefined;
  if (f.account) {
    accountIds = /^[0-9a-f-]{36}$/i.test(f.account) ? [f.account.toLowerCase()] : await accountsNamed(db, f.account);
    if (!accountIds) errors.account = 'admin.find.err.query';
  }
  if (f.staff && !/^[A-Za-z0-9._-]{1,64}$/.test(f.staff)) errors.staff = 'admin.audit.err.staff';
  if (f.client.length > 200) errors.client = 'admin.audit.err.client';
  if (f.action && !/^[a-z_.]{1,64}\*?$/.test(f.action)) errors.action = 'admin.audit.err.action';
  const day = (v: string, key: string) => {
    if (!v) return undefined;
    const d = parseDateVn(v, new Date(Date.now() + 366 * 86_400_000));
    if (!d.ok) { errors[key] = 'admin.audit.err.date'; return undefined; }
    return d.value;
  };
  const from = day(f.from, 'from');
  const to = day(f.to, 'to');
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    where: (q) => {
      if (accountIds) q.whereIn('e.account_id', accountIds.length ? accountIds : ['00000000-0000-0000-0000-000000000000']);
      if (f.staff) q.where('e.actor', 'like', `staff:${f.staff.replace(/[_%\\]/g, (c) => `\\${c}`)}@%`);
      if (f.client) q.where('e.client_id', f.client);
      if (f.action) f.action.endsWith('*') ? q.where('e.action', 'like', `${f.action.slice(0, -1).replace(/_/g, '\\_')}%`) : q.where('e.action', f.action);
      // Days are Vietnam's (GMT+7).
      if (from) q.where('e.at', '>=', new Date(`${from}T00:00:00+07:00`));
      if (to) q.where('e.at', '<', new Date(new Date(`${to}T00:00:00+07:00`).getTime() + 86_400_000));
    },
  };
}

const filtersOf = (ctx: Context): Filters => ({
  account: str(ctx.query.account).trim().slice(0, 40), staff: str(ctx.query.staff).trim().slice(0, 64), client: str(ctx.query.client).trim().slice(0, 201),
  action: str(ctx.query.action).trim().slice(0, 65), from: str(ctx.query.from).trim().slice(0, 10), to: str(ctx.query.to).trim().slice(0, 10),
});

function events(db: AdminDeps['db'], where: (q: Knex.QueryBuilder) => void) {
  const q = db('audit_events as e').select('e.*', db.raw(`(select i.value from identifiers i where i.account_id = e.account_id and i.type in ('cccd','cmnd','mst') order by i."primary" desc, i.id limit 1) as legal_id`));
  where(q);
  return q.orderBy('e.at', 'desc').orderBy('e.id', 'desc');
}

const shown = (e: EventRow) => ({
  id: String(e.id), at: vnMinute(new Date(e.at)), action: e.action, actor: e.actor ?? '—', account: e.legal_id ? maskId(e.legal_id) : (e.account_id ? e.account_id.slice(0, 8) : '—'),
  hasAccount: !!e.account_id, client: e.client_id ?? '—', ip: e.ip ?? '—', result: e.result ?? '—', details: e.details ? maskNumbers(JSON.stringify(e.details)) : '',
});

/** A CSV field; one that a spreadsheet would run as a formula starts with an apostrophe. */
const csvField = (v: string) => {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function mountAudit(r: Router, d: AdminDeps): void {
  const { db, admin } = d;

  r.get('/audit', async (ctx) => {
    if (!(await admin.staff(ctx, 'auditor'))) return;
    const f = filtersOf(ctx);
    const page = Math.max(1, Math.min(1000, Number.parseInt(str(ctx.query.page), 10) || 1));
    const parsed = await parseFilters(db, f);
    if (!parsed.ok) return render(ctx, 'admin/audit', { values: f, errors: parsed.errors, events: [], page }, 400);
    const rows = (await events(db, parsed.where).offset((page - 1) * PAGE).limit(PAGE + 1)) as EventRow[];
    const qs = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
    render(ctx, 'admin/audit', { values: f, events: rows.slice(0, PAGE).map(shown), page, more: rows.length > PAGE, qs: qs.toString() });
  });

  // The form posts: a personal number typed as the account never travels in a URL (logs, history);
  // the search it leads to names the account by its id.
  r.post('/audit', async (ctx) => {
    if (!(await admin.staff(ctx, 'auditor'))) return;
    const body = ctx.request.body as Record<string, unknown>;
    const f = filtersOf({ query: body } as unknown as Context);
    const ids = f.account && !/^[0-9a-f-]{36}$/i.test(f.account) ? await accountsNamed(db, f.account) : undefined;
    if (f.account && ids?.length !== 1 && !/^[0-9a-f-]{36}$/i.test(f.account)) {
      return render(ctx, 'admin/audit', { values: { ...f, account: '' }, errors: { account: ids ? 'admin.find.err.none' : 'admin.find.err.query' }, events: [], page: 1 }, ids ? 404 : 400);
    }
    const qs = new URLSearchParams(Object.entries({ ...f, account: ids?.[0] ?? f.account }).filter(([, v]) => v));
    ctx.status = 303;
    ctx.redirect(`/admin/audit?${qs.toString()}`);
  });

  r.get('/audit/export.csv', async (ctx) => {
    const s = await admin.staff(ctx, 'auditor');
    if (!s) return;
    const f = filtersOf(ctx);
    const parsed = await parseFilters(db, f);
    if (!parsed.ok) return render(ctx, 'admin/audit', { values: f, errors: parsed.errors, events: [], page: 1 }, 400);
    const rows = await db.transaction(async (trx) => {
      const got = (await events(trx, parsed.where).limit(EXPORT_MAX)) as EventRow[];
      await staffAudit(trx, s, { action: 'audit.export', details: { filters: Object.fromEntries(Object.entries(f).filter(([, v]) => v).map(([k, v]) => [k, k === 'account' ? maskId(v) : v])), rows: got.length } });
      return got;
    });
    const head = ['at', 'action', 'actor', 'account', 'client', 'ip', 'result', 'details'];
    const lines = rows.map((row) => {
      const e = shown(row);
      return [new Date(row.at).toISOString(), e.action, e.actor, e.account, e.client, e.ip, e.result, e.details].map(csvField).join(',');
    });
    ctx.set('content-disposition', 'attachment; filename="audit.csv"');
    ctx.set('cache-control', 'no-store');
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = `${[head.join(','), ...lines].join('\r\n')}\r\n`;
  });

  // Opening the personal numbers behind one event: a reason, audited, visible to the citizen.
  r.get('/audit/reveal', async (ctx) => {
    if (await admin.staff(ctx, 'auditor')) render(ctx, 'admin/reveal', { event: /^\d{1,18}$/.test(str(ctx.query.event)) ? str(ctx.query.event) : '0' });
  });
  r.post('/audit/reveal', async (ctx) => {
    const s = await admin.staff(ctx, 'auditor');
    if (!s) return;
    const body = ctx.request.body as Record<string, unknown>;
    const eventId = /^\d{1,18}$/.test(str(body.event)) ? str(body.event) : '0';
    const reason = reasonOf(body.reason);
    const e = await db('audit_events').where({ id: eventId }).first('account_id');
    const account = e?.account_id ? await findAccount(db, e.account_id as string) : undefined;
    if (!account) return render(ctx, 'admin/refused', { messageKey: 'admin.err.not_found' }, 404);
    if (!reason) return render(ctx, 'admin/reveal', { event: eventId, errors: { reason: 'admin.err.reason' } }, 400);
    await staffAudit(db, s, { action: 'audit.reveal', accountId: account.id, reason, details: { event: eventId } });
    render(ctx, 'admin/reveal', { event: eventId, reason, ids: account.identifiers.filter((i) => LEGAL.includes(i.type) || i.type === 'phone').map((i) => ({ type: i.type.toUpperCase(), value: i.value })) });
  });
}
