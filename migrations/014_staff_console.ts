import type { Knex } from 'knex';

// The operators' console (/admin): staff members (their own DVC account, a staff id and an office the
// audit trail names), their roles, and the steps of each complaint's handling. Complaints (019) come
// later in the list, so their steps refer to them by reference, without a foreign key.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('staff_members', (t) => {
    t.uuid('account_id').primary().references('accounts.id').onDelete('CASCADE');
    t.string('staff_id', 64).notNullable().unique();
    t.string('office', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('staff_roles', (t) => {
    t.uuid('account_id').notNullable().references('staff_members.account_id').onDelete('CASCADE');
    t.string('role', 16).notNullable(); // support | operator | auditor
    t.timestamp('granted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['account_id', 'role']);
  });
  await knex.schema.createTable('complaint_steps', (t) => {
    t.bigIncrements('id');
    t.string('reference', 32).notNullable();
    t.string('step', 16).notNullable(); // frozen | outcome | restored | closed
    t.text('note');
    t.text('actor').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['reference', 'at']);
  });
  // Audit search by staff member and by client.
  await knex.raw('create index if not exists audit_events_actor_at on audit_events (actor, at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists audit_events_actor_at');
  await knex.schema.dropTableIfExists('complaint_steps');
  await knex.schema.dropTableIfExists('staff_roles');
  await knex.schema.dropTableIfExists('staff_members');
}
