// The audit trail: who did what, when, from where. Never personal numbers in clear.
import type { Db } from '../db/knex.ts';
import { prepared } from '../db/prepared.ts';
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
  // Every login writes one: plain SQL, prepared once per connection (inside a transaction, on its connection).
  await prepared(db)('audit_insert', `insert into audit_events (action, account_id, actor, ip, user_agent, method, result, client_id, details)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    e.action, e.accountId ?? null, e.actor ?? 'self', e.ip ?? null, e.userAgent?.slice(0, 500) ?? null, e.method ?? null,
    e.result ?? null, e.clientId ?? null, e.details ? JSON.stringify(e.details) : null,
  ]);
}
