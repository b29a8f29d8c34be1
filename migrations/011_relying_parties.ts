import type { Knex } from 'knex';

// Who owns a relying party (the developer portal's integrators), clients taken out of service (their
// metadata kept so they can come back), registration requests an operator decides on, and the last
// errors each client caused (for its integrator; no personal data).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('relying_parties', (t) => {
    t.string('client_id', 200).primary();
    t.uuid('owner_account_id').nullable().references('accounts.id').onDelete('SET NULL');
    // Set while the client is disabled: then its metadata lives here, not in oidc_models.
    t.jsonb('disabled_metadata').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['owner_account_id']);
  });
  await knex.schema.createTable('client_registration_requests', (t) => {
    t.uuid('id').primary();
    t.string('requester', 200).notNullable();
    t.uuid('owner_account_id').nullable().references('accounts.id').onDelete('SET NULL');
    t.jsonb('metadata').notNullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.text('reason').nullable();
    t.string('client_id', 200).nullable();
    t.string('decided_by', 200).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('decided_at', { useTz: true }).nullable();
    t.index(['status', 'created_at']);
    t.index(['owner_account_id']);
  });
  await knex.schema.createTable('client_errors', (t) => {
    t.bigIncrements('id');
    t.string('client_id', 200).notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('error', 100).notNullable();
    t.string('description', 500).nullable();
    t.string('detail', 500).nullable();
    t.index(['client_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('client_errors');
  await knex.schema.dropTableIfExists('client_registration_requests');
  await knex.schema.dropTableIfExists('relying_parties');
}
