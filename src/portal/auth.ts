// The account portal is a first-party relying party of our own provider.
import type Router from '@koa/router';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import { firstPartyAuth, type FirstPartySite } from '../web/first-party-auth.ts';

export type { PortalAuth, PortalSession, Signedin, LoginExtras } from '../web/first-party-auth.ts';
export { RECENT_SECONDS } from '../web/first-party-auth.ts';

export const PORTAL_CLIENT_ID = 'dvc-account';

const PORTAL: FirstPartySite = { clientId: PORTAL_CLIENT_ID, name: 'Quản lý tài khoản', base: '/account', sessionKind: 'portal_session', scope: 'openid profile phone email national_id enterprise' };

export const portalAuth = (cfg: Config, db: Db, router: Router) => firstPartyAuth(cfg, db, router, PORTAL);
