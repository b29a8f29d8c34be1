// Issue 11, finding 4: the captcha's text alternative (a sum in words) was solved by a ten-line parser.
// The alternative is now an ALTCHA proof-of-work: nothing on the page to parse, a solution only by doing
// the work, accepted once on any node. Played as a script would play it.
import assert from 'node:assert/strict';
import { createChallenge, solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { startServer, registerClient, SANDBOX, postgresOnly, type TestServer } from '../support/server.ts';
import { newAgent, follow, csrfOf, type Agent } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { keySignatureSecret } from '../../src/web/captcha.ts';

const CLIENT = { client_id: 'rp-captcha', client_secret: 'rp-captcha-secret-0123456789abcdef', redirect_uris: [REDIRECT_URI] };
const ENV = { CAPTCHA: 'on', ALTCHA_COST: '1000', ALTCHA_MAX_NUMBER: '200' };

async function openLogin(s: TestServer, agent: Agent = newAgent(s.issuer)) {
  const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
  const first = await follow(agent, s.issuer, rp.authUrl);
  const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
  const form = await agent.get(`/interaction/${uid}/password_otp`).expect(200);
  return { agent, uid, form: form.text, csrf: csrfOf(form.text) };
}

function challengeOf(html: string): Challenge {
  const m = /<altcha-widget[^>]* challenge="([^"]+)"/.exec(html);
  assert.ok(m, 'the page carries an ALTCHA challenge');
  return JSON.parse(m[1]!.replace(/&quot;/g, '"')) as Challenge;
}

const payload = (challenge: Challenge, solution: unknown) => Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');

async function solved(html: string): Promise<string> {
  const challenge = challengeOf(html);
  return payload(challenge, await solveChallenge({ challenge, deriveKey }));
}

const login = (o: { agent: Agent; uid: string; csrf: string }, captcha: string) =>
  o.agent.post(`/interaction/${o.uid}/password_otp`).type('form')
    .send({ _csrf: o.csrf, username: SANDBOX.citizen2.username, password: SANDBOX.citizen2.password, captcha_id: 'altcha', captcha }).redirects(0);

describe('security: the accessible captcha is a proof-of-work, not text a script can read', function () {
  this.timeout(120_000);
  let s: TestServer;
  before(async () => { s = await startServer(ENV); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  it('"Không xem được hình?" opens an ALTCHA check: no question in words anywhere, the widget served from our origin', async () => {
    const { agent, uid, form } = await openLogin(s);
    assert.match(form, /src="data:image\/svg\+xml;base64,/, 'the seed\'s picture stays the default');
    const link = /href="([^"]*\?captcha=altcha)"/.exec(form)![1]!;
    assert.equal(link, `/interaction/${uid}/password_otp`.concat('?captcha=altcha'));
    const page = await agent.get(link).expect(200);
    for (const text of [page.text, (await agent.get(`/interaction/${uid}/password_otp?captcha=text`).expect(200)).text]) {
      assert.doesNotMatch(text, /cộng|bằng mấy|plus/, 'the words question is gone');
    }
    assert.doesNotMatch(page.text, /data:image\/svg/);
    assert.match(page.text, /<legend>Xác minh chống người máy<\/legend>/);
    assert.match(page.text, /trình duyệt sẽ tự giải một phép tính nhỏ/, 'the page says what happens and why');
    const c = challengeOf(page.text);
    assert.equal(c.parameters.algorithm, 'PBKDF2/SHA-256');
    assert.equal(c.parameters.cost, 1000);
    assert.equal(c.parameters.keyPrefix.length, 32, 'the whole first half of the key: only the right number matches');
    const scripts = [...page.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    assert.ok(scripts.length >= 3 && scripts.every((a) => /src="\/static\//.test(a)), `scripts from our origin only: ${scripts.join(' | ')}`);
    assert.doesNotMatch(page.headers['content-security-policy'] as string, /unsafe-inline|unsafe-eval|https?:/);
    for (const [path, type] of [['/static/altcha/altcha.js', /javascript/], ['/static/altcha/pbkdf2-worker.js', /javascript/], ['/static/altcha/vi.js', /javascript/], ['/static/altcha/altcha.css', /css/], ['/static/altcha-setup.js', /javascript/]] as const) {
      const res = await newAgent(s.issuer).get(path).expect(200);
      assert.match(res.headers['content-type'] as string, type, path);
    }
  });

  it('only the work passes: a solved challenge signs in; wrong numbers, tampering, expiry and garbage get a clear 400', async () => {
    const tab = await openLogin(s);
    const page = (await tab.agent.get(`/interaction/${tab.uid}/password_otp?captcha=altcha`).expect(200)).text;
    const challenge = challengeOf(page);
    const good = await solveChallenge({ challenge, deriveKey });
    assert.ok(good && good.counter >= 100 && good.counter <= 200, `the solver tried ${good?.counter} numbers (ALTCHA_MAX_NUMBER 200)`);
    const expired = await createChallenge({
      algorithm: 'PBKDF2/SHA-256', cost: 1000, counter: 3, deriveKey, expiresAt: new Date(Date.now() - 1000),
      hmacSignatureSecret: s.cfg.altchaHmacKey, hmacKeySignatureSecret: keySignatureSecret(s.cfg.altchaHmacKey),
    });
    const attempts = [
      // The derived key is the proof (its HMAC was signed when the challenge was made): a guessed one fails.
      payload(challenge, { ...good, derivedKey: 'ab'.repeat(32) }),
      payload(challenge, { counter: 150, derivedKey: good!.derivedKey.slice(0, 62) }),
      payload({ ...challenge, parameters: { ...challenge.parameters, cost: 1 } }, good),
      payload(expired, await solveChallenge({ challenge: expired, deriveKey })),
      'not base64 at all!', Buffer.from('{"challenge":1}').toString('base64'), 'A'.repeat(10_000), '',
    ];
    for (const attempt of attempts) {
      const res = await login(tab, attempt);
      assert.equal(res.status, 400, attempt.slice(0, 60));
      assert.match(res.text, /Chưa hoàn tất bước xác minh tự động/);
      assert.match(res.text, /<altcha-widget/, 'the form stays on the ALTCHA check after a mistake');
    }
    const ok = await login(tab, payload(challenge, good));
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
  });

  it('20 parallel submissions of one solution: exactly one is accepted', async () => {
    const first = await openLogin(s);
    const proof = await solved((await first.agent.get(`/interaction/${first.uid}/password_otp?captcha=altcha`).expect(200)).text);
    const tabs = await Promise.all(Array.from({ length: 20 }, () => openLogin(s)));
    const answers = await Promise.all(tabs.map((t) => login(t, proof)));
    assert.deepEqual(answers.map((r) => r.status).sort(), [303, ...Array<number>(19).fill(400)]);
  });

  it('a solution spent on one node is refused on another', async function () {
    postgresOnly(this);
    const other = await startServer(ENV, { keepData: true });
    try {
      const a = await openLogin(s);
      const proof = await solved((await a.agent.get(`/interaction/${a.uid}/password_otp?captcha=altcha`).expect(200)).text);
      assert.equal((await login(a, proof)).status, 303);
      const b = await openLogin(other);
      assert.equal((await login(b, proof)).status, 400);
    } finally {
      await other.close();
    }
  });
});
