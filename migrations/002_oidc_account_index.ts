import type { Knex } from 'knex';

// Ending everything an account holds (password reset, "sign out everywhere") needs oidc-provider's
// rows by account: sessions, grants and tokens all carry accountId in their payload.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oidc_models', (t) => {
    t.uuid('account_id');
  });
  await knex.raw('create index oidc_models_account_id on oidc_models (account_id) where account_id is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oidc_models', (t) => {
    t.dropColumn('account_id');
  });
}
