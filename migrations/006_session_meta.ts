import type { Knex } from 'knex';

// What people see in "Login management": the device and place a provider session was used from.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('session_meta', (t) => {
    t.string('session_uid', 255).primary();
    t.uuid('account_id').notNullable();
    t.string('ip', 64);
    t.text('user_agent');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('session_meta');
}
