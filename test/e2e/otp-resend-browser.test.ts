// "Gửi lại OTP" shows its cooldown before anyone clicks: a live countdown on a disabled button in the
// browser, and the time it ends in the page itself (for a browser without JavaScript).
import assert from 'node:assert/strict';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { launch } from '../support/chromium.ts';
import { newAgent, follow, csrfOf } from '../support/browser.ts';

const CLIENT = { client_id: 'rp-otp-resend', client_secret: 'rp-otp-resend-secret-0123456789', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

describe('OTP resend cooldown', function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => {
    s = await startServer({ OTP_RESEND_COOLDOWN_SECONDS: '30' });
    await registerClient(s.db, CLIENT);
    browser = await launch();
  });
  after(async () => { await browser?.close(); await s?.close(); });

  it('the page says when a new code can be sent (no JavaScript needed)', async () => {
    const agent = newAgent(s.issuer);
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const first = await follow(agent, s.issuer, rp.authUrl);
    const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
    const form = await agent.get(`/interaction/${uid}/password_otp`).expect(200);
    await agent.post(`/interaction/${uid}/password_otp`).type('form').send({ _csrf: csrfOf(form.text), username: SANDBOX.citizen2.username, password: SANDBOX.citizen2.password }).expect(303);
    const page = (await agent.get(`/interaction/${uid}/password_otp/otp`).expect(200)).text;
    const wait = Number(/data-wait="(\d+)"/.exec(page)![1]);
    assert.ok(wait > 20 && wait <= 30, `about 30 s left, got ${wait}`);
    assert.match(page, /có thể gửi lại từ \d{2}:\d{2}/);
  });

  it('in the browser: a disabled button counting down', async () => {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const page = await browser.context.newPage();
    await page.goto(rp.authUrl);
    await page.getByRole('link', { name: /Số CCCD\/CMND và mật khẩu/ }).click();
    await page.getByLabel(/Tên đăng nhập/).fill(SANDBOX.citizen2.username);
    await page.getByLabel('Mật khẩu').fill(SANDBOX.citizen2.password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL(/\/otp$/);
    const button = page.locator('#otp-resend');
    assert.equal(await button.isDisabled(), true);
    assert.match((await button.textContent())!, /^Gửi lại OTP sau \d+ giây$/);
    const before = Number(/(\d+)/.exec((await button.textContent())!)![1]);
    await page.waitForTimeout(2100);
    assert.ok(Number(/(\d+)/.exec((await button.textContent())!)![1]) < before, 'it counts down');
    await page.close();
  });
});
