// What stands between a typed phone number and a paid signing request buzzing that phone
// (MFA push-bombing): limits per interaction, per client address and per phone, one push at a time
// and one outstanding request per phone (the newest supersedes the older), and a global hourly
// budget. Everything is in the database, so every node sees the same counts and the same owner.
import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/index.ts';
import type { Db } from '../../db/knex.ts';
import { pseudonym } from '../../shared/digest.ts';
import { hit, peek } from '../../shared/rate-limit.ts';
import { simPushes } from '../../shared/metrics.ts';

/** How long one node may hold a phone while its request to the signing service is in flight. */
const SENDING_LEASE_SECONDS = 30;
const BUDGET_KEY = 'simpush:budget';
const HOUR = 3600;

export type Refusal = { status: 429 | 503; key: string; params: Record<string, number>; retryAfter: number };
export type Admission = { ok: true; pushId: string; phoneKey: string } | ({ ok: false } & Refusal);

type Limits = Pick<Config, 'otpSecret' | 'simPushMaxPerPhone' | 'simPushPhoneWindowSeconds' | 'simPushMaxPerIp' | 'simPushMaxPerInteraction' | 'simPushHourlyBudget'>;

export class PushGuard {
  constructor(private readonly db: Db, private readonly cfg: Limits, private readonly interactionSeconds: number) {}

  phoneKey(phone: string): string {
    return pseudonym(this.cfg.otpSecret, `sim:${phone}`);
  }

  /** Pushes counted in the current hourly window (the budget gauge reads it at scrape time). */
  budgetUsed(): Promise<number> {
    return peek(this.db, BUDGET_KEY);
  }

  /**
   * Counts this push against every limit in order, and holds the phone while it is sent. A refusal says
   * which limit and for how long; the counts of the limits after it are not touched.
   */
  async admit(uid: string, ip: string, phone: string): Promise<Admission> {
    const c = this.cfg;
    const refuse = (outcome: string, r: Refusal): Admission => {
      simPushes.inc({ outcome });
      return { ok: false, ...r };
    };
    if ((await hit(this.db, `simpush:ix:${uid}`, this.interactionSeconds)) > c.simPushMaxPerInteraction) {
      return refuse('limit_interaction', { status: 429, key: 'sim.err.limit.interaction', params: { max: c.simPushMaxPerInteraction }, retryAfter: this.interactionSeconds });
    }
    if ((await hit(this.db, `simpush:ip:${ip}`, HOUR)) > c.simPushMaxPerIp) {
      return refuse('limit_ip', { status: 429, key: 'sim.err.limit.ip', params: { minutes: 60 }, retryAfter: HOUR });
    }
    const phoneKey = this.phoneKey(phone);
    if (!(await this.lease(phoneKey))) {
      return refuse('phone_busy', { status: 429, key: 'sim.err.busy', params: {}, retryAfter: 5 });
    }
    const minutes = Math.ceil(c.simPushPhoneWindowSeconds / 60);
    if ((await hit(this.db, `simpush:phone:${phoneKey}`, c.simPushPhoneWindowSeconds)) > c.simPushMaxPerPhone) {
      await this.release(phoneKey);
      return refuse('limit_phone', { status: 429, key: 'sim.err.limit.phone', params: { max: c.simPushMaxPerPhone, minutes }, retryAfter: c.simPushPhoneWindowSeconds });
    }
    if ((await hit(this.db, BUDGET_KEY, HOUR)) > c.simPushHourlyBudget) {
      await this.release(phoneKey);
      return refuse('budget', { status: 503, key: 'sim.err.budget', params: {}, retryAfter: 600 });
    }
    return { ok: true, pushId: randomUUID(), phoneKey };
  }

  /** One node at a time pushes to a phone: a conditional upsert that only the free (or stale) lease lets through. */
  private async lease(phoneKey: string): Promise<boolean> {
    const r = await this.db.raw(
      `insert into sim_pushes (phone_key, sending_until, expires_at)
         values (?, now() + make_interval(secs => ?), now() + make_interval(secs => ?))
       on conflict (phone_key) do update set sending_until = excluded.sending_until,
         expires_at = greatest(sim_pushes.expires_at, excluded.expires_at)
       where sim_pushes.sending_until is null or sim_pushes.sending_until < now()
       returning phone_key`,
      [phoneKey, SENDING_LEASE_SECONDS, SENDING_LEASE_SECONDS],
    );
    return (r.rows as unknown[]).length === 1;
  }

  /** The push was not sent: free the phone, its outstanding request (if any) stays the current one. */
  async release(phoneKey: string): Promise<void> {
    await this.db('sim_pushes').where({ phone_key: phoneKey }).update({ sending_until: null });
  }

  /** The push was sent: it is now the phone's one outstanding request; any older one is superseded. */
  async sent(phoneKey: string, pushId: string, waitSeconds: number): Promise<void> {
    await this.db('sim_pushes').where({ phone_key: phoneKey })
      .update({ push_id: pushId, pushed_at: this.db.fn.now(), sending_until: null, expires_at: new Date(Date.now() + waitSeconds * 1000) });
    simPushes.inc({ outcome: 'sent' });
  }

  async isCurrent(phoneKey: string, pushId: string): Promise<boolean> {
    const row = await this.db('sim_pushes').where({ phone_key: phoneKey, push_id: pushId }).first('phone_key');
    return !!row;
  }

  /** Signed (or cancelled): only the request that clears the outstanding push goes on. */
  async finish(phoneKey: string, pushId: string): Promise<boolean> {
    return (await this.db('sim_pushes').where({ phone_key: phoneKey, push_id: pushId }).update({ push_id: null })) === 1;
  }
}
