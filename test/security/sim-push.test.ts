// Issue 11, finding 3: SIM signature requests pushed to any phone without limit (MFA push-bombing, and
// a paid call each time). As an attacker would: floods of parallel requests at one phone from many
// addresses, at many phones from one address and from one sign-in, past the global budget; a proof
// before an anonymous push; and the newest request superseding the older one, across nodes.
import assert from 'node:assert/strict';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { startServer, registerClient, SANDBOX, EMBEDDED, type TestServer } from '../support/server.ts';
import { newAgent, follow, csrfOf, latestOtp, type Agent } from '../support/browser.ts';
import { hmac } from '../../src/shared/digest.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { approveOnPhone, pendingOn } from '../support/phone.ts';
import { counters, shortLivedStores } from '../support/redis.ts';

const CLIENT = { client_id: 'rp-simpush', client_secret: 'rp-simpush-secret-0123456789abcdef', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** A fresh sign-in at the SIM form: its agent, interaction id, CSRF token and form page. */
async function openSim(s: TestServer, params: Record<string, string> = {}, agent: Agent = newAgent(s.issuer)) {
  const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, params);
  const first = await follow(agent, s.issuer, rp.authUrl);
  const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
  const form = await agent.get(`/interaction/${uid}/sim`).expect(200);
  return { rp, agent, uid, csrf: csrfOf(form.text), form: form.text };
}

const push = (o: { agent: Agent; uid: string; csrf: string }, phone: string, ip = '10.0.0.1', extra: Record<string, string> = {}) =>
  o.agent.post(`/interaction/${o.uid}/sim`).set('x-forwarded-for', ip).type('form').send({ _csrf: o.csrf, phone, ...extra }).redirects(0);

/** Requests that reached the (sandbox) signing service: every one would buzz a phone and be paid for. */
async function pushesTo(s: TestServer, phones?: string[]): Promise<number> {
  const q = s.db('sandbox_mss_requests');
  if (phones) q.whereIn('phone', phones);
  return Number((await q.count({ n: '*' }).first())!.n);
}

/** Distinct valid mobile numbers that are no sandbox SIM (the service still receives, and charges, the request). */
const strangers = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `+8491${String(2000000 + from + i).padStart(7, '0')}`);

const COMMON = { TRUST_PROXY: 'on', SIM_PUSH_MAX_PER_PHONE: '3', SIM_PUSH_MAX_PER_IP: '5', SIM_PUSH_MAX_PER_INTERACTION: '2', METRICS_TOKEN };

// The same floods on either store of the counters: the database, and Redis (REDIS_URL).
for (const store of shortLivedStores(EMBEDDED)) describe(`security: SIM push-bombing limits${store.title}`, function () {
  this.timeout(120_000);
  const BASE = { ...COMMON, ...store.env };
  let s: TestServer;
  before(async () => { s = await startServer(BASE); await registerClient(s.db, CLIENT); });
  after(() => s.close());
  beforeEach(() => counters(s.db).clear().then(() => s.db('sandbox_mss_requests').delete()).then(() => s.db('sim_pushes').delete()));

  it('40 parallel pushes at one phone from 40 addresses: at most SIM_PUSH_MAX_PER_PHONE (3) are sent, the phone shows one', async () => {
    const phone = SANDBOX.citizen3.phone;
    const tabs = await Promise.all(Array.from({ length: 40 }, () => openSim(s)));
    const answers = await Promise.all(tabs.map((t, i) => push(t, phone, `10.1.${i}.1`)));
    const sent = await pushesTo(s, [phone]);
    assert.ok(sent >= 1 && sent <= 3, `pushes sent: ${sent}`);
    assert.equal(answers.filter((r) => r.status === 303).length, sent, 'each accepted answer is one push');
    assert.ok(answers.every((r) => r.status === 303 || r.status === 429), `statuses: ${[...new Set(answers.map((r) => r.status))].join(',')}`);
    assert.equal((await pendingOn(s.issuer, phone)).length, 1, 'the phone shows only the newest request');
    // Later ones, one after another: the phone's window is full at exactly 3.
    for (let i = 0; i < 4; i++) await push(await openSim(s), phone, `10.2.${i}.1`);
    assert.equal(await pushesTo(s, [phone]), 3);
    const refused = await push(await openSim(s), phone, '10.3.0.1');
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.match(refused.text, /đã nhận 3 yêu cầu ký trong 15 phút qua/);
    assert.match(refused.text, /Chọn phương thức khác/);
  });

  it('50 phones in parallel from one sign-in: SIM_PUSH_MAX_PER_INTERACTION (2) are sent', async () => {
    const tab = await openSim(s);
    const phones = strangers(50);
    const answers = await Promise.all(phones.map((p, i) => push(tab, p, `10.4.${i}.1`)));
    assert.equal(await pushesTo(s), 2);
    const refused = answers.find((r) => r.status === 429)!;
    assert.match(refused.text, /Lượt đăng nhập này đã gửi 2 yêu cầu ký/);
  });

  it('20 phones in parallel from one address, each from its own sign-in: SIM_PUSH_MAX_PER_IP (5) are sent', async () => {
    const tabs = await Promise.all(Array.from({ length: 20 }, () => openSim(s)));
    const phones = strangers(20, 100);
    const answers = await Promise.all(tabs.map((t, i) => push(t, phones[i]!, '10.5.0.1')));
    assert.equal(await pushesTo(s), 5);
    assert.equal(answers.filter((r) => r.status === 303).length, 5);
    assert.match(answers.find((r) => r.status === 429)!.text, /quá nhiều yêu cầu ký từ mạng của bạn/);
  });

  it('a newer request supersedes the older one: the old page says why and its approval signs nobody in', async function () {
    // Two nodes on one database where the database allows it (PostgreSQL); one node on the embedded one.
    const other = EMBEDDED ? s : await startServer(BASE, { keepData: true });
    try {
      const phone = SANDBOX.citizen3.phone;
      const older = await openSim(s);
      assert.equal((await push(older, phone, '10.6.0.1')).status, 303);
      const oldCode = /id="verification-code">(\d{4})</.exec((await older.agent.get(`/interaction/${older.uid}/sim/wait`).expect(200)).text)![1]!;
      const newer = await openSim(other);
      assert.equal((await push(newer, phone, '10.6.0.2')).status, 303);
      const page = await newer.agent.get(`/interaction/${newer.uid}/sim/wait`).expect(200);
      const newCode = /id="verification-code">(\d{4})</.exec(page.text)![1]!;
      const shown = await pendingOn(s.issuer, phone);
      assert.equal(shown.length, 1);
      assert.ok(shown[0]!.display.endsWith(newCode), 'the phone shows the newest code');
      if (oldCode !== newCode) assert.ok(!shown[0]!.display.endsWith(oldCode));
      const polled = await older.agent.get(`/interaction/${older.uid}/sim/wait`).set('accept', 'application/json').expect(200);
      assert.deepEqual(polled.body, { pending: false }, "the older page's script is told to reload");
      const stale = await older.agent.get(`/interaction/${older.uid}/sim/wait`).redirects(0);
      assert.equal(stale.status, 410);
      assert.match(stale.text, /yêu cầu ký mới hơn/);
      await approveOnPhone(s.issuer, phone);
      assert.equal((await older.agent.get(`/interaction/${older.uid}/sim/wait`).redirects(0)).status, 410, 'the older sign-in stays refused');
      const done = await newer.agent.get(`/interaction/${newer.uid}/sim/wait`).redirects(0);
      assert.equal(done.status, 303, done.text.slice(0, 300));
    } finally {
      if (other !== s) await other.close();
    }
  });

  it('the global hourly budget stops every push past it, and the metric shows it', async () => {
    const b = await startServer({ ...BASE, SIM_PUSH_HOURLY_BUDGET: '4', SIM_PUSH_MAX_PER_IP: '100' });
    try {
      await registerClient(b.db, CLIENT);
      const tabs = await Promise.all(Array.from({ length: 12 }, () => openSim(b)));
      const phones = strangers(12, 200);
      const answers = await Promise.all(tabs.map((t, i) => push(t, phones[i]!, `10.7.${i}.1`)));
      assert.equal(await pushesTo(b), 4);
      const busy = answers.find((r) => r.status === 503)!;
      assert.match(busy.text, /đang quá tải/);
      const metrics = await newAgent(b.issuer).get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
      assert.match(metrics.text, /^dvc_sim_push_budget_used 12$/m, 'every counted try, across nodes');
      assert.match(metrics.text, /^dvc_sim_push_hourly_budget 4$/m);
      assert.match(metrics.text, /^dvc_sim_pushes_total\{outcome="budget"\} \d+$/m);
    } finally {
      await b.close();
    }
  });
});

describe('security: a proof-of-work before an anonymous SIM push (captcha on)', function () {
  this.timeout(120_000);
  let s: TestServer;
  before(async () => { s = await startServer({ CAPTCHA: 'on' }); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  const solve = async (form: string): Promise<string> => {
    const m = /<altcha-widget[^>]* challenge="([^"]+)"/.exec(form);
    assert.ok(m, 'the form carries an ALTCHA challenge');
    const challenge = JSON.parse(m[1]!.replace(/&quot;/g, '"')) as Challenge;
    const solution = await solveChallenge({ challenge, deriveKey });
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  };

  it('the form explains the check; without a solved proof nothing is pushed; a solution works once', async () => {
    const tab = await openSim(s);
    assert.match(tab.form, /<altcha-widget/);
    assert.match(tab.form, /kẻ gian không thể gửi hàng loạt yêu cầu/);
    assert.doesNotMatch(tab.form, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    const none = await push(tab, SANDBOX.citizen3.phone, '10.8.0.1', { captcha_id: 'altcha' });
    assert.equal(none.status, 400);
    assert.match(none.text, /Chưa hoàn tất bước xác minh tự động/);
    const forged = await push(tab, SANDBOX.citizen3.phone, '10.8.0.1', { captcha_id: 'altcha', captcha: Buffer.from('{"challenge":{},"solution":{}}').toString('base64') });
    assert.equal(forged.status, 400);
    assert.equal(await pushesTo(s), 0);
    const proof = await solve(tab.form);
    assert.equal((await push(tab, SANDBOX.citizen3.phone, '10.8.0.1', { captcha_id: 'altcha', captcha: proof })).status, 303);
    const other = await openSim(s);
    const replays = await Promise.all(Array.from({ length: 5 }, () => push(other, '+84911000001', '10.8.0.2', { captcha_id: 'altcha', captcha: proof })));
    assert.deepEqual(replays.map((r) => r.status), [400, 400, 400, 400, 400], 'a solution is spent once');
    assert.equal(await pushesTo(s), 1);
  });

  it("a signed-in account's step-up is not anonymous: no proof asked", async () => {
    const agent = newAgent(s.issuer);
    const rp1 = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    // L1 needs the picture captcha when captcha is on: set a known answer for the one on the form.
    const first = await follow(agent, s.issuer, rp1.authUrl);
    const uid1 = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
    const login = await agent.get(`/interaction/${uid1}/password_otp`).expect(200);
    const captchaId = /name="captcha_id" value="([^"]+)"/.exec(login.text)![1]!;
    await s.db('captchas').where({ id: captchaId }).update({ answer_hash: hmac(s.cfg.otpSecret, captchaId, 'abcde') });
    const posted = await agent.post(`/interaction/${uid1}/password_otp`).type('form').send({ _csrf: csrfOf(login.text), username: SANDBOX.citizen2.username, password: SANDBOX.citizen2.password, captcha_id: captchaId, captcha: 'abcde' }).redirects(0);
    assert.equal(posted.status, 303, posted.text.slice(0, 300));
    const otpPage = await agent.get(`/interaction/${uid1}/password_otp/otp`).expect(200);
    const code = await latestOtp(agent, SANDBOX.citizen2.phone);
    const done = await agent.post(`/interaction/${uid1}/password_otp/otp`).type('form').send({ _csrf: csrfOf(otpPage.text), code }).redirects(0);
    await rp1.finish((await follow(agent, s.issuer, done.headers.location as string)).external!);
    const tab = await openSim(s, { acr_values: '3' }, agent);
    assert.doesNotMatch(tab.form, /<altcha-widget/);
    assert.equal((await push(tab, SANDBOX.citizen2.phone, '10.9.0.1')).status, 303);
  });
});
