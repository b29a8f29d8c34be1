// "This account is not mine": a complaint gets a reference number by SMS, says nothing about the
// account, is limited per ID number (every spelling), per phone and per address, and bad input
// changes nothing.
import assert from 'node:assert/strict';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, follow, csrfOf } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';

const CLIENT = { client_id: 'rp-complaint', client_secret: 'rp-complaint-secret-0123456789ab', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };
const STORY = 'Tôi chưa từng đăng ký nhưng trang báo số CCCD của tôi đã có tài khoản.';

describe('complaints', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  async function file(fields: Record<string, string>) {
    const agent = newAgent(s.issuer);
    const page = await agent.get('/complaints/new').expect(200);
    return agent.post('/complaints/new').type('form').send({ _csrf: csrfOf(page.text), description: STORY, ...fields }).redirects(0);
  }
  const count = async () => Number((await s.db('complaints').count('* as n').first())!.n);
  const smsTo = async (phone: string) => ((await newAgent(s.issuer).get(`/sandbox/sms?to=${encodeURIComponent(phone)}`).set('accept', 'application/json')).body as { text: string }[]);

  it('is linked from the login page', async () => {
    const agent = newAgent(s.issuer);
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const first = await follow(agent, s.issuer, rp.authUrl);
    const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
    assert.match((await agent.get(`/interaction/${uid}/password_otp`).expect(200)).text, /href="\/complaints\/new"/);
  });

  it('records the complaint with the account for staff, and answers the same for an unknown number', async () => {
    const known = await file({ idNumber: SANDBOX.citizen2.username, phone: '0912 000 555', fullName: 'Nguyễn Văn An' });
    const unknown = await file({ idNumber: '001188000099', phone: '0912000556' });
    assert.equal(known.status, 303);
    assert.equal(unknown.status, 303);
    const pages = await Promise.all([known, unknown].map(async (r) => (await newAgent(s.issuer).get(r.headers.location as string).expect(200)).text));
    const ref = (html: string) => /KN-\d{6}-[A-Z2-9]{6}/.exec(html)![0];
    const strip = (html: string, r: string) => html.split(r).join('REF').replace(/091\*{4}55[56]/, 'PHONE');
    assert.equal(strip(pages[0]!, ref(pages[0]!)), strip(pages[1]!, ref(pages[1]!)), 'the same page whether or not the account exists');
    const rows = await s.db('complaints').orderBy('created_at');
    assert.ok(rows[0].account_id, 'staff see which account it concerns');
    assert.equal(rows[1].account_id, null);
    assert.equal(rows[0].contact_phone, '+84912000555');
    assert.match((await smsTo('+84912000555'))[0]!.text, new RegExp(ref(pages[0]!)));
  });

  it('bad input: a clear 400 for each field, nothing stored', async () => {
    const before = await count();
    for (const bad of ([
      { idNumber: '097093001656', phone: '0912000557' }, // no such province
      { idNumber: SANDBOX.citizen2.username, phone: '12345' },
      { idNumber: SANDBOX.citizen2.username, phone: '0912000557', email: 'not-an-email' },
      { idNumber: SANDBOX.citizen2.username, phone: '0912000557', description: 'ngắn' },
      { idNumber: SANDBOX.citizen2.username, phone: '0912000557', description: 'x'.repeat(2001) },
    ] as Record<string, string>[])) {
      const res = await file(bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.match(res.text, /class="error"/);
    }
    assert.equal(await count(), before);
  });

  it('a flood at one ID number in every spelling, in parallel, stores at most three a day', async () => {
    await s.db('rate_limits').where('key', 'like', 'complaint:%').delete();
    await s.db('complaints').delete();
    const spellings = ['079185000123', '079 185 000 123', '0791.8500.0123', ' 079185000123 '];
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => file({ idNumber: spellings[i % spellings.length]!, phone: `09120006${String(i).padStart(2, '0')}` })));
    assert.equal(results.filter((r) => r.status === 303).length, 3);
    assert.ok(results.filter((r) => r.status !== 303).every((r) => r.status === 429));
    assert.equal(await count(), 3);
  });
});

describe('complaints with the captcha on', () => {
  let s: TestServer;
  before(async () => { s = await startServer({ CAPTCHA: 'on' }); });
  after(() => s.close());

  it('refuse a complaint without the captcha, storing nothing', async () => {
    const agent = newAgent(s.issuer);
    const page = await agent.get('/complaints/new').expect(200);
    const res = await agent.post('/complaints/new').type('form').send({ _csrf: csrfOf(page.text), idNumber: '001188000099', phone: '0912000558', description: STORY });
    assert.equal(res.status, 400);
    assert.equal(Number((await s.db('complaints').count('* as n').first())!.n), 0);
  });
});
