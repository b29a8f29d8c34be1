// ui_locales from the relying party sets the language of its interaction's pages (OIDC Core
// §3.1.2.1); the person's own choice with the language switch still wins.
import assert from 'node:assert/strict';
import { startServer, registerClient, type TestServer } from '../support/server.ts';
import { newAgent, follow } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';

const CLIENT = { client_id: 'rp-locales', client_secret: 'rp-locales-secret-0123456789abcd', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

describe('ui_locales', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  it('is announced in discovery', async () => {
    const disc = (await newAgent(s.issuer).get('/.well-known/openid-configuration').expect(200)).body as Record<string, unknown>;
    assert.deepEqual(disc.ui_locales_supported, ['vi', 'en']);
    assert.ok(Array.isArray(disc.claim_types_supported), 'the other defaults stay');
  });

  it('"en" (or "en-US") gives English pages; "vi" and no hint give Vietnamese; the switch overrides', async () => {
    const page = async (agent: ReturnType<typeof newAgent>, params: Record<string, string>) => {
      const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, params);
      const first = await follow(agent, s.issuer, rp.authUrl);
      const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
      return { uid, html: (await agent.get(`/interaction/${uid}/password_otp`).expect(200)).text };
    };
    assert.match((await page(newAgent(s.issuer), { ui_locales: 'fr-CA en-US' })).html, /<html lang="en"/);
    assert.match((await page(newAgent(s.issuer), { ui_locales: 'vi' })).html, /<html lang="vi"/);
    assert.match((await page(newAgent(s.issuer), {})).html, /<html lang="vi"/);
    const agent = newAgent(s.issuer);
    const en = await page(agent, { ui_locales: 'en' });
    assert.match((await agent.get(`/interaction/${en.uid}/password_otp?lang=vi`).expect(200)).text, /<html lang="vi"/);
    assert.match((await agent.get(`/interaction/${en.uid}/password_otp`).expect(200)).text, /<html lang="vi"/, 'the choice is remembered');
  });
});
