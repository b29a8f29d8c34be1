// Keys and health (role `operator`): the signing keys (active, retired, when each can be pruned),
// rotation and pruning after a confirmation, and a small status view from the numbers /metrics
// exports: sign-ins per method per hour and failures (from the audit trail, so every node's), and
// this node's calls to external systems.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { TTL } from '../provider/configuration.ts';
import { pruneRetiredKeys, rotateSigningKeys } from '../provider/keys.ts';
import { upstreamCalls } from '../shared/metrics.ts';
import { vnMinute } from '../shared/vn-time.ts';
import { render } from '../web/render.ts';
import { staffAudit } from './auth.ts';
import { ticked, type AdminDeps } from './deps.ts';

export function mountKeys(r: Router, d: AdminDeps): void {
  const { db, cfg, admin } = d;

  const page = async (ctx: Context, extra: Record<string, unknown> = {}, status = 200) => {
    // Never the key material: id, algorithm and dates only.
    const keys = await db('signing_keys').where({ owner: 'dvc' }).orderByRaw("case status when 'active' then 0 else 1 end").orderBy('created_at', 'desc')
      .select('kid', 'alg', 'status', 'created_at', 'retired_at');
    const logins = await db('audit_events').where({ action: 'login' }).andWhere('at', '>', db.raw("now() - interval '24 hours'"))
      .select(db.raw("date_trunc('hour', at) as hour"), 'method', db.raw("count(*) filter (where result = 'success') as ok"), db.raw("count(*) filter (where result is distinct from 'success') as failed"))
      .groupByRaw("date_trunc('hour', at), method").orderBy('hour', 'desc').orderBy('method');
    const upstream = (await upstreamCalls.get()).values.map((v) => ({ system: String(v.labels.upstream ?? ''), outcome: String(v.labels.outcome ?? ''), count: v.value }));
    render(ctx, 'admin/keys', {
      keys: keys.map((k: { kid: string; alg: string; status: string; created_at: Date | string; retired_at: Date | string | null }) => ({
        kid: k.kid, alg: k.alg, status: k.status, created: vnMinute(new Date(k.created_at)), retired: k.retired_at ? vnMinute(new Date(k.retired_at)) : '—',
        prunable: k.retired_at ? vnMinute(new Date(new Date(k.retired_at).getTime() + TTL.RefreshToken * 1000)) : '—',
      })),
      logins: logins.map((l: { hour: Date | string; method: string | null; ok: unknown; failed: unknown }) => ({ hour: vnMinute(new Date(l.hour)), method: l.method ?? '—', ok: Number(l.ok), failed: Number(l.failed) })),
      upstream, ...extra,
    }, status);
  };

  r.get('/keys', async (ctx) => {
    if (await admin.staff(ctx, 'operator')) await page(ctx, { notice: ctx.query.done === 'rotated' ? 'admin.keys.rotated' : ctx.query.done === 'pruned' ? 'admin.keys.pruned' : undefined });
  });

  r.post('/keys/rotate', async (ctx) => {
    const s = await admin.staff(ctx, 'operator');
    if (!s) return;
    if (!ticked((ctx.request.body as Record<string, unknown>).confirm)) return page(ctx, { formError: 'admin.err.confirm' }, 400);
    await db.transaction(async (trx) => {
      await rotateSigningKeys(trx, cfg.keyEncryptionSecret);
      await staffAudit(trx, s, { action: 'keys.rotate' });
    });
    ctx.status = 303;
    ctx.redirect('/admin/keys?done=rotated');
  });

  r.post('/keys/prune', async (ctx) => {
    const s = await admin.staff(ctx, 'operator');
    if (!s) return;
    if (!ticked((ctx.request.body as Record<string, unknown>).confirm)) return page(ctx, { formError: 'admin.err.confirm' }, 400);
    await db.transaction(async (trx) => {
      const n = await pruneRetiredKeys(trx, TTL.RefreshToken);
      await staffAudit(trx, s, { action: 'keys.prune', details: { removed: n } });
    });
    ctx.status = 303;
    ctx.redirect('/admin/keys?done=pruned');
  });
}
