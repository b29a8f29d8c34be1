import type { Knex } from 'knex';

// Idempotency of the Vietnam Post counter API: one row per (partner, Idempotency-Key).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('counter_requests', (t) => {
    t.string('client_id', 255).notNullable();
    t.string('idempotency_key', 128).notNullable();
    t.string('request_hash', 64).notNullable();
    t.integer('status');
    t.jsonb('response');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['client_id', 'idempotency_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('counter_requests');
}
