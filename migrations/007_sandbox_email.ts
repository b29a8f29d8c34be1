import type { Knex } from 'knex';

// Sandbox only: the email gateway's outbox (like sandbox_sms, so any node can show it).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sandbox_email', (t) => {
    t.bigIncrements('id');
    t.text('to').notNullable();
    t.text('subject').notNullable();
    t.text('text').notNullable();
    t.text('idempotency_key');
    t.timestamp('sent_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['to', 'sent_at']);
    t.unique(['idempotency_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sandbox_email');
}
