// SMS one-time codes: 6 digits, hashed at rest, bound to a purpose and a flow, single use,
// expiring, with limited attempts, a resend cooldown and send limits per phone and per IP.
import { randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import type { SmsGateway } from '../connectors/sms/index.ts';
import { SmsUnavailableError } from '../connectors/sms/index.ts';
import { hmac, pseudonym, safeEqual } from '../shared/digest.ts';
import { hit } from '../shared/rate-limit.ts';

export interface OtpSettings {
  otpSecret: string;
  otpTtlSeconds: number;
  otpMaxAttempts: number;
  otpResendCooldownSeconds: number;
  smsMaxPerPhone: number;
  smsMaxPerIp: number;
}

export type SendResult =
  | { ok: true; expiresAt: Date; resendAt: Date }
  | { ok: false; error: 'cooldown' | 'rate_limited' | 'sms_unavailable'; resendAt?: Date };

export type VerifyResult = 'ok' | 'wrong' | 'expired' | 'too_many' | 'none';

interface ChallengeRow { id: string; code_hash: string; attempts: number; expires_at: string | Date; sent_at: string | Date; consumed_at: unknown }

export class OtpService {
  constructor(private readonly db: Db, private readonly sms: SmsGateway, private readonly s: OtpSettings) {}

  private latest(flowId: string, purpose: string) {
    return this.db('otp_challenges').where({ flow_id: flowId, purpose }).orderBy('sent_at', 'desc').first() as Promise<ChallengeRow | undefined>;
  }

  /** `deliver: false` does everything but the SMS: forgot-password uses it for unknown IDs so
   *  that the answer, the limits and the timing are the same whether or not the account exists. */
  async send(o: { purpose: string; flowId: string; phone: string; ip: string; message: (code: string) => string; deliver?: boolean }): Promise<SendResult> {
    const prev = await this.latest(o.flowId, o.purpose);
    if (prev) {
      const resendAt = new Date(new Date(prev.sent_at).getTime() + this.s.otpResendCooldownSeconds * 1000);
      if (resendAt.getTime() > Date.now()) return { ok: false, error: 'cooldown', resendAt };
    }
    const perPhone = await hit(this.db, `sms:phone:${pseudonym(this.s.otpSecret, o.phone)}`, 3600);
    const perIp = await hit(this.db, `sms:ip:${o.ip}`, 3600);
    if (perPhone > this.s.smsMaxPerPhone || perIp > this.s.smsMaxPerIp) return { ok: false, error: 'rate_limited' };

    const id = randomUUID();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = new Date(Date.now() + this.s.otpTtlSeconds * 1000);
    // A new code replaces the old one: only the latest challenge of a flow can be used.
    await this.db('otp_challenges').where({ flow_id: o.flowId, purpose: o.purpose }).whereNull('consumed_at').update({ consumed_at: this.db.fn.now() });
    await this.db('otp_challenges').insert({ id, purpose: o.purpose, flow_id: o.flowId, phone: o.phone, code_hash: hmac(this.s.otpSecret, id, code), expires_at: expiresAt });
    try {
      if (o.deliver !== false) await this.sms.send({ to: o.phone, text: o.message(code), idempotencyKey: id });
    } catch (e) {
      if (!(e instanceof SmsUnavailableError)) throw e;
      await this.db('otp_challenges').where({ id }).delete();
      return { ok: false, error: 'sms_unavailable' };
    }
    return { ok: true, expiresAt, resendAt: new Date(Date.now() + this.s.otpResendCooldownSeconds * 1000) };
  }

  async verify(o: { purpose: string; flowId: string; code: string }): Promise<VerifyResult> {
    const latest = await this.latest(o.flowId, o.purpose);
    if (!latest || latest.consumed_at) return 'none';
    // Count the attempt atomically before comparing: parallel guesses cannot exceed the limit.
    const counted = await this.db('otp_challenges').where({ id: latest.id }).whereNull('consumed_at')
      .increment('attempts', 1).returning(['attempts']) as { attempts: number }[];
    const attempts = counted[0]?.attempts;
    if (attempts === undefined) return 'none';
    if (attempts > this.s.otpMaxAttempts) return 'too_many';
    if (new Date(latest.expires_at).getTime() <= Date.now()) return 'expired';
    const code = o.code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(code) || !safeEqual(hmac(this.s.otpSecret, latest.id, code), latest.code_hash)) {
      return attempts >= this.s.otpMaxAttempts ? 'too_many' : 'wrong';
    }
    const used = await this.db('otp_challenges').where({ id: latest.id }).whereNull('consumed_at').update({ consumed_at: this.db.fn.now() });
    return used === 1 ? 'ok' : 'none';
  }

  async resendAt(flowId: string, purpose: string): Promise<Date | undefined> {
    const prev = await this.latest(flowId, purpose);
    return prev ? new Date(new Date(prev.sent_at).getTime() + this.s.otpResendCooldownSeconds * 1000) : undefined;
  }
}
