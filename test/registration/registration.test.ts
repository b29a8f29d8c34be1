// R1 (mobile subscriber) and R2 (BHXH) registration through the real pages, every sandbox outcome.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startServer, registerClient, type TestServer } from '../support/server.ts';
import { newAgent, follow, csrfOf, latestOtp, type Agent } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { deliveredSms } from '../support/outbox.ts';

const CLIENT = { client_id: 'rp-reg', client_secret: 'rp-reg-secret-0123456789abcdefgh', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

const BINH = { idNumber: '001095004321', fullName: 'Hoàng Văn Bình', birthdate: '20/03/1995', phone: '0912 000 111', email: 'binh@example.vn' };
const TUAN = { idNumber: '001093007777', bhxh: 'DN4010123456789', fullName: 'PHẠM MINH TUẤN', birthdate: '30/01/1993', phone: '0988.000.999' };

async function countAccounts(s: TestServer): Promise<number> {
  return Number(((await s.db('accounts').count('* as n').first()) as { n: unknown }).n);
}

async function submit(agent: Agent, path: string, fields: Record<string, string>) {
  const form = await agent.get(path).expect(200);
  return agent.post(path).type('form').send({ _csrf: csrfOf(form.text), ...fields }).redirects(0);
}

/** The code from the outbox typed on the OTP step: the password step, or the duplicate page. */
async function enterCode(agent: Agent, otpUrl: string, phone: string) {
  const otpPage = await agent.get(otpUrl).expect(200);
  return agent.post(otpUrl).type('form').send({ _csrf: csrfOf(otpPage.text), code: await latestOtp(agent, phone) }).redirects(0);
}

/** From the OTP step to the end: code from the outbox, then the password. */
async function finish(agent: Agent, otpUrl: string, phone: string, password = 'Dangky@2026') {
  const otpPage = await agent.get(otpUrl).expect(200);
  const csrf = csrfOf(otpPage.text);
  const ok = await agent.post(otpUrl).type('form').send({ _csrf: csrf, code: await latestOtp(agent, phone) }).redirects(0);
  assert.equal(ok.status, 303, ok.text.slice(0, 200));
  const pwUrl = ok.headers.location as string;
  return agent.post(pwUrl).type('form').send({ _csrf: csrf, password, password2: password }).redirects(0);
}

describe('citizen registration', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  describe('R1 mobile subscriber', () => {
    it('registers at level 2 with a verified phone; nothing is stored before the password step', async () => {
      const agent = newAgent(s.issuer);
      const before = await countAccounts(s);
      const res = await submit(agent, '/register/register_mobile', BINH);
      assert.equal(res.status, 303, res.text.slice(0, 500));
      assert.match(res.headers.location as string, /^\/register\/register_mobile\/flow\/[^/]+\/otp$/);
      const otpPage = await agent.get(res.headers.location as string).expect(200);
      assert.match(otpPage.text, /091\*\*\*\*111/);
      assert.equal(await countAccounts(s), before, 'no account yet');
      const done = await finish(agent, res.headers.location as string, '+84912000111');
      assert.equal(done.status, 200);
      assert.match(done.text, /Đăng ký thành công/);
      assert.equal(await countAccounts(s), before + 1);
      const id = await s.db('identifiers').where({ type: 'cccd', value: '001095004321' }).first();
      const account = await s.db('accounts').where({ id: id.account_id }).first();
      assert.equal(account.level, 2);
      assert.equal(account.full_name, 'Hoàng Văn Bình');
      const phone = await s.db('identifiers').where({ account_id: id.account_id, type: 'phone' }).first();
      assert.equal(phone.value, '+84912000111');
      assert.equal(phone.verified, true);
    });

    it('duplicate ID: after the code, the seed\'s three ways out, and nothing else is said', async () => {
      const agent = newAgent(s.issuer);
      const otp = await submit(agent, '/register/register_mobile', { ...BINH, idNumber: '001099012345', fullName: 'Nguyễn Văn An', birthdate: '12/05/1999', phone: '0912345228' });
      assert.equal(otp.status, 303, 'the code step first, as for a new ID number');
      const res = await enterCode(agent, otp.headers.location as string, '+84912345228');
      assert.equal(res.status, 409);
      assert.match(res.text, /Quên mật khẩu/);
      assert.match(res.text, /quầy giao dịch/);
      assert.match(res.text, /khiếu nại/);
      assert.doesNotMatch(res.text, /091\*|912345228|Nguyễn Văn An/);
    });

    it('not the owner, and unknown number: "cannot register" without saying which field differed', async () => {
      const before = await countAccounts(s);
      const mismatch = await submit(newAgent(s.issuer), '/register/register_mobile', { ...BINH, idNumber: '001095004322', phone: '0903000333' });
      assert.equal(mismatch.status, 422);
      assert.match(mismatch.text, /không khớp với thông tin chủ thuê bao/);
      assert.doesNotMatch(mismatch.text, /Vũ Văn Khác|001080009999/);
      const notFound = await submit(newAgent(s.issuer), '/register/register_mobile', { ...BINH, idNumber: '001095004323', phone: '0905000444' });
      assert.equal(notFound.status, 422);
      assert.equal(notFound.text.replace(/value="[^"]*"/g, ''), mismatch.text.replace(/value="[^"]*"/g, ''), 'same page for both');
      assert.equal(await countAccounts(s), before);
    });

    it('carrier down: "try later", nothing created, no SMS', async () => {
      const sms = await deliveredSms(s.db);
      const res = await submit(newAgent(s.issuer), '/register/register_mobile', { ...BINH, idNumber: '001095004324', phone: '0977000503' });
      assert.equal(res.status, 503);
      assert.match(res.text, /Chưa có thông tin nào được lưu/);
      assert.equal(await deliveredSms(s.db), sms);
    });

    it('bad input: field errors tied to the fields, nothing queried or stored', async () => {
      const res = await submit(newAgent(s.issuer), '/register/register_mobile', { idNumber: '12345', fullName: ' ', birthdate: '31/02/1995', phone: '0241234567', email: 'not-an-email' });
      assert.equal(res.status, 400);
      for (const f of ['idNumber', 'fullName', 'birthdate', 'phone', 'email']) assert.match(res.text, new RegExp(`id="${f}-error"`), f);
      assert.match(res.text, /Ngày sinh không tồn tại/);
      assert.match(res.text, /số di động Việt Nam/);
      const yearMismatch = await submit(newAgent(s.issuer), '/register/register_mobile', { ...BINH, birthdate: '20/03/1996' });
      assert.match(yearMismatch.text, /không khớp với năm sinh/);
    });

    it('started from a relying party: finishes signed in and the RP gets acr "2"', async () => {
      const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { scope: 'openid profile phone national_id' });
      const agent = newAgent(s.issuer);
      const first = await follow(agent, s.issuer, rp.authUrl);
      assert.match(first.res!.text, /Đăng ký/);
      const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
      await agent.get(`/interaction/${uid}/register`).expect(200);
      const res = await submit(agent, `/interaction/${uid}/register_mobile`, { idNumber: '038196001234', fullName: 'Đặng Thị Thu Hà', birthdate: '15/08/1996', phone: '+84 988 000 222' });
      assert.equal(res.status, 303, res.text.slice(0, 300));
      const done = await finish(agent, res.headers.location as string, '+84988000222');
      assert.equal(done.status, 303);
      const end = await follow(agent, s.issuer, done.headers.location as string);
      const { idToken, tokens } = await rp.finish(end.external!);
      assert.equal(idToken.acr, '2');
      const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, String(idToken.sub));
      assert.equal(info.national_id, '038196001234');
      assert.equal(info.phone_number, '+84988000222');
    });
  });

  describe('R2 social insurance', () => {
    it('a 15-character health-insurance card and differently-cased name match; level 2 with the BHXH code stored', async () => {
      const agent = newAgent(s.issuer);
      const res = await submit(agent, '/register/register_bhxh', TUAN);
      assert.equal(res.status, 303, res.text.slice(0, 500));
      const done = await finish(agent, res.headers.location as string, '+84988000999');
      assert.match(done.text, /Đăng ký thành công/);
      const id = await s.db('identifiers').where({ type: 'bhxh', value: '0123456789' }).first();
      const account = await s.db('accounts').where({ id: id.account_id }).first();
      assert.equal(account.full_name, 'Phạm Minh Tuấn', "the registry's spelling is kept");
      assert.equal(account.level, 2);
    });

    it('a legacy CMND holder registers with the registry\'s number', async () => {
      const agent = newAgent(s.issuer);
      const res = await submit(agent, '/register/register_bhxh', { idNumber: '025123456', bhxh: '7912345678', fullName: 'Ngô Thị Lan', birthdate: '01/12/1988', phone: '0988000888' });
      assert.equal(res.status, 303);
      await finish(agent, res.headers.location as string, '+84988000888');
      assert.ok(await s.db('identifiers').where({ type: 'cmnd', value: '025123456' }).first());
    });

    it('a different tone mark is a different name: cannot register (diacritics are not stripped)', async () => {
      const res = await submit(newAgent(s.issuer), '/register/register_bhxh', { idNumber: '034090005555', bhxh: '3456789012', fullName: 'Trịnh Văn Lê', birthdate: '06/06/1990', phone: '0988000777' });
      assert.equal(res.status, 422);
      assert.match(res.text, /không khớp với cơ sở dữ liệu Bảo hiểm xã hội/);
      const nfd = await submit(newAgent(s.issuer), '/register/register_bhxh', { idNumber: '034090005555', bhxh: '3456789012', fullName: 'Trịnh Văn Lệ'.normalize('NFD'), birthdate: '06/06/1990', phone: '0988000777' });
      assert.equal(nfd.status, 303, 'the same name typed in decomposed form matches');
    });

    it('unknown code, duplicate by the registry\'s ID, registry down', async () => {
      const notFound = await submit(newAgent(s.issuer), '/register/register_bhxh', { ...TUAN, idNumber: '001093007778', bhxh: '9999999999' });
      assert.equal(notFound.status, 422);
      const agent = newAgent(s.issuer);
      const otp = await submit(agent, '/register/register_bhxh', { idNumber: '001099012345', bhxh: '0101010101', fullName: 'Nguyễn Văn An', birthdate: '12/05/1999', phone: '0912345228' });
      assert.equal(otp.status, 303);
      assert.equal((await enterCode(agent, otp.headers.location as string, '+84912345228')).status, 409);
      const down = await submit(newAgent(s.issuer), '/register/register_bhxh', { ...TUAN, bhxh: '0000000503' });
      assert.equal(down.status, 503);
    });
  });

  describe('stored flow', () => {
    it('reload and back button land on the step the flow is at; an expired flow says so', async () => {
      const agent = newAgent(s.issuer);
      const res = await submit(agent, '/register/register_mobile', { idNumber: '001095004399', fullName: 'Hoàng Văn Bình', birthdate: '20/03/1995', phone: '0912000111' });
      // Bình is registered by now, but this ID differs: the carrier says "not the owner".
      assert.equal(res.status, 422);
      const r2 = await submit(agent, '/register/register_bhxh', { idNumber: '025123456', bhxh: '7912345678', fullName: 'Ngô Thị Lan', birthdate: '01/12/1988', phone: '0988000888' });
      assert.equal(r2.status, 303, 'Lan registered above: told after the code');
      assert.equal((await enterCode(agent, r2.headers.location as string, '+84988000888')).status, 409);
      const fresh = await submit(agent, '/register/register_bhxh', { idNumber: '034090005555', bhxh: '3456789012', fullName: 'Trịnh Văn Lệ', birthdate: '06/06/1990', phone: '0988000777' });
      const otpUrl = fresh.headers.location as string;
      const otpPage = await agent.get(otpUrl).expect(200);
      await agent.get(otpUrl).expect(200); // reload
      const ok = await agent.post(otpUrl).type('form').send({ _csrf: csrfOf(otpPage.text), code: await latestOtp(agent, '+84988000777') }).redirects(0);
      const back = await agent.get(otpUrl).redirects(0);
      assert.equal(back.status, 303, 'back to the OTP step after it was passed');
      assert.equal(back.headers.location, ok.headers.location);
      await s.db('flows').where({ id: otpUrl.split('/')[4] }).update({ expires_at: new Date(Date.now() - 1000) });
      const expired = await agent.get(ok.headers.location as string);
      assert.equal(expired.status, 410);
      assert.match(expired.text, /hết hạn/);
    });

    it('two tabs registering the same person: the second ends at the duplicate page', async () => {
      const a = newAgent(s.issuer);
      const p = { idNumber: '034090005555', bhxh: '3456789012', fullName: 'Trịnh Văn Lệ', birthdate: '06/06/1990', phone: '0988000777' };
      const tab1 = await submit(a, '/register/register_bhxh', p);
      const code1 = await latestOtp(a, '+84988000777');
      const tab2 = await submit(a, '/register/register_bhxh', p);
      const code2 = await latestOtp(a, '+84988000777');
      const csrf = csrfOf((await a.get(tab1.headers.location as string)).text);
      const pw1 = await a.post(tab1.headers.location as string).type('form').send({ _csrf: csrf, code: code1 }).redirects(0);
      const pw2 = await a.post(tab2.headers.location as string).type('form').send({ _csrf: csrf, code: code2 }).redirects(0);
      const done1 = await a.post(pw1.headers.location as string).type('form').send({ _csrf: csrf, password: 'Dangky@2026', password2: 'Dangky@2026' });
      assert.match(done1.text, /Đăng ký thành công/);
      const done2 = await a.post(pw2.headers.location as string).type('form').send({ _csrf: csrf, password: 'Dangky@2026', password2: 'Dangky@2026' });
      assert.equal(done2.status, 409);
      assert.equal((await s.db('identifiers').where({ type: 'cccd', value: '034090005555' })).length, 1);
    });

    it('weak passwords, mismatched confirmation and common passwords are refused', async () => {
      const agent = newAgent(s.issuer);
      const res = await submit(agent, '/register/register_mobile', { idNumber: '001080009999', fullName: 'Vũ Văn Khác', birthdate: '02/02/1980', phone: '0903000333' });
      const otpUrl = res.headers.location as string;
      const csrf = csrfOf((await agent.get(otpUrl)).text);
      const pw = await agent.post(otpUrl).type('form').send({ _csrf: csrf, code: await latestOtp(agent, '+84903000333') }).redirects(0);
      const url = pw.headers.location as string;
      for (const [password, password2, msg] of [['short1!A', 'x', /không khớp/], ['alllowercase1!', 'alllowercase1!', /chữ in hoa/], ['NoSpecial123', 'NoSpecial123', /ký tự đặc biệt/], ['Matkhau@123', 'Matkhau@123', /quá phổ biến/]] as const) {
        const r = await agent.post(url).type('form').send({ _csrf: csrf, password, password2 });
        assert.equal(r.status, 400);
        assert.match(r.text, msg);
      }
    });
  });

  describe('limits and outages', () => {
    let t: TestServer;
    before(async () => { t = await startServer({ BHXH_CONNECTOR: 'http', BHXH_URL: 'http://127.0.0.1:9/bhxh', CONNECTOR_RETRIES: '0', CONNECTOR_TIMEOUT_MS: '300', REGISTRATION_MAX_PER_IP: '3' }); });
    after(() => t.close());

    it('the real BHXH connector failing gives the "try later" page; registry queries are limited per IP', async () => {
      const down = await submit(newAgent(t.issuer), '/register/register_bhxh', TUAN);
      assert.equal(down.status, 503);
      await submit(newAgent(t.issuer), '/register/register_bhxh', TUAN);
      await submit(newAgent(t.issuer), '/register/register_bhxh', TUAN);
      const limited = await submit(newAgent(t.issuer), '/register/register_bhxh', TUAN);
      assert.equal(limited.status, 429);
      assert.match(limited.text, /quá nhiều lần/);
    });
  });
});
