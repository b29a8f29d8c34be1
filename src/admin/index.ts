// The operators' console at /admin: support desk, complaints, audit search, keys and health, relying
// parties. A first-party relying party of our own provider (src/admin/auth.ts); roles from the CLI.
import './messages.ts';
import Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Config } from '../config/index.ts';
import type { SmsGateway } from '../connectors/sms/index.ts';
import type { Db } from '../db/knex.ts';
import type { AuthMethod } from '../interaction/method.ts';
import { render } from '../web/render.ts';
import { mountAudit } from './audit.ts';
import { adminAuth } from './auth.ts';
import { mountComplaints } from './complaints.ts';
import type { AdminDeps } from './deps.ts';
import { mountClients } from './clients.ts';
import { mountKeys } from './keys.ts';
import { mountSupport } from './support.ts';

export async function adminRouter(cfg: Config, db: Db, provider: Provider, sms: SmsGateway, methods: AuthMethod[]): Promise<Router> {
  const r = new Router({ prefix: '/admin' });
  const admin = await adminAuth(cfg, db, r);
  const d: AdminDeps = { cfg, db, provider, sms, methods, admin };

  r.get('/', async (ctx) => {
    const s = await admin.staff(ctx, 'any');
    if (s) render(ctx, 'admin/home', { staff: s });
  });
  mountSupport(r, d);
  mountComplaints(r, d);
  mountAudit(r, d);
  mountKeys(r, d);
  mountClients(r, d);
  r.post('/logout', async (ctx) => {
    await admin.auth.endSession(ctx);
    ctx.status = 303;
    ctx.redirect('/session/end');
  });
  return r;
}
