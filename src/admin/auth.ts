// Sign-in and roles of the console: a first-party relying party of our own provider, at level 3 with a
// signature method (amr hwk), a fresh sign-in (prompt=login, max_age) and a short session of its own
// (cookie `dvc.admin`, path /admin: never the portal's). Every page asks for its role on every request.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import { audit } from '../identity/audit.ts';
import { firstPartyAuth, type PortalAuth } from '../web/first-party-auth.ts';
import { render } from '../web/render.ts';
import { findStaff, type Role, type StaffMember } from './staff.ts';

export const ADMIN_CLIENT_ID = 'dvc-admin';
/** Staff sign in again after this long (the session and the sign-in's age alike). */
export const ADMIN_SESSION_SECONDS = 15 * 60;

/** The staff member acting, in the role the page needs, as the audit trail names them. */
export interface Staff extends StaffMember { role: Role; ip: string; userAgent: string }

export interface AdminAuth {
  auth: PortalAuth;
  /** The signed-in staff member holding `role`, or undefined after answering (sign-in redirect, 403 page). */
  staff(ctx: Context, role: Role | 'any'): Promise<Staff | undefined>;
}

export async function adminAuth(cfg: Config, db: Db, router: Router): Promise<AdminAuth> {
  const auth = await firstPartyAuth(cfg, db, router, {
    clientId: ADMIN_CLIENT_ID, name: 'Quản trị DVC ID', base: '/admin', sessionKind: 'admin_session', scope: 'openid',
    minAcr: 3, requiredAmr: 'hwk', maxAuthAge: ADMIN_SESSION_SECONDS, sessionSeconds: ADMIN_SESSION_SECONDS,
  });
  return {
    auth,
    async staff(ctx, role) {
      const got = await auth.requireSession(ctx);
      if (!got) return undefined;
      const member = await findStaff(db, got.account.id);
      const held = role === 'any' ? member?.roles[0] : member?.roles.find((r) => r === role);
      if (!member || !held) { render(ctx, 'admin/refused', { signedIn: !!member }, 403); return undefined; }
      ctx.state.staff = member;
      return { ...member, role: held, ip: ctx.ip, userAgent: ctx.get('user-agent') };
    },
  };
}

export const actorOf = (s: Pick<Staff, 'staffId' | 'office'>) => `staff:${s.staffId}@${s.office}`;

/** The audit row of a staff action: call with the action's transaction, so neither happens without the other. */
export async function staffAudit(trx: Db, s: Staff, e: { action: string; accountId?: string | undefined; clientId?: string | undefined; reason?: string | undefined; details?: Record<string, unknown> }): Promise<void> {
  await audit(trx, {
    action: e.action, accountId: e.accountId, actor: actorOf(s), ip: s.ip, userAgent: s.userAgent, method: 'admin', result: 'success', clientId: e.clientId,
    details: { role: s.role, office: s.office, ...(e.reason ? { reason: e.reason } : {}), ...e.details },
  });
}

/** A staff member never acts on their own account (a second person's check is the point). */
export const isOwnAccount = (s: Staff, accountId: string | null | undefined) => !!accountId && s.accountId === accountId;
