// Registration starts with who registers (seed 001 §1 Bước 2): citizen or enterprise, then how;
// the fifth way (a Vietnam Post counter) is explained; SIM and USB are offered to both.
import assert from 'node:assert/strict';
import { startServer, registerClient, type TestServer } from '../support/server.ts';
import { newAgent, follow } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';

const CLIENT = { client_id: 'rp-reg-chooser', client_secret: 'rp-reg-chooser-secret-0123456789', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

const section = (html: string, id: string) => {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start > 0, `section ${id}`);
  return html.slice(start, html.indexOf('</section>', start));
};

describe('registration chooser', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); await registerClient(s.db, CLIENT); });
  after(() => s.close());

  it('standalone: citizen and enterprise sections; signature methods start at the portal sign-in; the counter is explained', async () => {
    const html = (await newAgent(s.issuer).get('/register').expect(200)).text;
    const citizen = section(html, 'reg-citizen');
    const enterprise = section(html, 'reg-enterprise');
    for (const label of ['Thuê bao di động', 'Bảo hiểm xã hội', 'SIM ký số', 'USB ký số']) assert.match(citizen, new RegExp(label));
    const order = ['Thuê bao di động', 'Bảo hiểm xã hội', 'SIM ký số', 'USB ký số'].map((l) => citizen.indexOf(l));
    assert.deepEqual(order, [...order].sort((a, b) => a - b), 'in the seed\'s order R1–R4');
    assert.match(enterprise, /SIM ký số/);
    assert.match(enterprise, /USB ký số/);
    assert.doesNotMatch(enterprise, /Bảo hiểm xã hội|Thuê bao di động/);
    assert.match(citizen, /href="\/register\/register_mobile"/);
    assert.match(enterprise, /href="\/account"/);
    assert.match(citizen, /Bưu điện Việt Nam \(mức độ 3\)/);
    assert.match(citizen, /72 giờ/);
    assert.doesNotMatch(html, /Chỉ dành cho công dân/);
  });

  it('inside a sign-in, every method continues that interaction', async () => {
    const agent = newAgent(s.issuer);
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    const first = await follow(agent, s.issuer, rp.authUrl);
    const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
    const html = (await agent.get(`/interaction/${uid}/register`).expect(200)).text;
    assert.match(section(html, 'reg-enterprise'), new RegExp(`href="/interaction/${uid}/sim"`));
    assert.match(section(html, 'reg-citizen'), new RegExp(`href="/interaction/${uid}/register_bhxh"`));
  });
});
