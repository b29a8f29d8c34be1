// Relying parties (role `operator`): list, create, edit, disable, delete, rotate secrets, recent errors
// and sign-in counts, and the developer portal's registration requests — all through the shared core
// (src/identity/relying-parties.ts: the provider's own validation, every change audited in its
// transaction). Its audit rows name the staff member, their role and office. Our own sites
// (dvc_skip_consent) are shown read-only: disabling the console's client would lock every operator out.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AuditEvent } from '../identity/audit.ts';
import { audit } from '../identity/audit.ts';
import { ClientMetadataError, RequestNotPending, relyingParties, UnknownClient, type ClientMetadata, type RelyingParties } from '../identity/relying-parties.ts';
import { vnMinute } from '../shared/vn-time.ts';
import { render } from '../web/render.ts';
import { actorOf, type Staff } from './auth.ts';
import { reasonOf, str, ticked, type AdminDeps } from './deps.ts';

export function mountClients(r: Router, d: AdminDeps): void {
  const { db, admin } = d;
  const validate = (m: ClientMetadata) => (d.provider.Client as unknown as { validate(m: unknown): Promise<void> }).validate(m);
  /** The core, with audit rows that name the staff member (not an account of theirs). */
  const rpFor = (s: Staff): { rps: RelyingParties; actor: { kind: 'operator'; id: string; ip: string; userAgent: string } } => ({
    rps: relyingParties(db, {
      validate,
      audit: (trx, e: AuditEvent) => audit(trx, { ...e, accountId: undefined, actor: actorOf(s), method: 'admin', details: { ...e.details, role: s.role, office: s.office } }),
    }),
    actor: { kind: 'operator', id: `${s.staffId}@${s.office}`, ip: s.ip, userAgent: s.userAgent },
  });
  const id = (ctx: Context) => String(ctx.params.id).slice(0, 200);
  const isFirstParty = (m: ClientMetadata) => m.dvc_skip_consent === true;
  const parseJson = (v: unknown): ClientMetadata | undefined => {
    try {
      const m = JSON.parse(str(v)) as unknown;
      return m && typeof m === 'object' && !Array.isArray(m) ? (m as ClientMetadata) : undefined;
    } catch { return undefined; }
  };
  const metadataError = (e: unknown) => {
    if (e instanceof ClientMetadataError) return { formError: 'admin.clients.err.metadata', formErrorParams: { field: e.field ?? '—', detail: e.message } };
    throw e;
  };

  const listPage = async (ctx: Context, s: Staff, extra: Record<string, unknown> = {}, status = 200) => {
    const { rps } = rpFor(s);
    const clients = await rps.list();
    const requests = await rps.requests.list('pending');
    render(ctx, 'admin/clients', {
      clients: clients.map((c) => ({ ...c, createdAt: c.createdAt ? vnMinute(new Date(c.createdAt)) : '—' })),
      requests: requests.map((q) => ({ id: q.id, requester: q.requester, name: str(q.metadata.client_name), uris: (q.metadata.redirect_uris as string[] | undefined ?? []).join(', '), at: vnMinute(new Date(q.createdAt)) })),
      ...extra,
    }, status);
  };
  const detailPage = async (ctx: Context, s: Staff, clientId: string, extra: Record<string, unknown> = {}, status = 200) => {
    const { rps } = rpFor(s);
    const c = await rps.get(clientId);
    if (!c) return render(ctx, 'admin/refused', { messageKey: 'admin.err.not_found' }, 404);
    const counts = await db('audit_events').where({ action: 'login', client_id: clientId, result: 'success' })
      .select(db.raw("count(*) filter (where at > now() - interval '24 hours') as day"), db.raw("count(*) filter (where at > now() - interval '30 days') as month")).first() as { day: unknown; month: unknown };
    render(ctx, 'admin/client', {
      c, json: JSON.stringify(c.metadata, null, 2), firstParty: isFirstParty(c.metadata), day: Number(counts.day), month: Number(counts.month),
      errors: {}, clientErrors: (await rps.recentErrors(clientId)).map((e) => ({ ...e, at: vnMinute(new Date(e.at)) })), ...extra,
    }, status);
  };

  r.get('/clients', async (ctx) => {
    const s = await admin.staff(ctx, 'operator');
    if (s) await listPage(ctx, s, { notice: ctx.query.done ? 'admin.clients.done' : undefined });
  });

  r.post('/clients', async (ctx) => {
    const s = await admin.staff(ctx, 'operator');
    if (!s) return;
    const body = ctx.request.body as Record<string, unknown>;
    const m = parseJson(body.metadata);
    if (!m) return listPage(ctx, s, { formError: 'admin.clients.err.json', values: { metadata: str(body.metadata).slice(0, 20_000) } }, 400);
    const { rps, actor } = rpFor(s);
    try {
      const out = await rps.save(m, actor);
      return await detailPage(ctx, s, out.clientId, { secret: out.clientSecret, notice: 'admin.clients.done' }, out.created ? 201 : 200);
    } catch (e) {
      return listPage(ctx, s, { ...metadataError(e), values: { metadata: str(body.metadata).slice(0, 20_000) } }, 400);
    }
  });

  r.get('/clients/:id', async (ctx) => {
    const s = await admin.staff(ctx, 'operator');
    if (s) await detailPage(ctx, s, id(ctx), { notice: ctx.query.done ? 'admin.clients.done' : undefined });
  });

  /** A change of one client: refused for our own sites, a clear page for an unknown one. */
  const change = (path: string, run: (rps: RelyingParties, actor: ReturnType<typeof rpFor>['actor'], clientId: string, body: Record<string, unknown>) => Promise<{ secret?: string } | void>) => {
    r.post(`/clients/:id${path}`, async (ctx) => {
      const s = await admin.staff(ctx, 'operator');
      if (!s) return;
      const clientId = id(ctx);
      const { rps, actor } = rpFor(s);
      const c = await rps.get(clientId);
      if (!c) return render(ctx, 'admin/refused', { messageKey: 'admin.err.not_found' }, 404);
      if (isFirstParty(c.metadata)) return detailPage(ctx, s, clientId, { formError: 'admin.clients.first_party' }, 403);
      const body = ctx.request.body as Record<string, unknown>;
      if (path !== '' && !ticked(body.confirm)) return detailPage(ctx, s, clientId, { formError: 'admin.err.confirm' }, 400);
      try {
        const out = await run(rps, actor, clientId, body);
        if (path === '/remove') { ctx.status = 303; ctx.redirect('/admin/clients?done=1'); return; }
        if (out?.secret) return await detailPage(ctx, s, clientId, { secret: out.secret, notice: 'admin.clients.done' });
        ctx.status = 303;
        ctx.redirect(`/admin/clients/${encodeURIComponent(clientId)}?done=1`);
      } catch (e) {
        if (e instanceof UnknownClient) return render(ctx, 'admin/refused', { messageKey: 'admin.err.not_found' }, 404);
        if (e === 'json') return detailPage(ctx, s, clientId, { formError: 'admin.clients.err.json' }, 400);
        return detailPage(ctx, s, clientId, metadataError(e), 400);
      }
    });
  };
  change('', async (rps, actor, clientId, body) => {
    const m = parseJson(body.metadata);
    if (!m) throw 'json';
    await rps.save({ ...m, client_id: clientId }, actor);
  });
  change('/rotate', async (rps, actor, clientId) => ({ secret: await rps.rotateSecret(clientId, actor) }));
  change('/disable', async (rps, actor, clientId) => rps.setDisabled(clientId, true, actor));
  change('/enable', async (rps, actor, clientId) => rps.setDisabled(clientId, false, actor));
  change('/remove', async (rps, actor, clientId) => rps.remove(clientId, actor));

  r.post('/clients/requests/:rid/:decision', async (ctx) => {
    const s = await admin.staff(ctx, 'operator');
    if (!s) return;
    const { rps, actor } = rpFor(s);
    const rid = String(ctx.params.rid).slice(0, 40);
    const body = ctx.request.body as Record<string, unknown>;
    try {
      if (ctx.params.decision === 'approve') {
        if (!ticked(body.confirm)) return await listPage(ctx, s, { formError: 'admin.err.confirm' }, 400);
        const out = await rps.requests.approve(rid, actor);
        return await detailPage(ctx, s, out.clientId, { secret: out.clientSecret, notice: 'admin.clients.done' }, 201);
      }
      if (ctx.params.decision !== 'reject') return render(ctx, 'admin/refused', { messageKey: 'admin.err.not_found' }, 404);
      const reason = reasonOf(body.reason);
      if (!reason) return await listPage(ctx, s, { formError: 'admin.err.reason' }, 400);
      await rps.requests.reject(rid, actor, reason);
      ctx.status = 303;
      ctx.redirect('/admin/clients?done=1');
    } catch (e) {
      if (e instanceof RequestNotPending) return listPage(ctx, s, { formError: 'admin.clients.err.request' }, 409);
      return listPage(ctx, s, metadataError(e), 400);
    }
  });
}
