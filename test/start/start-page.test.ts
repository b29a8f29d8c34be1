// The start page: in sandbox mode it shows what to try, with the test identities read from
// config/sandbox/ on each request; in production mode only the account portal and discovery.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { startServer, separateDatabase, SANDBOX, type TestServer } from '../support/server.ts';
import { PROD_OK } from '../config/production-env.ts';

describe('start page (/)', function () {
  this.timeout(60_000);

  describe('sandbox mode', () => {
    let s: TestServer;
    let sandboxDir: string;
    before(async () => {
      sandboxDir = mkdtempSync(path.join(tmpdir(), 'dvc-sandbox-'));
      cpSync('config/sandbox', sandboxDir, { recursive: true });
      s = await startServer({ SANDBOX_DIR: sandboxDir });
    });
    after(async () => { await s?.close(); rmSync(sandboxDir, { recursive: true, force: true }); });

    it('links the demo, registration, the portal, the outboxes and the phone, and names the discovery URL and the USB agent', async () => {
      const res = await supertest(s.issuer).get('/').expect(200).expect('content-type', /html/);
      for (const href of ['/demo', '/register', '/account', '/sandbox/sms', '/sandbox/email', '/sandbox/phone']) assert.match(res.text, new RegExp(`href="${href}"`), href);
      assert.ok(res.text.includes(`href="${s.issuer}/.well-known/openid-configuration"`));
      assert.match(res.text, /npm run usb-agent -- --tokens citizen,enterprise --provider http:\/\/127\.0\.0\.1:\d+/);
      for (const who of Object.values(SANDBOX)) assert.ok(res.text.includes(who.username), who.username);
      assert.match(res.text, /Dịch vụ công mẫu/);
      const en = await supertest(s.issuer).get('/?lang=en').expect(200);
      assert.match(en.text, /DVC ID is the identity provider/);
      assert.match(en.text, /Sample public service/);
    });

    it('reads the test identities from the sandbox folder at request time, not from a copy', async () => {
      const file = path.join(sandboxDir, 'accounts.json');
      const before = readFileSync(file, 'utf8');
      writeFileSync(file, before.replace('Citizen, level 2 (registered by mobile subscriber)', 'Edited while running'));
      try {
        const res = await supertest(s.issuer).get('/').expect(200);
        assert.match(res.text, /Edited while running/);
        assert.doesNotMatch(res.text, /registered by mobile subscriber/);
      } finally {
        writeFileSync(file, before);
      }
      const sims = JSON.parse(readFileSync(path.join(sandboxDir, 'sim.json'), 'utf8')) as { subscribers: { phone: string }[] };
      const page = (await supertest(s.issuer).get('/').expect(200)).text;
      for (const { phone } of sims.subscribers) assert.ok(page.includes(`0${phone.slice(3)}`), `SIM ${phone} listed`);
    });
  });

  describe('production mode', () => {
    let s: TestServer;
    let database: Awaited<ReturnType<typeof separateDatabase>>;
    // Production needs PostgreSQL (DATABASE_URL), in the embedded pass too.
    before(async () => {
      database = await separateDatabase('start');
      s = await startServer({ ...PROD_OK, CAPTCHA: 'on', DATABASE_URL: database.url });
    });
    after(async () => { await s?.close(); await database?.drop(); });

    it('a short page: the account portal and the discovery document, no sandbox helpers and no demo', async () => {
      const res = await supertest(s.issuer).get('/').expect(200);
      assert.match(res.text, /href="\/account"/);
      assert.ok(res.text.includes('href="https://id.example.gov.vn/.well-known/openid-configuration"'));
      for (const absent of ['/demo', '/sandbox/', '001099012345', 'usb-agent', 'SANDBOX']) assert.ok(!res.text.includes(absent), `no ${absent}`);
      await supertest(s.issuer).get('/demo').expect(404);
      assert.equal(await s.db('oidc_models').where({ kind: 'Client', id: 'dvc-demo' }).first(), undefined, 'the demo client is never registered in production');
    });
  });
});
