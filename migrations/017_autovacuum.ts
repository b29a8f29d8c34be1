import type { Knex } from 'knex';

// Short-lived state churns: every login inserts, updates and deletes rows of these tables (7,903 dead
// rows in oidc_models after 5,000 logins). PostgreSQL's default waits for 20 % of a table to be dead
// before it vacuums it, which on a busy table means bloat and slower index scans between runs. These
// tables are vacuumed after a fixed number of dead rows instead, without the cost-based pause, and
// leave room in each page so an update can stay on its page (a HOT update: no index entry to clean up).
// The embedded database keeps the settings and has no autovacuum to apply them (one process, small).
const CHURN = ['oidc_models', 'session_meta', 'flows', 'otp_challenges', 'rate_limits', 'outbox', 'captchas', 'altcha_spent', 'sim_pushes'];
const CHURN_SETTINGS = {
  autovacuum_vacuum_scale_factor: 0, autovacuum_vacuum_threshold: 2000, autovacuum_analyze_scale_factor: 0.02,
  autovacuum_analyze_threshold: 1000, autovacuum_vacuum_cost_delay: 0, fillfactor: 80,
};
// Append-mostly: vacuumed for its visibility map (index-only scans) after inserts, analysed as it grows.
const APPEND = ['audit_events'];
const APPEND_SETTINGS = { autovacuum_vacuum_insert_scale_factor: 0.02, autovacuum_vacuum_insert_threshold: 10000, autovacuum_analyze_scale_factor: 0.02 };

const list = (s: Record<string, number>) => Object.entries(s).map(([k, v]) => `${k} = ${v}`).join(', ');

export async function up(knex: Knex): Promise<void> {
  for (const t of CHURN) await knex.raw(`alter table ${t} set (${list(CHURN_SETTINGS)})`);
  for (const t of APPEND) await knex.raw(`alter table ${t} set (${list(APPEND_SETTINGS)})`);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of CHURN) await knex.raw(`alter table ${t} reset (${Object.keys(CHURN_SETTINGS).join(', ')})`);
  for (const t of APPEND) await knex.raw(`alter table ${t} reset (${Object.keys(APPEND_SETTINGS).join(', ')})`);
}
