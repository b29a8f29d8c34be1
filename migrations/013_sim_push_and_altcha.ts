import type { Knex } from 'knex';

// SIM push-bombing defence and single-use ALTCHA proofs.
// sim_pushes: one row per signing phone (keyed by its pseudonym, never the number): which push holds
// the phone's one outstanding request, and a short "sending" lease so two nodes never push to the
// same phone at once (the newest push then supersedes the older one in a clear order).
// altcha_spent: the salt of every ALTCHA challenge already used, until the challenge expires, so a
// solution is accepted once on any node.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sim_pushes', (t) => {
    t.string('phone_key', 64).primary();
    t.string('push_id', 64).nullable();
    t.timestamp('pushed_at', { useTz: true }).nullable();
    t.timestamp('sending_until', { useTz: true }).nullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('altcha_spent', (t) => {
    t.string('salt', 128).primary();
    t.timestamp('expires_at', { useTz: true }).notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('altcha_spent');
  await knex.schema.dropTableIfExists('sim_pushes');
}
