// SMS one-time codes: 6 digits, hashed at rest, bound to a purpose and a flow, single use,
// expiring, with limited attempts, a resend cooldown and send limits per phone, per identity,
// per IP (distinct numbers) and a global hourly budget against toll fraud.
import { randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { prepared } from '../db/prepared.ts';
import type { SmsGateway } from '../connectors/sms/index.ts';
import { hmac, pseudonym, safeEqual } from '../shared/digest.ts';
import { otpSends, smsBudgetUsed } from '../shared/metrics.ts';
import { hitAll, settle, type Counter } from '../shared/rate-limit.ts';

export interface OtpSettings {
  otpSecret: string;
  otpTtlSeconds: number;
  otpMaxAttempts: number;
  otpResendCooldownSeconds: number;
  smsMaxPerPhone: number;
  smsMaxPerIp: number;
  smsMaxPerIdentity: number;
  smsBudgetPerHour: number;
}

/** `sms_unavailable`: the global hourly budget is spent. A gateway outage is no longer known here:
 *  the code waits in the outbox and the page offers "resend" after the cooldown. */
export type SendResult =
  | { ok: true; expiresAt: Date; resendAt: Date }
  | { ok: false; error: 'cooldown' | 'rate_limited' | 'sms_unavailable'; resendAt?: Date };

export type VerifyResult = 'ok' | 'wrong' | 'expired' | 'too_many' | 'none';

type Refusal = 'phone' | 'identity' | 'ip' | 'budget';

interface ChallengeRow { id: string; code_hash: string; attempts: number; expires_at: string | Date; sent_at: string | Date; consumed_at: unknown }

const HOUR = 3600;
const BUDGET = 'sms:budget';

export class OtpService {
  /** `sms` is the outbox-backed gateway: sending stores the message, it never waits on the gateway. */
  constructor(private readonly db: Db, private readonly sms: SmsGateway, private readonly s: OtpSettings) {}

  private async latest(flowId: string, purpose: string): Promise<ChallengeRow | undefined> {
    const [row] = await prepared(this.db)<ChallengeRow>('otp_latest', 'select * from otp_challenges where flow_id = ? and purpose = ? order by sent_at desc limit 1', [flowId, purpose]);
    return row;
  }

  /** `deliver: false` does everything but the SMS: forgot-password uses it for unknown IDs so
   *  that the answer, the limits and the timing are the same whether or not the account exists.
   *  `identity`: who the code is for (a normalised ID number), capped across phones. */
  async send(o: { purpose: string; flowId: string; phone: string; ip: string; identity?: string | undefined; message: (code: string) => string; deliver?: boolean }): Promise<SendResult> {
    const prev = await this.latest(o.flowId, o.purpose);
    if (prev) {
      const resendAt = new Date(new Date(prev.sent_at).getTime() + this.s.otpResendCooldownSeconds * 1000);
      if (resendAt.getTime() > Date.now()) { otpSends.inc({ outcome: 'cooldown' }); return { ok: false, error: 'cooldown', resendAt }; }
    }
    const refused = await this.refusal(o);
    if (refused) {
      otpSends.inc({ outcome: refused });
      return { ok: false, error: refused === 'budget' ? 'sms_unavailable' : 'rate_limited' };
    }

    const id = randomUUID();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = new Date(Date.now() + this.s.otpTtlSeconds * 1000);
    // A new code replaces the old one: only the latest challenge of a flow can be used (one statement:
    // the update sees the table as it was before the insert).
    await this.db.raw(
      `with replaced as (update otp_challenges set consumed_at = now() where flow_id = ? and purpose = ? and consumed_at is null)
       insert into otp_challenges (id, purpose, flow_id, phone, code_hash, expires_at) values (?, ?, ?, ?, ?, ?)`,
      [o.flowId, o.purpose, id, o.purpose, o.flowId, o.phone, hmac(this.s.otpSecret, id, code), expiresAt],
    );
    if (o.deliver !== false) await this.sms.send({ to: o.phone, text: o.message(code), idempotencyKey: id, notAfter: expiresAt });
    otpSends.inc({ outcome: 'queued' });
    return { ok: true, expiresAt, resendAt: new Date(Date.now() + this.s.otpResendCooldownSeconds * 1000) };
  }

  /** The send limits, each an atomic counter shared by every node; the first that refuses stops the
   *  later ones counting (a refused send spends neither the IP's numbers nor the global budget). Two
   *  round trips: the number's own counters, then the address's and the budget's. */
  private async refusal(o: { phone: string; ip: string; identity?: string | undefined }): Promise<Refusal | undefined> {
    const phone = pseudonym(this.s.otpSecret, o.phone);
    // Per IP, distinct numbers: a number counts the first time this IP sends to it in the window.
    // Resends and the many people behind one carrier NAT add little; a fraudster's fresh numbers add up.
    const pair = `sms:ip-phone:${o.ip}:${phone}`;
    const identity = o.identity ? `sms:identity:${pseudonym(this.s.otpSecret, o.identity)}` : undefined;
    const own: Counter[] = [{ key: `sms:phone:${phone}`, seconds: HOUR }, { key: pair, seconds: HOUR }];
    if (identity) own.push({ key: identity, seconds: HOUR });
    const [toPhone = 0, sentFromIp = 0, forIdentity = 0] = await hitAll(this.db, own);
    // A released pair at 0 counts as new again, as if never hit.
    if (toPhone > this.s.smsMaxPerPhone) return this.refuse('phone', [pair, ...(identity ? [identity] : [])]);
    if (identity && forIdentity > this.s.smsMaxPerIdentity) return this.refuse('identity', [pair]);
    const newNumber = sentFromIp === 1;
    const counts = await hitAll(this.db, [...(newNumber ? [{ key: `sms:ip:${o.ip}`, seconds: HOUR }] : []), { key: BUDGET, seconds: HOUR }]);
    const used = counts.at(-1)!;
    if (newNumber && counts[0]! > this.s.smsMaxPerIp) return this.refuse('ip', [pair, BUDGET]);
    smsBudgetUsed.set(used);
    return used > this.s.smsBudgetPerHour ? 'budget' : undefined;
  }

  /** Gives back the hits of limits after the one that refused (one round trip). */
  private async refuse(reason: Refusal, giveBack: string[]): Promise<Refusal> {
    await settle(this.db, { release: giveBack });
    return reason;
  }

  /** `attempts`: how many codes the latest challenge has been given, this one included (0 when there is none). */
  async verify(o: { purpose: string; flowId: string; code: string }): Promise<{ result: VerifyResult; attempts: number }> {
    // The attempt is counted on the latest challenge, if still unused, before comparing, in the same
    // statement that reads it: parallel guesses cannot exceed the limit.
    const r = await this.db.raw(
      `update otp_challenges set attempts = attempts + 1
       where id = (select id from otp_challenges where flow_id = ? and purpose = ? order by sent_at desc limit 1) and consumed_at is null
       returning id, code_hash, attempts, expires_at`,
      [o.flowId, o.purpose],
    );
    const latest = (r.rows as Omit<ChallengeRow, 'sent_at' | 'consumed_at'>[])[0];
    if (!latest) return { result: 'none', attempts: 0 };
    const { attempts } = latest;
    const result = (v: VerifyResult) => ({ result: v, attempts });
    if (attempts > this.s.otpMaxAttempts) return result('too_many');
    if (new Date(latest.expires_at).getTime() <= Date.now()) return result('expired');
    const code = o.code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(code) || !safeEqual(hmac(this.s.otpSecret, latest.id, code), latest.code_hash)) {
      return result(attempts >= this.s.otpMaxAttempts ? 'too_many' : 'wrong');
    }
    const used = await prepared(this.db)('otp_consume', 'update otp_challenges set consumed_at = now() where id = ? and consumed_at is null returning 1 as used', [latest.id]);
    return result(used.length === 1 ? 'ok' : 'none');
  }

  async resendAt(flowId: string, purpose: string): Promise<Date | undefined> {
    const prev = await this.latest(flowId, purpose);
    return prev ? new Date(new Date(prev.sent_at).getTime() + this.s.otpResendCooldownSeconds * 1000) : undefined;
  }
}
