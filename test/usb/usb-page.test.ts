// The USB page in people's words: certificates described by the server from the certificate itself
// (holder, masked ID, issuer, validity; never a raw DN), help without an agent, and a phone warning.
import assert from 'node:assert/strict';
import { startServer, registerClient, type TestServer } from '../support/server.ts';
import { newAgent, follow, csrfOf } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';

const CLIENT = { client_id: 'rp-usb-page', client_secret: 'rp-usb-page-secret-0123456789ab', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };
const PHONE_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';

describe('USB page', () => {
  let s: TestServer;
  before(async () => { s = await startServer({ USB_PLUGIN_DOWNLOADS: 'windows=https://plugin.example.vn/win.exe,macos=https://plugin.example.vn/mac.pkg' }); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  async function usbPage(userAgent?: string) {
    const agent = newAgent(s.issuer);
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const first = await follow(agent, s.issuer, rp.authUrl);
    const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
    const req = agent.get(`/interaction/${uid}/usb`);
    const page = await (userAgent ? req.set('user-agent', userAgent) : req).expect(200);
    return { agent, uid, page };
  }

  it('describes the agent\'s certificates from their ASN.1: holder, masked ID, issuer, validity', async () => {
    const { agent, uid, page } = await usbPage();
    const tokens = (await (await fetch(`${s.issuer}/sandbox/usb/tokens`)).json()) as { name: string; certificatePem: string }[];
    const pems = ['citizen', 'enterprise', 'expired'].map((n) => tokens.find((t) => t.name === n)!.certificatePem);
    const res = await agent.post(`/interaction/${uid}/usb/describe`).send({ _csrf: csrfOf(page.text), certificates: [...pems, 'not a certificate'] }).expect(200);
    const [citizen, enterprise, expired, bad] = res.body as Record<string, unknown>[];
    assert.equal(citizen!.holder, 'Vương Thị Hoa');
    assert.equal(citizen!.idKind, 'CCCD');
    assert.equal(citizen!.idMasked, '001******002');
    assert.match(String(citizen!.issuer), /CA thử nghiệm DVC ID/);
    assert.match(String(citizen!.validUntil), /^\d{2}\/\d{2}\/\d{4}$/);
    assert.equal(citizen!.expired, false);
    assert.equal(enterprise!.idKind, 'MST');
    assert.equal(expired!.expired, true);
    assert.equal(bad, null);
    assert.doesNotMatch(JSON.stringify(res.body), /0\.9\.2342|001192000002|CN=/, 'no raw subject, no full ID number');
  });

  it('refuses a malformed request and one without the CSRF token, changing nothing', async () => {
    const { agent, uid, page } = await usbPage();
    await agent.post(`/interaction/${uid}/usb/describe`).send({ _csrf: csrfOf(page.text), certificates: 'x' }).expect(400);
    await agent.post(`/interaction/${uid}/usb/describe`).send({ _csrf: csrfOf(page.text), certificates: Array(21).fill('x') }).expect(400);
    const noCsrf = await agent.post(`/interaction/${uid}/usb/describe`).send({ certificates: [] });
    assert.ok(noCsrf.status >= 400 && noCsrf.status < 500);
  });

  it('without an agent: the plugin per operating system, how to run the sandbox agent, and "try again"', async () => {
    const { page } = await usbPage();
    assert.match(page.text, /href="https:\/\/plugin\.example\.vn\/win\.exe"/);
    assert.match(page.text, /Tải phần mềm ký số cho macOS/);
    assert.match(page.text, /npm run usb-agent -- --tokens/);
    assert.match(page.text, /id="usb-retry"/);
  });

  it('on a phone, says that USB signing needs a computer before the person tries', async () => {
    assert.match((await usbPage(PHONE_UA)).page.text, /Ký số bằng USB cần máy tính/);
    assert.doesNotMatch((await usbPage()).page.text, /Ký số bằng USB cần máy tính/);
  });

  it('USB_PLUGIN_DOWNLOADS accepts https links per known system only', async () => {
    const { loadConfig } = await import('../../src/config/index.ts');
    assert.throws(() => loadConfig({ USB_PLUGIN_DOWNLOADS: 'windows=http://plugin.example.vn/x' }), /USB_PLUGIN_DOWNLOADS/);
    assert.throws(() => loadConfig({ USB_PLUGIN_DOWNLOADS: 'beos=https://plugin.example.vn/x' }), /USB_PLUGIN_DOWNLOADS/);
  });
});
