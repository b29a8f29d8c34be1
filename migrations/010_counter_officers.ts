import type { Knex } from 'knex';

// Post-office staff allowed on the counter page: their own DVC account, plus the officer id and the
// post office the audit trail names.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('counter_officers', (t) => {
    t.uuid('account_id').primary().references('accounts.id').onDelete('CASCADE');
    t.string('officer_id', 64).notNullable().unique();
    t.string('post_office', 32).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('counter_officers');
}
