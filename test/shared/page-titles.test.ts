// Every page names itself in <title> (screen readers and tabs read it first), not just the app name.
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.ts';
import { newAgent } from '../support/browser.ts';

describe('page titles', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(() => s.close());

  for (const [path, title] of [['/forgot', 'Quên mật khẩu'], ['/register', 'Đăng ký tài khoản'], ['/complaints/new', 'Khiếu nại'], ['/sandbox/phone', 'Simulated phone']] as const) {
    it(`${path}: "${title} — …"`, async () => {
      const html = (await newAgent(s.issuer).get(path).expect(200)).text;
      assert.match(/<title>([^<]*)<\/title>/.exec(html)![1]!, new RegExp(`^${title}.* — `));
    });
  }
});
