// SIM signing through the real pages: every status outcome, L2, R3, step-up and its refusal.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, follow, csrfOf, loginL1, type Agent } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { approveOnPhone, refuseOnPhone, pendingOn } from '../support/phone.ts';

const CLIENT = { client_id: 'rp-sim', client_secret: 'rp-sim-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

/** Opens the login, picks SIM, submits the phone; returns the agent on the waiting page. */
async function startSim(s: TestServer, phone: string, params: Record<string, string> = {}, agent: Agent = newAgent(s.issuer)) {
  const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { scope: 'openid profile national_id enterprise', ...params });
  const first = await follow(agent, s.issuer, rp.authUrl);
  const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
  const form = await agent.get(`/interaction/${uid}/sim`).expect(200);
  const csrf = csrfOf(form.text);
  const res = await agent.post(`/interaction/${uid}/sim`).type('form').send({ _csrf: csrf, phone }).redirects(0);
  return { rp, agent, uid, csrf, res };
}

const wait = (agent: Agent, uid: string) => agent.get(`/interaction/${uid}/sim/wait`).redirects(0);

describe('SIM digital signature', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  it('the page shows the same verification code as the phone, and waits while pending', async () => {
    const { agent, uid, res } = await startSim(s, '0987 654 321');
    assert.equal(res.status, 303);
    const page = await wait(agent, uid);
    assert.equal(page.status, 200);
    assert.match(page.text, /http-equiv="refresh"/);
    const code = /id="verification-code">(\d{4})</.exec(page.text)![1]!;
    const [req] = await pendingOn(s.issuer, '+84987654321');
    assert.ok(req!.display.endsWith(code), req!.display);
    await refuseOnPhone(s.issuer, '+84987654321');
  });

  it('L2: an existing level-3 citizen signs in with acr "3" and amr hwk/pin/mca; the page cannot be replayed', async () => {
    const { agent, uid, rp } = await startSim(s, SANDBOX.citizen3.phone);
    assert.equal((await approveOnPhone(s.issuer, SANDBOX.citizen3.phone)).result, 'signed');
    const done = await wait(agent, uid);
    assert.equal(done.status, 303);
    const again = await wait(agent, uid);
    assert.notEqual(again.status, 303, 'the consumed challenge does not log in twice');
    const end = await follow(agent, s.issuer, done.headers.location as string);
    const { idToken } = await rp.finish(end.external!);
    assert.equal(idToken.acr, '3');
    assert.deepEqual(idToken.amr, ['hwk', 'pin', 'mca']);
    assert.ok(await s.db('credential_identifiers').where({ type: 'sim', identifier: SANDBOX.citizen3.phone }).first(), 'SIM linked');
  });

  it('R3 citizen: identity read from the certificate, email optional, account at level 3', async () => {
    const { agent, uid, rp, csrf } = await startSim(s, '0911000001');
    await approveOnPhone(s.issuer, '+84911000001');
    const toRegister = await wait(agent, uid);
    assert.equal(toRegister.headers.location, `/interaction/${uid}/sim/register`);
    const page = await agent.get(toRegister.headers.location as string).expect(200);
    assert.match(page.text, /Lý Thị Mai/);
    assert.match(page.text, /001\*\*\*\*\*\*001/);
    const done = await agent.post(`/interaction/${uid}/sim/register`).type('form').send({ _csrf: csrf, email: '' }).redirects(0);
    assert.equal(done.status, 303);
    const end = await follow(agent, s.issuer, done.headers.location as string);
    const { idToken, tokens } = await rp.finish(end.external!);
    assert.equal(idToken.acr, '3');
    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, String(idToken.sub));
    assert.equal(info.national_id, '001190000001');
    assert.equal(info.name, 'Lý Thị Mai');
  });

  it('R3 enterprise: email required; enterprise claims and subject type', async () => {
    const { agent, uid, rp, csrf } = await startSim(s, '0911000002');
    await approveOnPhone(s.issuer, '+84911000002');
    await wait(agent, uid);
    const missing = await agent.post(`/interaction/${uid}/sim/register`).type('form').send({ _csrf: csrf, email: '' });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /Doanh nghiệp cần nhập email/);
    const done = await agent.post(`/interaction/${uid}/sim/register`).type('form').send({ _csrf: csrf, email: 'ketoan@kyso.example.vn' }).redirects(0);
    const end = await follow(agent, s.issuer, done.headers.location as string);
    const { idToken, tokens } = await rp.finish(end.external!);
    assert.equal(idToken.acr, '3');
    assert.equal(idToken.subject_type, 'enterprise');
    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, String(idToken.sub));
    assert.equal(info.tax_code, '0100233488');
    assert.equal(info.organization_name, 'CÔNG TY TNHH KÝ SỐ THỬ NGHIỆM');
  });

  describe('every outcome has its own message', () => {
    const outcome = async (phone: string, act: () => Promise<unknown>, status: number, text: RegExp) => {
      const { agent, uid, res } = await startSim(s, phone);
      if (res.status !== 303) { assert.equal(res.status, status); assert.match(res.text, text); return; }
      await act();
      const page = await wait(agent, uid);
      assert.equal(page.status, status, page.text.slice(0, 200));
      assert.match(page.text, text);
      assert.match(page.text, /Thử lại/);
      assert.match(page.text, /Chọn phương thức khác/);
    };
    it('user refused', () => outcome('+84987654321', () => refuseOnPhone(s.issuer, '+84987654321'), 400, /từ chối/));
    it('timeout', () => outcome('+84987654321', () => s.db('sandbox_mss_requests').where({ phone: '+84987654321', state: 'pending' }).update({ expires_at: new Date(Date.now() - 1000) }), 400, /hết thời gian/));
    it('wrong PIN three times blocks it', () => outcome('+84987654321', async () => {
      assert.equal((await approveOnPhone(s.issuer, '+84987654321', '0000')).result, 'wrong_pin');
      assert.equal((await approveOnPhone(s.issuer, '+84987654321', '0000')).result, 'wrong_pin');
      assert.equal((await approveOnPhone(s.issuer, '+84987654321', '0000')).result, 'pin_blocked');
    }, 400, /PIN của SIM ký số đã bị khoá/));
    it('PIN already blocked', () => outcome('+84911000005', async () => undefined, 400, /PIN của SIM ký số đã bị khoá/));
    it('not a signing SIM', () => outcome('+84911000999', async () => undefined, 400, /không phải là SIM ký số/));
    it('service unavailable', () => outcome('+84911000503', async () => undefined, 503, /đang gián đoạn/));
    it('expired certificate', () => outcome('+84911000003', () => approveOnPhone(s.issuer, '+84911000003'), 400, /hết hạn/));
    it('revoked certificate (sandbox CRL)', () => outcome('+84911000004', () => approveOnPhone(s.issuer, '+84911000004'), 400, /bị thu hồi/));
  });

  describe('step-up', () => {
    it('a level-2 account signed in by L1 is asked for level 3, signs with its own SIM, and is level 3 from then on', async () => {
      const agent = newAgent(s.issuer);
      const rp1 = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
      const end1 = await loginL1(agent, s.issuer, rp1.authUrl, SANDBOX.citizen2, { consent: false });
      const first = await rp1.finish(end1.external!);
      assert.equal(first.idToken.acr, '2');

      const { uid, res, rp } = await startSim(s, SANDBOX.citizen2.phone, { acr_values: '3' }, agent);
      assert.equal(res.status, 303);
      const stepPage = await agent.get(`/interaction/${uid}`).expect(200);
      assert.match(stepPage.text, /SIM ký số/, 'the step-up page offers SIM signing');
      await approveOnPhone(s.issuer, SANDBOX.citizen2.phone);
      const done = await wait(agent, uid);
      assert.equal(done.status, 303);
      const end = await follow(agent, s.issuer, done.headers.location as string);
      assert.ok(end.external, `${end.url} ${end.res?.text.replace(/<[^>]*>/g, ' ').slice(0, 800)}`);
      const { idToken } = await rp.finish(end.external);
      assert.equal(idToken.acr, '3');
      assert.equal(idToken.sub, first.idToken.sub, 'the same person, without logging out');
      const account = await s.db('accounts').where({ id: idToken.sub }).first();
      assert.equal(account.level, 3);
      assert.ok(await s.db('audit_events').where({ action: 'account.level_raised', account_id: idToken.sub }).first());
      // From now on a plain L1 login of this account gives acr 3.
      const rp3 = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
      const end3 = await loginL1(newAgent(s.issuer), s.issuer, rp3.authUrl, SANDBOX.citizen2, { consent: false });
      assert.ok(end3.external, end3.res?.text.slice(0, 2000));
      assert.equal((await rp3.finish(end3.external)).idToken.acr, '3');
    });

    it("another person's certificate is refused and the account stays at level 2", async () => {
      await s.db('accounts').whereIn('id', s.db('identifiers').select('account_id').where({ type: 'cccd', value: '001099012345' })).update({ level: 2 });
      const agent = newAgent(s.issuer);
      const rp1 = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
      await rp1.finish((await loginL1(agent, s.issuer, rp1.authUrl, SANDBOX.citizen2, { consent: false })).external!);
      const { uid } = await startSim(s, '0911000007', { acr_values: '3' }, agent);
      await approveOnPhone(s.issuer, '+84911000007');
      const page = await wait(agent, uid);
      assert.equal(page.status, 403);
      assert.match(page.text, /thuộc về người khác/);
      const id = await s.db('identifiers').where({ type: 'cccd', value: '001099012345' }).first();
      assert.equal((await s.db('accounts').where({ id: id.account_id }).first()).level, 2);
    });
  });
});
