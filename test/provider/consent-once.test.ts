// Consent is asked once per service: a new session of the same person at the same site with the same
// claims goes straight through; asking for more asks only for what is new; revoking asks again.
import assert from 'node:assert/strict';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, loginL1 } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';

const CLIENT = { client_id: 'rp-consent', client_secret: 'rp-consent-secret-0123456789abcd', redirect_uris: [REDIRECT_URI], client_name: 'Dịch vụ thử' };

describe('consent once per service', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  const signIn = async (scope: string) => {
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret, { scope });
    return { rp, end: await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, SANDBOX.citizen2, { consent: false }) };
  };
  const isConsent = (text: string | undefined) => !!text && /\/confirm/.test(text);

  it('asks in the first session, not in the next one, and again only for new claims or after revoking', async () => {
    const first = await signIn('openid profile');
    assert.ok(isConsent(first.end.res?.text), 'first session: the consent page');
    const second = await loginL1(newAgent(s.issuer), s.issuer, first.rp.authUrl, SANDBOX.citizen2);
    assert.ok(second.external, 'consented and signed in');

    const again = await signIn('openid profile');
    assert.ok(again.end.external, 'a new session with the same claims: no consent page');
    const { idToken } = await again.rp.finish(again.end.external!);
    assert.equal(idToken.acr, '2');

    const more = await signIn('openid profile phone');
    assert.ok(isConsent(more.end.res?.text), 'more claims: asked again');
    assert.match(more.end.res!.text, /phone|điện thoại/i);

    // Revoking the service (as the portal does) forgets the consent.
    await s.db('oidc_models').where({ kind: 'Grant' }).delete();
    const revoked = await signIn('openid profile');
    assert.ok(isConsent(revoked.end.res?.text), 'after revoking: asked again');
  });
});
