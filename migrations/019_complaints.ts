import type { Knex } from 'knex';

// "This account is not mine" (seed 001 §1.1): complaints filed by people, handled by the support desk.
// The account an ID number belongs to is recorded for staff; the person filing is never told.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('complaints', (t) => {
    t.uuid('id').primary();
    t.string('reference', 32).notNullable().unique();
    t.string('id_type', 8).notNullable(); // cccd | cmnd | mst
    t.string('id_number', 20).notNullable();
    t.uuid('account_id').references('accounts.id').onDelete('SET NULL');
    t.string('full_name', 200);
    t.string('contact_phone', 16).notNullable(); // E.164
    t.string('contact_email', 254);
    t.text('description').notNullable();
    t.string('status', 16).notNullable().defaultTo('open');
    t.string('ip', 64);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index complaints_status_created on complaints (status, created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('complaints');
}
