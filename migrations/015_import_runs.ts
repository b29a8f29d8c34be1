import type { Knex } from 'knex';

// Bulk account import (src/import/): where a run stands, so --resume continues after its last committed
// batch, and the rejected rows, written in the batch's own transaction so the report never misses one.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('import_runs', (t) => {
    t.uuid('id').primary();
    t.string('file_sha256', 64).notNullable();
    t.text('file_name').notNullable();
    t.integer('lines_committed').notNullable().defaultTo(0);
    t.jsonb('counts').notNullable().defaultTo('{}');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.index(['file_sha256']);
  });
  await knex.schema.createTable('import_rejections', (t) => {
    t.uuid('run_id').notNullable().references('import_runs.id').onDelete('CASCADE');
    t.integer('line').notNullable();
    t.text('reason').notNullable();
    t.primary(['run_id', 'line']);
  });
  // "<file sha256>:<line>" of the row an account came from: a second import of the file knows its own rows.
  await knex.schema.alterTable('accounts', (t) => {
    t.text('import_ref');
    t.string('level_proof', 32); // how an imported account's level was proven (docs/account-import.md)
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => { t.dropColumn('import_ref'); t.dropColumn('level_proof'); });
  await knex.schema.dropTableIfExists('import_rejections');
  await knex.schema.dropTableIfExists('import_runs');
}
