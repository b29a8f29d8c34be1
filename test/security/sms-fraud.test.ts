// Issue 11, finding 7: SMS toll fraud. One registry identity must not pay for codes to many
// numbers (parallel requests, as an attacker would send them); the per-IP limit counts distinct
// numbers (resends to one number do not use it up); a global hourly budget, with a metric, bounds
// what any wave can cost.
import assert from 'node:assert/strict';
import { startServer, SANDBOX, EMBEDDED, type TestServer } from '../support/server.ts';
import { shortLivedStores } from '../support/redis.ts';
import { newAgent, csrfOf, type Agent } from '../support/browser.ts';
import { drained } from '../support/outbox.ts';
import { otpSends, smsBudgetUsed } from '../../src/shared/metrics.ts';

// Phạm Minh Tuấn: a sandbox social-insurance record (R2 checks typed details, not the phone).
const TUAN = { idNumber: '001093007777', bhxh: '0123456789', fullName: 'Phạm Minh Tuấn', birthdate: '30/01/1993' };
const LAN = { idNumber: '025123456', bhxh: '7912345678', fullName: 'Ngô Thị Lan', birthdate: '01/12/1988' };

const phones = (n: number, from: number) => Array.from({ length: n }, (_, i) => `+849120${String(from + i).padStart(5, '0')}`);

async function smsTo(s: TestServer, numbers: string[]): Promise<number> {
  await drained(s.db);
  return Number(((await s.db('sandbox_sms').whereIn('to', numbers).count('* as n').first()) as { n: unknown }).n);
}

const sends = async (outcome: string) => (await otpSends.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;

async function formToken(agent: Agent, path: string): Promise<string> {
  return csrfOf((await agent.get(path).expect(200)).text);
}

async function forgot(agent: Agent, csrf: string, username: string) {
  const res = await agent.post('/forgot').type('form').send({ _csrf: csrf, username }).redirects(0);
  assert.equal(res.status, 303);
  return res.headers.location as string;
}

// The same caps on either store of the counters: the database, and Redis (REDIS_URL).
for (const store of shortLivedStores(EMBEDDED)) describe(`security: SMS toll-fraud caps (issue 11, finding 7)${store.title}`, function () {
  this.timeout(90_000); // servers on the embedded database start slowly on a loaded machine
  describe('per identity', () => {
    let s: TestServer;
    before(async () => { s = await startServer({ REGISTRATION_MAX_PER_IP: '100000', SMS_MAX_PER_IDENTITY: '5', ...store.env }); });
    after(() => s.close());

    it('one registry identity sends codes to at most SMS_MAX_PER_IDENTITY numbers, even in parallel', async () => {
      const agent = newAgent(s.issuer);
      const csrf = await formToken(agent, '/register/register_bhxh');
      const numbers = phones(30, 100);
      const refusedBefore = await sends('identity');
      const answers = await Promise.all(numbers.map((phone) =>
        agent.post('/register/register_bhxh').type('form').send({ _csrf: csrf, ...TUAN, phone }).redirects(0)));
      assert.ok(answers.every((r) => r.status === 303), 'each gets the code step');
      const refused = answers.filter((r) => /error=rate_limited/.test(String(r.headers.location)));
      assert.equal(refused.length, 25);
      assert.equal(await smsTo(s, numbers), 5, 'five SMS, not thirty');
      assert.equal(await sends('identity') - refusedBefore, 25);
      const page = await agent.get(refused[0]!.headers.location as string).expect(200);
      assert.match(page.text, /Bạn đã yêu cầu quá nhiều mã/);

      // The same identity typed another way (the old 15-character card) is the same identity.
      const card = await agent.post('/register/register_bhxh').type('form').send({ _csrf: csrf, ...TUAN, bhxh: 'DN4010123456789', fullName: 'PHẠM MINH TUẤN', phone: '+84912099999' }).redirects(0);
      assert.match(String(card.headers.location), /error=rate_limited/);
      // Someone else is not affected.
      const lan = await agent.post('/register/register_bhxh').type('form').send({ _csrf: csrf, ...LAN, phone: '+84912098888' }).redirects(0);
      assert.doesNotMatch(String(lan.headers.location), /error=/);
      assert.equal(await smsTo(s, ['+84912098888']), 1);
    });
  });

  describe('per IP: distinct numbers', () => {
    let s: TestServer;
    before(async () => { s = await startServer({ REGISTRATION_MAX_PER_IP: '100000', SMS_MAX_PER_IP: '3', ...store.env }); });
    after(() => s.close());

    it('resends to one number do not use up the IP; a fourth distinct number does', async () => {
      const agent = newAgent(s.issuer);
      const csrf = await formToken(agent, '/forgot');
      const otp = await forgot(agent, csrf, SANDBOX.enterprise.username);
      assert.doesNotMatch(otp, /error=/);
      const resend = otp.replace(/\/otp$/, '/resend');
      for (let i = 0; i < 5; i++) {
        const again = await agent.post(resend).type('form').send({ _csrf: csrf });
        assert.equal(again.status, 200, `resend ${i + 1} to the same number`);
      }
      assert.equal(await smsTo(s, [SANDBOX.enterprise.phone]), 6);

      // Distinct numbers (an unknown ID counts as one: the answers must not differ): two more are fine…
      assert.doesNotMatch(await forgot(agent, csrf, SANDBOX.citizen3.username), /error=/);
      assert.doesNotMatch(await forgot(agent, csrf, '001099077777'), /error=/);
      // …a fourth is refused, in parallel too, and keeps being refused.
      const more = await Promise.all(['001099077778', '001099077779', '001099077780'].map((id) => forgot(agent, csrf, id)));
      assert.ok(more.every((l) => /error=rate_limited/.test(l)));
      assert.match(await forgot(agent, csrf, '001099077778'), /error=rate_limited/);
      // A number already let through is still reachable (its own per-phone limit applies).
      assert.doesNotMatch(await forgot(agent, csrf, SANDBOX.enterprise.username), /error=/);
    });
  });

  describe('global hourly budget', () => {
    let s: TestServer;
    before(async () => { s = await startServer({ REGISTRATION_MAX_PER_IP: '100000', SMS_BUDGET_PER_HOUR: '3', ...store.env }); });
    after(() => s.close());

    it('past SMS_BUDGET_PER_HOUR codes are refused for everyone, counted in the metric', async () => {
      const agent = newAgent(s.issuer);
      const csrf = await formToken(agent, '/forgot');
      const budgetBefore = await sends('budget');
      for (const who of [SANDBOX.enterprise, SANDBOX.citizen3, SANDBOX.citizen2]) assert.doesNotMatch(await forgot(agent, csrf, who.username), /error=/);
      const refused = await forgot(agent, csrf, SANDBOX.enterprise.username);
      assert.match(refused, /error=sms_unavailable/);
      assert.match((await agent.get(refused).expect(200)).text, /Hệ thống gửi tin nhắn đang gián đoạn/);
      // An unknown ID number gets the same refusal: the budget is no oracle either.
      assert.match(await forgot(agent, csrf, '001099066666'), /error=sms_unavailable/);
      assert.equal(await smsTo(s, [SANDBOX.enterprise.phone, SANDBOX.citizen3.phone, SANDBOX.citizen2.phone]), 3);
      assert.equal(await sends('budget') - budgetBefore, 2);
      assert.equal((await smsBudgetUsed.get()).values[0]?.value, 5);
    });
  });
});
