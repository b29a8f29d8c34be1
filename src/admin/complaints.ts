// The complaints queue (role `support`): "this account is not mine". Freeze at once, record the
// outcome of the in-person check, then restore the account or close it (its ID number is then free
// for the rightful person to register). The person who filed is told by SMS at each step.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { findAccount } from '../identity/accounts.ts';
import { closeAccount } from '../identity/close-account.ts';
import { maskId, maskPhone } from '../identity/identifiers/index.ts';
import { providerLoginsOf, sendBackchannelLogout } from '../identity/sessions.ts';
import { langOf, translate } from '../shared/i18n.ts';
import { vnMinute } from '../shared/vn-time.ts';
import { render } from '../web/render.ts';
import { accountView } from './account-view.ts';
import { actorOf, isOwnAccount, staffAudit, type Staff } from './auth.ts';
import { str, ticked, type AdminDeps } from './deps.ts';
import { freezeAndTell, restoreAccount } from './freeze.ts';

interface ComplaintRow {
  id: string; reference: string; id_type: string; id_number: string; account_id: string | null; full_name: string | null;
  contact_phone: string; description: string; status: string; created_at: Date | string;
}
type Step = 'frozen' | 'outcome' | 'restored' | 'closed' | 'resolved';
const OPEN = ['open', 'frozen'];

export function mountComplaints(r: Router, d: AdminDeps): void {
  const { db, sms, admin } = d;

  r.get('/complaints', async (ctx) => {
    if (!(await admin.staff(ctx, 'support'))) return;
    const rows = await db('complaints').whereIn('status', OPEN).orderBy('created_at').limit(100) as ComplaintRow[];
    render(ctx, 'admin/complaints', {
      complaints: rows.map((c) => ({ reference: c.reference, at: vnMinute(new Date(c.created_at)), status: c.status, id: maskId(c.id_number), hasAccount: !!c.account_id })),
    });
  });

  const load = async (ctx: Context) => (await db('complaints').where({ reference: String(ctx.params.ref).slice(0, 32) }).first()) as ComplaintRow | undefined;
  const page = async (ctx: Context, s: Staff, c: ComplaintRow, extra: Record<string, unknown> = {}, status = 200) => {
    const account = c.account_id ? await findAccount(db, c.account_id) : undefined;
    const steps = await db('complaint_steps').where({ reference: c.reference }).orderBy('at');
    render(ctx, 'admin/complaint', {
      c: { reference: c.reference, at: vnMinute(new Date(c.created_at)), status: c.status, id: `${c.id_type.toUpperCase()} ${maskId(c.id_number)}`, name: c.full_name ?? '—', phone: maskPhone(c.contact_phone), description: c.description },
      account: account && account.status !== 'closed' ? await accountView(db, d.methods, account, langOf(ctx)) : undefined,
      own: isOwnAccount(s, c.account_id),
      hasOutcome: steps.some((x: { step: string }) => x.step === 'outcome'),
      steps: steps.map((x: { step: string; note: string | null; actor: string; at: Date | string }) => ({ step: x.step, note: x.note ?? '', actor: x.actor, at: vnMinute(new Date(x.at)) })),
      ...extra,
    }, status);
  };

  r.get('/complaints/:ref', async (ctx) => {
    const s = await admin.staff(ctx, 'support');
    if (!s) return;
    const c = await load(ctx);
    if (!c) return render(ctx, 'admin/refused', { messageKey: 'admin.err.not_found' }, 404);
    // Looking at the account behind a complaint is a look like any other: audited, in the citizen's history.
    if (c.account_id && !isOwnAccount(s, c.account_id)) await staffAudit(db, s, { action: 'support.view', accountId: c.account_id, reason: `complaint ${c.reference}` });
    await page(ctx, s, c, { notice: typeof ctx.query.done === 'string' ? `admin.complaint.status.${ctx.query.done.replace(/[^a-z]/g, '')}` : undefined });
  });

  const tell = (ctx: Context, c: ComplaintRow, step: Step) =>
    sms.send({ to: c.contact_phone, text: translate(langOf(ctx), `sms.complaint.${step}`, { reference: c.reference }), idempotencyKey: `complaint:${c.reference}:${step}` }).catch(() => undefined);
  const addStep = (trx: AdminDeps['db'], s: Staff, c: ComplaintRow, step: Step, note?: string) =>
    trx('complaint_steps').insert({ reference: c.reference, step, note: note ?? null, actor: actorOf(s) });

  /** A complaint action: the confirmation, never on one's own account, the step, its audit row and the SMS. */
  const step = (path: string, run: (s: Staff, c: ComplaintRow, body: Record<string, unknown>) => Promise<{ error: string } | { done: Step }>) => {
    r.post(`/complaints/:ref/${path}`, async (ctx) => {
      const s = await admin.staff(ctx, 'support');
      if (!s) return;
      const c = await load(ctx);
      if (!c) return render(ctx, 'admin/refused', { messageKey: 'admin.err.not_found' }, 404);
      const body = ctx.request.body as Record<string, unknown>;
      if (isOwnAccount(s, c.account_id)) return page(ctx, s, c, { formError: 'admin.err.own' }, 403);
      if (!ticked(body.confirm)) return page(ctx, s, c, { formError: 'admin.err.confirm' }, 400);
      const out = await run(s, c, body);
      if ('error' in out) return page(ctx, s, c, { formError: out.error, values: { note: str(body.note).slice(0, 2000) } }, out.error === 'admin.complaint.err.note' ? 400 : 409);
      await tell(ctx, c, out.done);
      ctx.status = 303;
      ctx.redirect(`/admin/complaints/${c.reference}?done=${out.done}`);
    });
  };
  const hasOutcome = async (c: ComplaintRow) => !!(await db('complaint_steps').where({ reference: c.reference, step: 'outcome' }).first('id'));
  /** Moves the complaint on only from the state it was read in (two staff clicking at once: one wins). */
  const move = async (trx: AdminDeps['db'], c: ComplaintRow, to: string) => (await trx('complaints').where({ id: c.id, status: c.status }).update({ status: to })) === 1;

  step('freeze', async (s, c) => {
    if (c.status !== 'open' || !c.account_id) return { error: 'admin.complaint.err.state' };
    let moved = false;
    await freezeAndTell(db, d.provider, c.account_id, async (trx, frozen) => {
      if (!frozen || !(await move(trx, c, 'frozen'))) return;
      await addStep(trx, s, c, 'frozen');
      await staffAudit(trx, s, { action: 'complaint.freeze', accountId: c.account_id!, reason: `complaint ${c.reference}` });
      moved = true;
    });
    return moved ? { done: 'frozen' } : { error: 'admin.complaint.err.state' };
  });

  step('outcome', async (s, c, body) => {
    const note = str(body.note).normalize('NFC').trim();
    if (!ticked(body.checked)) return { error: 'admin.err.checked' };
    if (note.length < 10 || note.length > 2000) return { error: 'admin.complaint.err.note' };
    if (!OPEN.includes(c.status)) return { error: 'admin.complaint.err.state' };
    await db.transaction(async (trx) => {
      await addStep(trx, s, c, 'outcome', note);
      await staffAudit(trx, s, { action: 'complaint.outcome', accountId: c.account_id ?? undefined, reason: `complaint ${c.reference}` });
    });
    return { done: 'outcome' };
  });

  step('restore', async (s, c) => {
    if (!(await hasOutcome(c))) return { error: 'admin.complaint.needs_outcome' };
    const ok = await db.transaction(async (trx) => {
      if (!(await move(trx, c, 'restored'))) return false;
      if (c.account_id) await restoreAccount(trx, c.account_id);
      await addStep(trx, s, c, 'restored');
      await staffAudit(trx, s, { action: 'complaint.restore', accountId: c.account_id ?? undefined, reason: `complaint ${c.reference}` });
      return true;
    });
    return ok ? { done: c.account_id ? 'restored' : 'resolved' } : { error: 'admin.complaint.err.state' };
  });

  step('close', async (s, c) => {
    if (!(await hasOutcome(c))) return { error: 'admin.complaint.needs_outcome' };
    if (!OPEN.includes(c.status)) return { error: 'admin.complaint.err.state' };
    const logins = c.account_id ? await providerLoginsOf(db, c.account_id) : [];
    const ok = await db.transaction(async (trx) => {
      if (!(await move(trx, c, 'closed'))) return false;
      // Personal data and every way in go; the ID number is free for its rightful holder to register.
      if (c.account_id) await closeAccount(trx, c.account_id);
      await addStep(trx, s, c, 'closed');
      await staffAudit(trx, s, { action: 'complaint.close', accountId: c.account_id ?? undefined, reason: `complaint ${c.reference}` });
      return true;
    });
    if (ok && c.account_id) await sendBackchannelLogout((id) => d.provider.Client.find(id), c.account_id, logins);
    return ok ? { done: 'closed' } : { error: 'admin.complaint.err.state' };
  });
}
