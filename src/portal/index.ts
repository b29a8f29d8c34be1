// The account portal (Quản lý tài khoản) at /account, section by section.
import './messages.ts';
import Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Config } from '../config/index.ts';
import type { Connectors } from '../connectors/index.ts';
import type { Db } from '../db/knex.ts';
import type { AuthMethod, MethodDeps } from '../interaction/method.ts';
import { mountActivity } from './activity.ts';
import { portalAuth } from './auth.ts';
import { mountClosure } from './closure.ts';
import type { PortalDeps } from './deps.ts';
import { smsNotifier } from '../identity/notices.ts';
import { mountEmail } from './email.ts';
import { mountIdentity } from './identity.ts';
import { mountSecurity } from './security.ts';

export async function portalRouter(cfg: Config, db: Db, provider: Provider, connectors: Connectors, otp: MethodDeps['otp'], methods: AuthMethod[]): Promise<Router> {
  const r = new Router({ prefix: '/account' });
  const auth = await portalAuth(cfg, db, r);
  const p: PortalDeps = { cfg, db, provider, auth, otp, methods, sms: connectors.sms, email: connectors.email, notify: smsNotifier(connectors.sms) };
  mountIdentity(r, p);
  mountEmail(r, p);
  mountSecurity(r, p);
  mountActivity(r, p);
  mountClosure(r, p);
  r.post('/logout', async (ctx) => {
    await auth.endSession(ctx);
    ctx.status = 303;
    ctx.redirect('/session/end');
  });
  return r;
}
