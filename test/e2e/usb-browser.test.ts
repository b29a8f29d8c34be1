// USB token in Chromium: the page script finds the software agent, lists the token's certificates,
// the agent signs (PIN given on "this computer"), and the RP receives acr "3".
import assert from 'node:assert/strict';
import { startServer, registerClient, type TestServer } from '../support/server.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { launch } from '../support/chromium.ts';
import { agentFor } from '../support/usb.ts';
import type { RunningAgent } from '../../src/usb-agent/agent.ts';

const CLIENT = { client_id: 'rp-e2e-usb', client_secret: 'rp-e2e-usb-secret-0123456789abcd', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };
const AGENT_PORT = 47988;

describe('Chromium: USB token through the real pages', function () {
  this.timeout(120_000);
  let s: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  let token: RunningAgent | undefined;
  before(async () => {
    s = await startServer({ USB_AGENT_URL: `http://127.0.0.1:${AGENT_PORT}` });
    await registerClient(s.db, CLIENT);
    browser = await launch();
  });
  afterEach(async () => { await token?.close(); token = undefined; });
  after(async () => { await browser?.close(); await s?.close(); });

  async function useToken(names: string[]) {
    token = await agentFor(s.issuer, names, { port: AGENT_PORT });
  }

  async function run(params: Record<string, string>, steps: (page: import('playwright-core').Page) => Promise<void>) {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { scope: 'openid profile enterprise', prompt: 'login', ...params });
    const page = await browser.context.newPage();
    await page.goto(rp.authUrl);
    await steps(page);
    await page.waitForURL(`${REDIRECT_URI}**`, { timeout: 20_000 });
    return rp.finish(page.url());
  }

  it('without an agent the page explains how to install the plugin and driver', async () => {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { prompt: 'login' });
    const page = await browser.context.newPage();
    await page.goto(rp.authUrl);
    await page.getByRole('link', { name: /USB ký số/ }).click();
    await page.getByRole('heading', { name: 'Chưa tìm thấy phần mềm ký số' }).waitFor();
    assert.match(await page.textContent('main') ?? '', /driver/);
  });

  it('R4 citizen, then L3 with the renewed certificate to the same account', async () => {
    await useToken(['citizen']);
    const first = await run({}, async (page) => {
      await page.getByRole('link', { name: 'Chưa có tài khoản? Đăng ký' }).click();
      await page.getByRole('region', { name: 'Công dân' }).getByRole('link', { name: /USB ký số/ }).click();
      await page.getByRole('button', { name: /Vương Thị Hoa/ }).click();
      await page.getByRole('heading', { name: 'Đăng ký bằng USB ký số' }).waitFor();
      await page.getByRole('button', { name: 'Đăng ký' }).click();
    });
    assert.equal(first.idToken.acr, '3');
    await token!.close();
    await useToken(['citizen-renewed']);
    const second = await run({}, async (page) => {
      await page.getByRole('link', { name: /USB ký số/ }).click();
      await page.getByRole('button', { name: /Vương Thị Hoa/ }).click();
    });
    assert.equal(second.idToken.acr, '3');
    assert.equal(second.idToken.sub, first.idToken.sub);
  });

  it('R4 enterprise with the required email', async () => {
    await useToken(['enterprise']);
    const { idToken } = await run({}, async (page) => {
      await page.getByRole('link', { name: 'Chưa có tài khoản? Đăng ký' }).click();
      await page.getByRole('region', { name: 'Doanh nghiệp' }).getByRole('link', { name: /USB ký số/ }).click();
      await page.getByRole('button', { name: /USB THỬ NGHIỆM/ }).click();
      await page.getByLabel('Email').fill('it@usb.example.vn');
      await page.getByRole('button', { name: 'Đăng ký' }).click();
    });
    assert.equal(idToken.acr, '3');
    assert.equal(idToken.subject_type, 'enterprise');
  });
});
