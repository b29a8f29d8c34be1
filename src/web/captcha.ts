// Self-hosted image captcha (as on the seed's forms): the answer is kept hashed in the
// database, single use, five minutes. A config switch turns it off for automated tests only.
import { randomUUID } from 'node:crypto';
import svgCaptcha from 'svg-captcha';
import type { Db } from '../db/knex.ts';
import { hmac, safeEqual } from '../shared/digest.ts';

export interface CaptchaChallenge { id: string; image: string }

export class Captcha {
  constructor(private readonly db: Db, private readonly secret: string, readonly enabled: boolean) {}

  async create(): Promise<CaptchaChallenge | undefined> {
    if (!this.enabled) return undefined;
    const c = svgCaptcha.create({ size: 5, noise: 2, ignoreChars: '0oO1iIlL', background: '#f3f6fa' });
    const id = randomUUID();
    await this.db('captchas').insert({ id, answer_hash: hmac(this.secret, id, c.text.toLowerCase()), expires_at: new Date(Date.now() + 300_000) });
    return { id, image: `data:image/svg+xml;base64,${Buffer.from(c.data).toString('base64')}` };
  }

  /** True when solved; the challenge is spent either way so it cannot be tried twice. */
  async check(id: unknown, answer: unknown): Promise<boolean> {
    if (!this.enabled) return true;
    if (typeof id !== 'string' || typeof answer !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) return false;
    const rows = await this.db('captchas').where({ id }).andWhere('expires_at', '>', this.db.fn.now()).delete().returning(['answer_hash']) as { answer_hash: string }[];
    const row = rows[0];
    return !!row && safeEqual(hmac(this.secret, id, answer.trim().toLowerCase()), row.answer_hash);
  }
}
