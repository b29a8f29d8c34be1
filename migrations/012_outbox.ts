import type { Knex } from 'knex';

// Outgoing SMS and email: a request stores the message here and returns; a worker on every node
// claims due rows (FOR UPDATE SKIP LOCKED), sends them through the real gateway, retries with
// backoff and gives up after a few attempts. A delivered row is deleted at once (its text may hold
// a live code); a given-up row keeps no text and is purged by the periodic cleanup.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id');
    t.string('kind', 8).notNullable(); // sms | email
    t.text('recipient').notNullable();
    t.text('subject'); // email only
    t.text('body').notNullable();
    t.text('idempotency_key').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    // Due time; a claim pushes it forward by a lease, so a node that dies mid-send leaves the row to another.
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Past this instant the message is useless (an expired code): given up without sending.
    t.timestamp('not_after', { useTz: true });
    t.timestamp('failed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['kind', 'idempotency_key']);
    t.index(['kind', 'recipient']);
  });
  await knex.raw('create index outbox_due on outbox (next_attempt_at) where failed_at is null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('outbox');
}
