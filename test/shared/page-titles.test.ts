// Every page names itself in <title> (screen readers and tabs read it first), not just the app name.
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { newAgent } from '../support/browser.ts';

describe('page titles', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(() => s.close());

  for (const [path, title] of [['/forgot', 'Quên mật khẩu'], ['/register', 'Đăng ký tài khoản'], ['/complaints/new', 'Khiếu nại'], ['/sandbox/phone', 'Điện thoại mô phỏng']] as const) {
    it(`${path}: "${title} — …"`, async () => {
      const html = (await newAgent(s.issuer).get(path).expect(200)).text;
      assert.match(/<title>([^<]*)<\/title>/.exec(html)![1]!, new RegExp(`^${title}.* — `));
    });
  }
});

describe('sandbox pages speak both languages', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(() => s.close());

  for (const [path, vi, en] of [['/sandbox/sms', 'Hộp thư SMS', 'SMS outbox'], ['/sandbox/email', 'Hộp thư điện tử', 'Email outbox'], ['/sandbox/phone?phone=0912345678', 'Điện thoại mô phỏng', 'Simulated phone']] as const) {
    it(`${path}: Vietnamese by default, English on request`, async () => {
      const h1 = (html: string) => /<h1[^>]*>([^<]*)<\/h1>/.exec(html)![1]!;
      assert.match(h1((await newAgent(s.issuer).get(path).expect(200)).text), new RegExp(`^${vi} `));
      assert.match(h1((await newAgent(s.issuer).get(`${path}${path.includes('?') ? '&' : '?'}lang=en`).expect(200)).text), new RegExp(`^${en} `));
    });
  }

  it('the phone says the result of an approval in words, and ignores a result it does not know', async () => {
    const a = newAgent(s.issuer);
    assert.match((await a.get('/sandbox/phone?phone=0912345678&result=wrong_pin').expect(200)).text, /Sai mã PIN\./);
    const odd = (await a.get('/sandbox/phone?phone=0912345678&result=%3Cb%3Ex').expect(200)).text;
    assert.doesNotMatch(odd, /sbx\.phone\.result|role="status"/);
  });
});
