import type { Knex } from 'knex';

// A closed account keeps a tombstone (when it closed) until its retention ends; a session may
// carry the place the reverse proxy resolved for its IP.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.timestamp('closed_at', { useTz: true });
  });
  await knex.raw(`create index accounts_closed_at on accounts (closed_at) where closed_at is not null`);
  await knex.schema.alterTable('session_meta', (t) => {
    t.string('place', 120);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('session_meta', (t) => t.dropColumn('place'));
  await knex.raw('drop index if exists accounts_closed_at');
  await knex.schema.alterTable('accounts', (t) => t.dropColumn('closed_at'));
}
