// Captchas, self-hosted. The seed's forms show a picture (svg-captcha): its answer is kept hashed in
// the database, single use, five minutes. People who cannot see it (screen readers) take an ALTCHA
// proof-of-work instead: the browser computes it in a few seconds with nothing to read or type, a
// script has to spend the same CPU on every attempt (README: measured cost). The same ALTCHA check is
// the proof before an anonymous SIM push. A config switch turns both off for automated tests only.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { createChallenge, randomInt, verifySolution, type Challenge, type Solution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { Context, Next } from 'koa';
import svgCaptcha from 'svg-captcha';
import type { Db } from '../db/knex.ts';
import { hmac, safeEqual } from '../shared/digest.ts';
import { addMessages } from '../shared/i18n.ts';

addMessages({
  'captcha.altcha.switch': { vi: 'Không xem được hình? Xác minh tự động thay thế', en: 'Cannot see the picture? Verify automatically instead' },
  'captcha.image.switch': { vi: 'Dùng mã trong hình', en: 'Use the picture instead' },
  'captcha.altcha.legend': { vi: 'Xác minh chống người máy', en: 'Check against automated abuse' },
  'captcha.altcha.why': {
    vi: 'Khi bạn bấm gửi, trình duyệt sẽ tự giải một phép tính nhỏ trong vài giây rồi gửi tiếp: bạn không phải đọc hay nhập gì. Việc này khiến kẻ gian dùng phần mềm tự động tốn nhiều thời gian hơn cho mỗi lần thử.',
    en: 'When you press send, your browser solves a small computation for a few seconds, then sends the form: nothing to read or type. It makes each try cost much more time to anyone running automated scripts.',
  },
  'captcha.altcha.noscript': { vi: 'Bước xác minh này cần JavaScript. Hãy bật JavaScript, hoặc dùng mã trong hình.', en: 'This check needs JavaScript. Turn JavaScript on, or use the picture.' },
  'captcha.altcha.noscript.only': { vi: 'Bước xác minh này cần JavaScript. Hãy bật JavaScript, hoặc chọn phương thức khác.', en: 'This check needs JavaScript. Turn JavaScript on, or choose another method.' },
  'captcha.err.altcha': { vi: 'Chưa hoàn tất bước xác minh tự động (hoặc đã hết hạn). Vui lòng bấm gửi lại và chờ vài giây.', en: 'The automatic check was not completed (or has expired). Press send again and wait a few seconds.' },
});

/** What a form posts as captcha_id when its proof is an ALTCHA payload (posted as `captcha`). */
export const ALTCHA_ID = 'altcha';
const ALGORITHM = 'PBKDF2/SHA-256';
const IMAGE_TTL_MS = 5 * 60_000;
const ALTCHA_TTL_MS = 10 * 60_000;
const MAX_PAYLOAD = 4096;

export type CaptchaKind = 'image' | 'altcha';

export interface CaptchaChallenge {
  id: string;
  kind: CaptchaKind;
  /** The picture (data: URL), for kind image. */
  image?: string;
  /** The ALTCHA challenge as JSON, for the widget's `challenge` attribute. */
  altcha?: string;
  /** This form again with a new challenge of the same kind, and with the other kind (absent when only ALTCHA fits). */
  againHref?: string;
  otherHref?: string;
}

export interface AltchaOptions { hmacKey: string; cost: number; maxNumber: number }

/** The kind this request asks for: the link's `?captcha=altcha`, or the form it came from. */
function kindOf(ctx: Context): CaptchaKind {
  const body = ctx.request.body as Record<string, unknown> | undefined;
  return ctx.query.captcha === ALTCHA_ID || body?.captcha_id === ALTCHA_ID ? 'altcha' : 'image';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The widget's payload (base64 JSON), or undefined when it is not one. Never throws. */
function parsePayload(answer: unknown): { challenge: Challenge; solution: Solution } | undefined {
  if (typeof answer !== 'string' || answer.length > MAX_PAYLOAD || !/^[A-Za-z0-9+/=]+$/.test(answer)) return undefined;
  let p: unknown;
  try {
    p = JSON.parse(Buffer.from(answer, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(p) || !isRecord(p.challenge) || !isRecord(p.solution) || !isRecord(p.challenge.parameters)) return undefined;
  const params = p.challenge.parameters;
  if (typeof p.challenge.signature !== 'string' || typeof params.salt !== 'string' || typeof params.expiresAt !== 'number' || params.algorithm !== ALGORITHM) return undefined;
  if (typeof p.solution.counter !== 'number' || typeof p.solution.derivedKey !== 'string') return undefined;
  return { challenge: p.challenge as unknown as Challenge, solution: p.solution as unknown as Solution };
}

/** Signs the derived key of each challenge (deterministic mode), apart from the challenge's own signature. */
export const keySignatureSecret = (hmacKey: string): string => hmac(hmacKey, 'altcha-key-signature');

/**
 * Deterministic mode: we pick the answer (between half of ALTCHA_MAX_NUMBER and it) and sign the key
 * it derives, so creating costs one derivation and verifying one HMAC, while a solver must try every
 * number up to it (bench/altcha.ts measures that).
 */
export function newAltchaChallenge(o: AltchaOptions): Promise<Challenge> {
  return createChallenge({
    algorithm: ALGORITHM, cost: o.cost, counter: randomInt(o.maxNumber, Math.ceil(o.maxNumber / 2)), deriveKey,
    expiresAt: new Date(Date.now() + ALTCHA_TTL_MS), hmacSignatureSecret: o.hmacKey, hmacKeySignatureSecret: keySignatureSecret(o.hmacKey),
  });
}

export class Captcha {
  private readonly keySecret: string;

  constructor(private readonly db: Db, private readonly secret: string, readonly enabled: boolean, private readonly altcha: AltchaOptions) {
    this.keySecret = keySignatureSecret(altcha.hmacKey);
  }

  /** A challenge for this form; `only: 'altcha'` where the seeds show no picture (the SIM push). */
  async create(ctx: Context, only?: 'altcha'): Promise<CaptchaChallenge | undefined> {
    if (!this.enabled) return undefined;
    const kind = only ?? kindOf(ctx);
    if (kind === 'altcha') {
      const links = only ? {} : { againHref: `${ctx.path}?captcha=${ALTCHA_ID}`, otherHref: ctx.path };
      return { id: ALTCHA_ID, kind, altcha: JSON.stringify(await newAltchaChallenge(this.altcha)), ...links };
    }
    const id = randomUUID();
    const c = svgCaptcha.create({ size: 5, noise: 2, ignoreChars: '0oO1iIlL', background: '#f3f6fa' });
    await this.db('captchas').insert({ id, answer_hash: hmac(this.secret, id, c.text.toLowerCase()), expires_at: new Date(Date.now() + IMAGE_TTL_MS) });
    return { id, kind, image: `data:image/svg+xml;base64,${Buffer.from(c.data).toString('base64')}`, againHref: ctx.path, otherHref: `${ctx.path}?captcha=${ALTCHA_ID}` };
  }

  /**
   * True when solved. A picture's challenge is spent either way so it cannot be tried twice; an ALTCHA
   * solution is accepted once (its salt is remembered until the challenge expires, on every node).
   */
  async check(id: unknown, answer: unknown): Promise<boolean> {
    if (!this.enabled) return true;
    if (id === ALTCHA_ID) return this.checkAltcha(answer);
    if (typeof id !== 'string' || typeof answer !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) return false;
    const rows = await this.db('captchas').where({ id }).andWhere('expires_at', '>', this.db.fn.now()).delete().returning(['answer_hash']) as { answer_hash: string }[];
    const row = rows[0];
    return !!row && safeEqual(hmac(this.secret, id, answer.trim().toLowerCase()), row.answer_hash);
  }

  private async checkAltcha(answer: unknown): Promise<boolean> {
    const payload = parsePayload(answer);
    if (!payload) return false;
    let verified = false;
    try {
      ({ verified } = await verifySolution({ ...payload, deriveKey, hmacSignatureSecret: this.altcha.hmacKey, hmacKeySignatureSecret: this.keySecret }));
    } catch {
      return false;
    }
    if (!verified) return false;
    // Single use: only the request whose insert lands goes on (parallel replays on any node lose).
    const won = await this.db('altcha_spent')
      .insert({ salt: payload.challenge.parameters.salt, expires_at: new Date(payload.challenge.parameters.expiresAt! * 1000) })
      .onConflict('salt').ignore().returning(['salt']) as { salt: string }[];
    return won.length === 1;
  }
}

// The widget, served from our own origin straight out of node_modules (no CDN, nothing copied into
// the repository): the build without bundled workers or inline styles, so the strict CSP holds
// (workers and styles come from 'self'); public/altcha-setup.js registers the worker.
const JS = 'text/javascript; charset=utf-8';
const ALTCHA_FILES: [url: string, spec: string, type: string][] = [
  ['/static/altcha/altcha.js', 'altcha/external', JS],
  ['/static/altcha/altcha.css', 'altcha/altcha.css', 'text/css; charset=utf-8'],
  ['/static/altcha/vi.js', 'altcha/i18n/vi', JS],
  ['/static/altcha/pbkdf2-worker.js', 'altcha/workers/pbkdf2', JS],
];
const assets = new Map(ALTCHA_FILES.map(([url, spec, type]) => {
  const file = fileURLToPath(import.meta.resolve(spec));
  // The widget itself in its minified build (a third of the size); the others are small already.
  return [url, { body: readFileSync(spec === 'altcha/external' ? file.replace(/\.js$/, '.min.js') : file), type }];
}));

export async function altchaAssets(ctx: Context, next: Next): Promise<void> {
  const f = ctx.method === 'GET' || ctx.method === 'HEAD' ? assets.get(ctx.path) : undefined;
  if (!f) return next();
  ctx.type = f.type;
  ctx.set('cache-control', 'public, max-age=3600');
  ctx.body = f.body;
}
