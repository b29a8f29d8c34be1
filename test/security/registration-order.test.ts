// Issue 11, finding 6: registration must not say "this ID number has an account" before anything
// is proven. An attacker types someone's ID number with made-up details: the answer must be the one
// an unknown ID number gets. Only the person who passes the registry check and the SMS code sees the
// duplicate page (with the seed's three ways out) — for R1 and for R2 alike.
import assert from 'node:assert/strict';
import { startServer, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, csrfOf, latestOtp, type Agent } from '../support/browser.ts';

// Nguyễn Văn An (sandbox citizen, has an account) and a number nobody registered.
const AN = { idNumber: SANDBOX.citizen2.username, fullName: 'Nguyễn Văn An', birthdate: '12/05/1999', phone: '0912345228' };
const NOBODY = '001099055555';

async function submit(agent: Agent, path: string, fields: Record<string, string>) {
  const form = await agent.get(path).expect(200);
  return agent.post(path).type('form').send({ _csrf: csrfOf(form.text), ...fields }).redirects(0);
}

/** Page text without what differs per request (tokens, flow ids, captcha). */
const strip = (h: string) => h.replace(/value="[^"]*"/g, '').replace(/\/flow\/[^/"]+\//g, '/flow/X/').replace(/<svg[\s\S]*?<\/svg>/g, '');

const countAccounts = async (s: TestServer) => Number(((await s.db('accounts').count('* as n').first()) as { n: unknown }).n);

describe('security: the duplicate page only after proof (issue 11, finding 6)', function () {
  this.timeout(90_000); // servers on the embedded database start slowly on a loaded machine
  let s: TestServer;
  before(async () => { s = await startServer({ REGISTRATION_MAX_PER_IP: '100000' }); });
  after(() => s.close());

  for (const [label, phone] of [['a number registered to someone else', '0903000333'], ['a number the carrier does not know', '0905000444']] as const) {
    it(`R1: an existing ID number with made-up details and ${label} is answered like an unknown one`, async () => {
      const made = { fullName: 'Trần Văn Giả', birthdate: '12/05/1999', phone };
      const existing = await submit(newAgent(s.issuer), '/register/register_mobile', { ...made, idNumber: AN.idNumber });
      const unknown = await submit(newAgent(s.issuer), '/register/register_mobile', { ...made, idNumber: NOBODY });
      assert.equal(existing.status, unknown.status);
      assert.equal(existing.status, 422);
      assert.equal(strip(existing.text), strip(unknown.text));
      assert.doesNotMatch(existing.text, /Tài khoản đã tồn tại|quầy giao dịch/);
    });
  }

  it('R2: an existing ID number that does not match the registry is answered like an unknown one', async () => {
    const made = { bhxh: '0101010101', fullName: 'Trần Văn Giả', birthdate: '12/05/1999', phone: '0988000555' };
    const existing = await submit(newAgent(s.issuer), '/register/register_bhxh', { ...made, idNumber: AN.idNumber });
    const unknown = await submit(newAgent(s.issuer), '/register/register_bhxh', { ...made, idNumber: NOBODY });
    assert.equal(existing.status, 422);
    assert.equal(strip(existing.text), strip(unknown.text));
  });

  for (const [method, extra, phone] of [['register_mobile', {}, AN.phone], ['register_bhxh', { bhxh: '0101010101' }, '0912345228']] as const) {
    it(`${method}: the holder of the phone gets the code step like a new person, and the duplicate page only after the code`, async () => {
      const accounts = await countAccounts(s);
      const agent = newAgent(s.issuer);
      const res = await submit(agent, `/register/${method}`, { ...AN, ...extra, phone });
      assert.equal(res.status, 303, 'no 409 before the code');
      const otpUrl = res.headers.location as string;
      assert.match(otpUrl, new RegExp(`^/register/${method}/flow/[^/]+/otp$`));
      const page = await agent.get(otpUrl).expect(200);
      assert.doesNotMatch(page.text, /Tài khoản đã tồn tại/);

      // A wrong code tells nothing either.
      const code = await latestOtp(agent, SANDBOX.citizen2.phone);
      const wrong = await agent.post(otpUrl).type('form').send({ _csrf: csrfOf(page.text), code: code === '000000' ? '111111' : '000000' });
      assert.equal(wrong.status, 400);
      assert.doesNotMatch(wrong.text, /Tài khoản đã tồn tại/);

      const right = await agent.post(otpUrl).type('form').send({ _csrf: csrfOf(page.text), code }).redirects(0);
      assert.equal(right.status, 409);
      assert.match(right.text, /Tài khoản đã tồn tại/);
      assert.match(right.text, /Quên mật khẩu/);
      assert.match(right.text, /quầy giao dịch/);
      assert.match(right.text, /khiếu nại/);
      assert.doesNotMatch(right.text, /091\*|912345228/);
      assert.equal(await countAccounts(s), accounts, 'nothing created');
      assert.equal((await agent.get(otpUrl)).status, 410, 'the flow is over');
    });
  }
});
