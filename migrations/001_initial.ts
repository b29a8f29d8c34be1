import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.uuid('id').primary();
    t.string('subject_type', 16).notNullable(); // citizen | enterprise
    t.smallint('level').notNullable(); // verification level 2 | 3
    t.string('status', 24).notNullable().defaultTo('active'); // active | pending_activation | locked | closed
    t.text('full_name');
    t.date('birthdate');
    t.text('organisation_name');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table accounts add constraint accounts_subject_type check (subject_type in ('citizen','enterprise'))`);
  await knex.raw(`alter table accounts add constraint accounts_level check (level in (2,3))`);

  await knex.schema.createTable('identifiers', (t) => {
    t.bigIncrements('id');
    t.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.string('type', 16).notNullable(); // cccd | cmnd | mst | bhxh | phone | email
    t.text('value').notNullable(); // normalised
    t.boolean('verified').notNullable().defaultTo(false);
    t.boolean('primary').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id']);
    t.index(['type', 'value']);
  });
  // A person or an enterprise exists once: these identifiers are unique across accounts.
  await knex.raw(`create unique index identifiers_unique_legal on identifiers (type, value) where type in ('cccd','cmnd','mst','bhxh')`);

  // One generic row per credential (kratos): a password, a phone for OTP, a SIM, a USB certificate…
  await knex.schema.createTable('credentials', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.string('type', 32).notNullable();
    t.jsonb('config').notNullable().defaultTo('{}');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id', 'type']);
  });
  await knex.schema.createTable('credential_identifiers', (t) => {
    t.uuid('credential_id').notNullable().references('credentials.id').onDelete('CASCADE');
    t.string('type', 32).notNullable();
    t.text('identifier').notNullable();
    t.unique(['type', 'identifier']);
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('action', 64).notNullable();
    t.uuid('account_id');
    t.text('actor'); // who: 'self', 'operator:<name>', 'client:<id>', 'system'
    t.string('ip', 64);
    t.text('user_agent');
    t.string('method', 32);
    t.string('result', 16);
    t.text('client_id');
    t.jsonb('details');
    t.index(['account_id', 'at']);
    t.index(['action', 'at']);
  });

  // Every oidc-provider model in one table, through one adapter.
  await knex.schema.createTable('oidc_models', (t) => {
    t.string('kind', 48).notNullable();
    t.string('id', 255).notNullable();
    t.jsonb('payload').notNullable();
    t.string('grant_id', 255);
    t.string('uid', 255);
    t.string('user_code', 255);
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('consumed_at', { useTz: true });
    t.primary(['kind', 'id']);
  });
  await knex.raw('create index oidc_models_grant_id on oidc_models (grant_id) where grant_id is not null');
  await knex.raw('create index oidc_models_uid on oidc_models (uid) where uid is not null');
  await knex.raw('create index oidc_models_user_code on oidc_models (user_code) where user_code is not null');
  await knex.raw('create index oidc_models_expires_at on oidc_models (expires_at)');

  await knex.schema.createTable('signing_keys', (t) => {
    t.string('kid', 64).primary();
    t.string('alg', 16).notNullable();
    t.text('encrypted_jwk').notNullable(); // AES-256-GCM, see src/provider/keys.ts
    t.string('status', 16).notNullable(); // active | retired
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('retired_at', { useTz: true });
  });

  // Short-lived state, shared by every node: stored flows, OTP challenges, captchas, rate-limit counters.
  await knex.schema.createTable('flows', (t) => {
    t.string('id', 128).primary();
    t.string('kind', 48).notNullable();
    t.string('state', 48).notNullable();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['expires_at']);
  });
  await knex.schema.createTable('otp_challenges', (t) => {
    t.uuid('id').primary();
    t.string('purpose', 48).notNullable();
    t.string('flow_id', 128).notNullable();
    t.text('phone').notNullable();
    t.text('code_hash').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('sent_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('consumed_at', { useTz: true });
    t.index(['flow_id', 'purpose']);
  });
  await knex.schema.createTable('captchas', (t) => {
    t.uuid('id').primary();
    t.text('answer_hash').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('rate_limits', (t) => {
    t.text('key').primary();
    t.integer('count').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });

  // Sandbox only: the SMS gateway's outbox.
  await knex.schema.createTable('sandbox_sms', (t) => {
    t.bigIncrements('id');
    t.text('to').notNullable();
    t.text('text').notNullable();
    t.text('idempotency_key');
    t.timestamp('sent_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['to', 'sent_at']);
    t.unique(['idempotency_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['sandbox_sms', 'rate_limits', 'captchas', 'otp_challenges', 'flows', 'signing_keys', 'oidc_models', 'audit_events', 'credential_identifiers', 'credentials', 'identifiers', 'accounts']) {
    await knex.schema.dropTableIfExists(t);
  }
}
