// Issue 11, findings 1 and 2, played as an attacker would: floods of parallel guesses from many
// addresses (TRUST_PROXY + X-Forwarded-For), every spelling of one account, its CMND, forged device
// cookies, a shared address. Asserts how many guesses were checked, and that the owner still gets in.
import assert from 'node:assert/strict';
import { startServer, registerClient, SANDBOX, EMBEDDED, type TestServer } from '../support/server.ts';
import { counters, shortLivedStores } from '../support/redis.ts';
import { newAgent, follow, csrfOf, latestOtp, loginL1, type Agent } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { approveOnPhone } from '../support/phone.ts';
import { deviceCookies } from '../../src/web/device-cookie.ts';

const CLIENT = { client_id: 'rp-throttle', client_secret: 'rp-throttle-secret-0123456789abcd', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };
const CREDENTIALS = /Tên đăng nhập hoặc mật khẩu không đúng/;
const LOCKED = /tạm dừng tối đa 15 phút/;
const DISABLED = /đăng nhập bằng mật khẩu đã bị tắt/;
const IP_LOCKED = /từ mạng bạn đang dùng/;
// Citizen 3 holds a CCCD and a CMND: one account, many spellings.
const CITIZEN3_SPELLINGS = ['079185000123', '079 185 000 123', '0791.8500.0123', ' 079185000123 ', '079185 000123', '023456789', '023 456 789', '023.456.789'];

let nextIp = 0;
/** A fresh address for every request: the attacker owns a botnet. */
const freshIp = () => { nextIp++; return `198.51.${(nextIp >> 8) & 255}.${nextIp & 255}`; };

async function loginForm(s: TestServer, agent: Agent = newAgent(s.issuer), ip = freshIp()) {
  const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { prompt: 'login' });
  const first = await follow(agent.set('x-forwarded-for', ip), s.issuer, rp.authUrl);
  const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
  const form = await agent.get(`/interaction/${uid}/password_otp`).set('x-forwarded-for', ip).expect(200);
  return { agent, uid, csrf: csrfOf(form.text), rp };
}

type Form = Awaited<ReturnType<typeof loginForm>>;
const post = (f: Form, username: string, password: string, ip = freshIp()) =>
  f.agent.post(`/interaction/${f.uid}/password_otp`).set('x-forwarded-for', ip).type('form').send({ _csrf: f.csrf, username, password }).redirects(0);

/** `n` wrong passwords in parallel, each from its own address, cycling through `spellings`. */
async function flood(s: TestServer, spellings: string[], n: number) {
  const f = await loginForm(s);
  const res = await Promise.all(Array.from({ length: n }, (_, i) => post(f, spellings[i % spellings.length]!, `Wrong@Guess${i}`)));
  const checked = res.filter((r) => r.status === 400 && CREDENTIALS.test(r.text)).length;
  const refused = res.filter((r) => r.status === 429).length;
  assert.equal(checked + refused, n, `every answer is "wrong" or "locked": ${res.map((r) => r.status).join(',')}`);
  return { checked, refused, res };
}

/** Time passes: the current windows end (the consecutive count and the notice period do not). */
const windowEnds = (s: TestServer) => counters(s.db).endWindows('login:acct:', 'login:ip:', 'login:dev:');

const smsTo = async (s: TestServer, phone: string) => (await s.db('sandbox_sms').where({ to: phone }).select('text')).map((r: { text: string }) => r.text);

/** Wrong passwords from a botnet, window after window, until password login to citizen 3 is disabled. */
async function disableCitizen3(s: TestServer): Promise<number> {
  let checked = 0;
  for (let w = 0; w < 4; w++) {
    checked += (await flood(s, CITIZEN3_SPELLINGS, 30)).checked;
    await windowEnds(s);
  }
  return checked;
}

async function citizen3Password(s: TestServer) {
  const c3 = await s.db('identifiers').where({ type: 'cccd', value: SANDBOX.citizen3.username }).first('account_id') as { account_id: string };
  const saved = await s.db('credentials').where({ account_id: c3.account_id, type: 'password' }).first() as { id: string; config: unknown; version: number };
  return { restore: () => s.db('credentials').where({ id: saved.id }).update({ config: saved.config, version: saved.version + 10 }) };
}

/** A full sign-in (password, SMS code) on this agent: the browser becomes a remembered device. */
async function signInFully(s: TestServer, agent: Agent, who: typeof SANDBOX.citizen3, ip = freshIp()) {
  const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { prompt: 'login' });
  const end = await loginL1(agent.set('x-forwarded-for', ip), s.issuer, rp.authUrl, who, { consent: false });
  assert.ok(end.external?.startsWith(REDIRECT_URI), 'signed in');
}

/** Password step only: 303 to the SMS code page means the password was accepted. */
async function passwordStep(s: TestServer, agent: Agent, username: string, password: string, ip = freshIp()) {
  return post(await loginForm(s, agent, ip), username, password, ip);
}

// The same attack on either store of the counters: the database, and Redis (REDIS_URL).
for (const store of shortLivedStores(EMBEDDED)) describe(`security: password guessing (issue 11, findings 1–2)${store.title}`, function () {
  this.timeout(120_000);
  let s: TestServer;
  before(async () => {
    s = await startServer({ TRUST_PROXY: 'on', LOGIN_MAX_FAILURES_PER_IP: '3', LOGIN_MAX_CONSECUTIVE_FAILURES: '12', ...store.env });
    await registerClient(s.db, CLIENT);
  });
  after(() => s.close());
  beforeEach(async () => { await counters(s.db).clear(); await s.db('sandbox_sms').delete(); await s.db('audit_events').delete(); });

  it('200 parallel guesses from 200 addresses in 8 spellings (CCCD and CMND) are checked exactly 5 times; the right password is then refused in every spelling', async () => {
    const { checked, refused, res } = await flood(s, CITIZEN3_SPELLINGS, 200);
    assert.equal(checked, 5, 'one budget for the account, whatever the spelling or address');
    assert.equal(refused, 195);
    assert.match(res.find((r) => r.status === 429)!.text, LOCKED, 'the page says why and what still works');
    const audited = await s.db('audit_events').where({ action: 'login', result: 'failure' }).whereRaw("details->>'reason' = 'credentials'").count('* as n').first() as { n: unknown };
    assert.equal(Number(audited.n), 5, 'the server checked 5 passwords');
    for (const spelling of ['079 185 000 123', '079185000123', '023456789']) {
      const right = await passwordStep(s, newAgent(s.issuer), spelling, SANDBOX.citizen3.password);
      assert.equal(right.status, 429, `"${spelling}" is the same locked account`);
    }
    const notices = (await smsTo(s, SANDBOX.citizen3.phone)).filter((t) => /tam dung/.test(t));
    assert.equal(notices.length, 1, 'the person is told once by SMS');
  });

  it('an unknown ID number is throttled on its normalised form and answers exactly like a known one', async () => {
    const unknown = await flood(s, ['001099099999', '001 099 099 999', '0010.9909.9999'], 40);
    const known = await flood(s, ['001099012345', '001 099 012 345', '0010.9901.2345'], 40);
    assert.deepEqual([unknown.checked, unknown.refused], [known.checked, known.refused]);
    assert.equal(unknown.checked, 5);
    const alert = (h: string) => /role="alert">([^<]*)</.exec(h)?.[1];
    const first = (r: typeof unknown.res, st: number) => alert(r.find((x) => x.status === st)!.text);
    assert.equal(first(unknown.res, 400), first(known.res, 400));
    assert.equal(first(unknown.res, 429), first(known.res, 429));
    assert.equal((await smsTo(s, SANDBOX.citizen2.phone)).filter((t) => /tam dung/.test(t)).length, 1, 'only the real account gets a notice');
  });

  it("the owner's remembered device signs in during the attack; a forged or borrowed device cookie counts as untrusted", async () => {
    const owner = newAgent(s.issuer);
    await signInFully(s, owner, SANDBOX.citizen3);
    // A device cookie of the other citizen, to borrow under citizen 3's name.
    const other = newAgent(s.issuer);
    await signInFully(s, other, SANDBOX.citizen2);
    await counters(s.db).clear();

    assert.equal((await flood(s, CITIZEN3_SPELLINGS, 60)).checked, 5);
    const mine = await passwordStep(s, owner, '079 185 000 123', SANDBOX.citizen3.password);
    assert.equal(mine.status, 303, `the remembered device is not locked out: ${mine.text.slice(0, 200)}`);
    assert.equal((await passwordStep(s, newAgent(s.issuer), SANDBOX.citizen3.username, SANDBOX.citizen3.password)).status, 429, 'a new browser still is');

    const devices = deviceCookies({ keys: s.cfg.cookieKeys, pseudonymSecret: s.cfg.otpSecret, maxAgeDays: s.cfg.deviceCookieDays });
    const c3 = await s.db('identifiers').where({ type: 'cccd', value: SANDBOX.citizen3.username }).first('account_id') as { account_id: string };
    const c2 = await s.db('identifiers').where({ type: 'cccd', value: SANDBOX.citizen2.username }).first('account_id') as { account_id: string };
    const real = devices.mint(c3.account_id);
    const forged = `${real.slice(0, -3)}${real.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const borrowed = devices.mint(c2.account_id);
    for (const value of [forged, borrowed, 'garbage']) {
      const attacker = newAgent(s.issuer);
      const f = await loginForm(s, attacker);
      const r = await attacker.post(`/interaction/${f.uid}/password_otp`).set('cookie', `${devices.name(c3.account_id)}=${value}`).set('x-forwarded-for', freshIp())
        .type('form').send({ _csrf: f.csrf, username: SANDBOX.citizen3.username, password: SANDBOX.citizen3.password }).redirects(0);
      assert.equal(r.status, 429, `cookie "${value.slice(0, 12)}…" is not trusted`);
    }
    // The remembered device has its own budget: its own wrong passwords lock only itself.
    const ownFailures = await Promise.all(Array.from({ length: 14 }, async () => passwordStep(s, owner, SANDBOX.citizen3.username, 'Wrong@Mine1')));
    assert.equal(ownFailures.filter((r) => r.status === 400).length, 10, 'LOGIN_MAX_FAILURES_PER_DEVICE (10) checked');
    assert.equal(ownFailures.filter((r) => r.status === 429).length, 4);
  });

  it('12 (LOGIN_MAX_CONSECUTIVE_FAILURES) failures across windows disable password login until "forgot password"; the remembered device and the SIM still sign in', async () => {
    const saved = await citizen3Password(s); // the test changes it
    const owner = newAgent(s.issuer);
    await signInFully(s, owner, SANDBOX.citizen3);
    await counters(s.db).clear();
    const checked = await disableCitizen3(s);
    assert.equal(checked, 12, 'at most 12 guesses in a row, however many windows the attack lasts');
    const untrusted = await passwordStep(s, newAgent(s.issuer), '023456789', SANDBOX.citizen3.password);
    assert.equal(untrusted.status, 429);
    assert.match(untrusted.text, DISABLED, 'the page says password login is off and how to turn it back on');
    const texts = await smsTo(s, SANDBOX.citizen3.phone);
    assert.equal(texts.filter((t) => /da bi tat/.test(t)).length, 1, 'one "disabled" SMS');
    assert.equal(texts.filter((t) => /tam dung/.test(t)).length, 1, 'one "paused" SMS for the three windows (LOGIN_LOCK_NOTICE_SECONDS)');

    assert.equal((await passwordStep(s, owner, SANDBOX.citizen3.username, SANDBOX.citizen3.password)).status, 303, 'the remembered device signs in');
    assert.equal((await passwordStep(s, newAgent(s.issuer), SANDBOX.citizen3.username, SANDBOX.citizen3.password)).status, 429, "and that does not turn it back on for others");

    // The SIM signature login does not care about password guessing.
    const sim = await loginForm(s);
    const started = await sim.agent.post(`/interaction/${sim.uid}/sim`).type('form').send({ _csrf: sim.csrf, phone: SANDBOX.citizen3.phone }).redirects(0);
    assert.equal(started.status, 303);
    assert.equal((await approveOnPhone(s.issuer, SANDBOX.citizen3.phone)).result, 'signed');
    assert.equal((await sim.agent.get(`/interaction/${sim.uid}/sim/wait`).redirects(0)).status, 303, 'signed in by SIM');

    // Forgot password works for the owner, and a new password ends the lock.
    const agent = newAgent(s.issuer);
    const form = await agent.get('/forgot').expect(200);
    const csrf = csrfOf(form.text);
    const started2 = await agent.post('/forgot').type('form').send({ _csrf: csrf, username: '079 185 000 123' }).redirects(0);
    const ok = await agent.post(started2.headers.location as string).type('form').send({ _csrf: csrf, code: await latestOtp(agent, SANDBOX.citizen3.phone) }).redirects(0);
    const newPassword = 'Sau#Khoa2026';
    const done = await agent.post(ok.headers.location as string).type('form').send({ _csrf: csrf, password: newPassword, password2: newPassword });
    assert.equal(done.status, 200);
    assert.equal((await passwordStep(s, newAgent(s.issuer), '023456789', newPassword)).status, 303, 'password login is back');
    await saved.restore();
  });

  it('a password change in the account portal (signed in on the remembered device) also turns password login back on', async () => {
    const saved = await citizen3Password(s);
    const owner = newAgent(s.issuer);
    await signInFully(s, owner, SANDBOX.citizen3);
    await counters(s.db).clear();
    await disableCitizen3(s);
    assert.match((await passwordStep(s, newAgent(s.issuer), SANDBOX.citizen3.username, SANDBOX.citizen3.password)).text, DISABLED);
    await signInFully(s, owner, SANDBOX.citizen3);
    const home = await follow(owner, s.issuer, (await owner.get('/account').redirects(0)).headers.location as string);
    const changed = await owner.post('/account/password').type('form').send({ _csrf: csrfOf(home.res!.text), current: SANDBOX.citizen3.password, password: 'Doi#MatKhau2026', password2: 'Doi#MatKhau2026' });
    assert.equal(changed.status, 200);
    assert.equal((await passwordStep(s, newAgent(s.issuer), SANDBOX.citizen3.username, 'Doi#MatKhau2026')).status, 303, 'password login is back');
    await saved.restore();
  });

  it('the per-address limit counts failures only (carrier-grade NAT) and spares remembered devices', async () => {
    const nat = '203.0.113.7';
    const owner = newAgent(s.issuer);
    await signInFully(s, owner, SANDBOX.citizen2, nat);
    for (let i = 0; i < 6; i++) {
      assert.equal((await passwordStep(s, newAgent(s.issuer), SANDBOX.enterprise.username, SANDBOX.enterprise.password, nat)).status, 303, `success ${i + 1} behind the NAT`);
    }
    const wrong = await Promise.all(['001095004321', '038196001234', '001093007777', '025123456', '034090005555'].map((id) => passwordStep(s, newAgent(s.issuer), id, 'Wrong@Pass1', nat)));
    assert.equal(wrong.filter((r) => r.status === 400).length, 3, 'LOGIN_MAX_FAILURES_PER_IP (3) failures checked');
    const blocked = wrong.find((r) => r.status === 429)!;
    assert.match(blocked.text, IP_LOCKED, 'the page says the network is shared and what still works');
    assert.equal((await passwordStep(s, newAgent(s.issuer), SANDBOX.enterprise.username, SANDBOX.enterprise.password, nat)).status, 429, 'a new browser behind that address waits');
    assert.equal((await passwordStep(s, owner, SANDBOX.citizen2.username, SANDBOX.citizen2.password, nat)).status, 303, 'a remembered device behind it does not');
    assert.equal((await passwordStep(s, newAgent(s.issuer), SANDBOX.enterprise.username, SANDBOX.enterprise.password, '203.0.113.8')).status, 303, 'another address is not affected');
  });
});
