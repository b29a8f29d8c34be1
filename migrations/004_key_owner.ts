import type { Knex } from 'knex';

// Key sets per owner: ours ('dvc') and, in sandbox mode, the sandbox Vietnam Post provider's.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('signing_keys', (t) => {
    t.string('owner', 32).notNullable().defaultTo('dvc');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('signing_keys', (t) => {
    t.dropColumn('owner');
  });
}
