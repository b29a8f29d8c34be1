// The audit trail: who did what, when, from where. Never personal numbers in clear.
import type { Db } from '../db/knex.ts';
import { auditedActions } from '../shared/metrics.ts';

export interface AuditEvent {
  action: string;
  accountId?: string | undefined;
  actor?: string;
  ip?: string | undefined;
  userAgent?: string | undefined;
  method?: string;
  result?: 'success' | 'failure';
  clientId?: string | undefined;
  details?: Record<string, unknown>;
}

export async function audit(db: Db, e: AuditEvent): Promise<void> {
  auditedActions.inc({ action: e.action, method: e.method ?? '', result: e.result ?? '' });
  await db('audit_events').insert({
    action: e.action, account_id: e.accountId ?? null, actor: e.actor ?? 'self', ip: e.ip ?? null,
    user_agent: e.userAgent?.slice(0, 500) ?? null, method: e.method ?? null, result: e.result ?? null,
    client_id: e.clientId ?? null, details: e.details ? JSON.stringify(e.details) : null,
  });
}
