import type { Knex } from 'knex';

// The issuer this database serves (one row): a node started with another ISSUER refuses to start
// instead of re-registering the first-party clients with its own redirect URIs.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('database_issuer', (t) => {
    t.smallint('id').primary().defaultTo(1);
    t.text('issuer').notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('alter table database_issuer add constraint database_issuer_one_row check (id = 1)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('database_issuer');
}
