import type { Knex } from 'knex';

// The periodic cleanup deletes audit events past their retention by time alone.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index if not exists audit_events_at on audit_events (at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists audit_events_at');
}
