import type { Knex } from 'knex';

// Sandbox only: the sandbox CA, the sandbox SIM subscribers' keys and certificates, and the
// sandbox mobile-signature service's requests (what the simulated phone shows).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sandbox_pki', (t) => {
    t.string('id', 64).primary(); // 'ca' | 'sim:+84…' | 'usb:<name>'
    t.text('cert_pem').notNullable();
    t.text('key_pkcs8').notNullable();
    t.jsonb('meta').notNullable().defaultTo('{}');
  });
  await knex.schema.createTable('sandbox_mss_requests', (t) => {
    t.uuid('id').primary();
    t.text('phone').notNullable();
    t.text('dtbs').notNullable(); // base64
    t.text('display').notNullable();
    t.string('state', 24).notNullable(); // pending | signed | refused | pin_blocked | not_a_signing_sim
    t.text('signature');
    t.integer('pin_attempts').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['phone', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sandbox_mss_requests');
  await knex.schema.dropTableIfExists('sandbox_pki');
}
