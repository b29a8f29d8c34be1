// Self-hosted image captcha (as on the seed's forms): the answer is kept hashed in the
// database, single use, five minutes. A config switch turns it off for automated tests only.
// People who cannot see the picture (screen readers) may ask for a question in words instead.
import { randomInt, randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import svgCaptcha from 'svg-captcha';
import type { Db } from '../db/knex.ts';
import { hmac, safeEqual } from '../shared/digest.ts';
import { addMessages, type Text } from '../shared/i18n.ts';

addMessages({
  'captcha.text.switch': { vi: 'Không xem được hình? Trả lời một câu hỏi thay thế', en: 'Cannot see the picture? Answer a question instead' },
  'captcha.image.switch': { vi: 'Dùng mã trong hình', en: 'Use the picture instead' },
  'captcha.text.answer': { vi: 'Câu trả lời', en: 'Answer' },
  'captcha.text.help': { vi: 'Trả lời bằng chữ số, ví dụ 12.', en: 'Answer in digits, e.g. 12.' },
  'captcha.text.new': { vi: 'Đổi câu hỏi khác', en: 'Ask another question' },
});

export interface CaptchaChallenge {
  id: string;
  kind: 'image' | 'text';
  image?: string;
  question?: Text;
  /** This form again with a new challenge of the same kind, and with the other kind. */
  againHref: string;
  otherHref: string;
}

const VI = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'];
const EN = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** A sum of two small numbers written in words: read aloud by any screen reader, in either language. */
function wordQuestion(): { question: Text; answer: string } {
  const a = randomInt(1, 10);
  const b = randomInt(1, 10);
  const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);
  return { question: { vi: `${cap(VI[a]!)} cộng ${VI[b]} bằng mấy?`, en: `What is ${EN[a]} plus ${EN[b]}?` }, answer: String(a + b) };
}

/** The kind this request asks for: the link's `?captcha=text`, or the form it came from. */
function kindOf(ctx: Context): 'image' | 'text' {
  const body = ctx.request.body as Record<string, unknown> | undefined;
  return ctx.query.captcha === 'text' || body?.captcha_kind === 'text' ? 'text' : 'image';
}

export class Captcha {
  constructor(private readonly db: Db, private readonly secret: string, readonly enabled: boolean) {}

  async create(ctx: Context): Promise<CaptchaChallenge | undefined> {
    if (!this.enabled) return undefined;
    const kind = kindOf(ctx);
    const id = randomUUID();
    const links = { againHref: kind === 'text' ? `${ctx.path}?captcha=text` : ctx.path, otherHref: kind === 'text' ? ctx.path : `${ctx.path}?captcha=text` };
    if (kind === 'text') {
      const q = wordQuestion();
      await this.store(id, q.answer);
      return { id, kind, question: q.question, ...links };
    }
    const c = svgCaptcha.create({ size: 5, noise: 2, ignoreChars: '0oO1iIlL', background: '#f3f6fa' });
    await this.store(id, c.text);
    return { id, kind, image: `data:image/svg+xml;base64,${Buffer.from(c.data).toString('base64')}`, ...links };
  }

  private async store(id: string, answer: string): Promise<void> {
    await this.db('captchas').insert({ id, answer_hash: hmac(this.secret, id, answer.toLowerCase()), expires_at: new Date(Date.now() + 300_000) });
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
