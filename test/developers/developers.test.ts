// The developer portal (/developers): an integrator signs in, creates a sandbox client that then
// completes a login and a logout with openid-client as the relying party; edits take effect at once;
// the client page shows the errors it caused; another integrator, a forged form, a javascript: URI
// and a flood of creations change nothing. In production mode the page files requests only.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as oidc from 'openid-client';
import supertest from 'supertest';
import { startServer, separateDatabase, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, loginL1, csrfOf, follow, pathOf, type Agent } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';
import { PROD_OK } from '../config/production-env.ts';
import { MAX_CREATIONS_PER_HOUR } from '../../src/developers/index.ts';
import { relyingParties, RequestNotPending } from '../../src/identity/relying-parties.ts';

const BYE = 'http://127.0.0.1:9/bye';
const FORM = {
  client_name: 'Cổng dịch vụ thử', redirect_uris: REDIRECT_URI, post_logout_redirect_uris: BYE, backchannel_logout_uri: '',
  token_endpoint_auth_method: 'client_secret_basic', jwks: '', jwks_uri: '', id_token_signed_response_alg: 'ES256', subject_type: 'public',
  scopes: ['openid', 'profile'],
};

/** An integrator signs in at /developers. */
async function openPortal(s: TestServer, who: typeof SANDBOX.citizen2): Promise<{ agent: Agent; page: string }> {
  const agent = newAgent(s.issuer);
  const end = await loginL1(agent, s.issuer, '/developers', who);
  assert.ok(end.res, 'back on the developer portal');
  assert.equal(end.url, '/developers');
  return { agent, page: end.res.text };
}

const create = (agent: Agent, csrf: string, form: Record<string, unknown> = FORM) =>
  agent.post('/developers/clients').type('form').send({ _csrf: csrf, ...form });

function credentialsOf(html: string): { clientId: string; secret: string } {
  const clientId = /id="client-id">([^<]+)</.exec(html)?.[1];
  const secret = /id="client-secret">([^<]+)</.exec(html)?.[1];
  assert.ok(clientId && secret, 'the page shows the client id and the secret');
  return { clientId, secret };
}

const clientCount = async (s: TestServer) => Number(((await s.db('oidc_models').where({ kind: 'Client' }).andWhereLike('id', 'sbx-%').count('* as n').first()) as { n: unknown }).n);

describe('developer portal (/developers)', function () {
  this.timeout(120_000);

  describe('sandbox', () => {
    let s: TestServer;
    before(async () => { s = await startServer(); });
    after(() => s.close());

    it('creates a client that then completes a login and a logout; edits work at once; errors are shown', async () => {
      const { agent, page } = await openPortal(s, SANDBOX.citizen2);
      const created = await create(agent, csrfOf(page));
      assert.equal(created.status, 201, created.text.replace(/<[^>]+>/g, ' ').slice(0, 800));
      const { clientId, secret } = credentialsOf(created.text);
      assert.match(clientId, /^sbx-/);
      assert.match(created.text, /\.well-known\/openid-configuration/);
      const audited = await s.db('audit_events').where({ action: 'client.create', client_id: clientId }).first();
      assert.match(audited.actor, /^account:/);

      // The relying party: openid-client, login by a sandbox citizen, then RP-initiated logout.
      const rp = await startRp(s.issuer, clientId, secret);
      const user = newAgent(s.issuer);
      const { tokens, idToken } = await rp.finish((await loginL1(user, s.issuer, rp.authUrl, SANDBOX.citizen3)).external!);
      assert.equal(idToken.aud, clientId);
      assert.equal(idToken.acr, '3');
      const endUrl = oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: BYE });
      const confirm = await user.get(pathOf(endUrl.href)).expect(200);
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)![1]!;
      const done = await user.post('/session/end/confirm').type('form').send({ xsrf, logout: 'yes' }).redirects(0);
      assert.equal(done.status, 303);
      assert.match(done.headers.location as string, /^http:\/\/127\.0\.0\.1:9\/bye/);

      // The secret is shown once: the client page no longer has it.
      const shown = await agent.get(`/developers/clients/${clientId}`).expect(200);
      assert.doesNotMatch(shown.text, new RegExp(secret));

      // Edit the redirect URI: the old one is refused on the very next request (no node caches sbx- clients).
      const edit = await agent.get(`/developers/clients/${clientId}/edit`).expect(200);
      const saved = await agent.post(`/developers/clients/${clientId}`).type('form')
        .send({ _csrf: csrfOf(edit.text), ...FORM, redirect_uris: 'https://rp.example.gov.vn/callback' }).redirects(0);
      assert.equal(saved.status, 303, saved.text.slice(0, 500));
      const old = await startRp(s.issuer, clientId, secret);
      const refused = await newAgent(s.issuer).get(pathOf(old.authUrl)).redirects(0);
      assert.equal(refused.status, 400);

      // The client page names the error and the URI that was sent (recorded by the provider's error
      // event after its answer went out: give that write a moment under load).
      let errors = await agent.get(`/developers/clients/${clientId}`).expect(200);
      for (let i = 0; i < 50 && !/invalid_redirect_uri/.test(errors.text); i++) {
        await new Promise((r) => setTimeout(r, 100));
        errors = await agent.get(`/developers/clients/${clientId}`).expect(200);
      }
      assert.match(errors.text, /invalid_redirect_uri/);
      assert.ok(errors.text.includes(`redirect_uri=${REDIRECT_URI}`), 'the URI sent is shown');

      // Rotating the secret: the new one is shown once, the old one stops working.
      const rotated = await agent.post(`/developers/clients/${clientId}/rotate`).type('form').send({ _csrf: csrfOf(errors.text) }).expect(200);
      assert.notEqual(credentialsOf(rotated.text).secret, secret);
    });

    it('"try it" signs in with the client and lands on the portal page that shows the claims', async () => {
      const { agent, page } = await openPortal(s, SANDBOX.citizen2);
      const { clientId } = credentialsOf((await create(agent, csrfOf(page)).expect(201)).text);
      const start = await agent.get(`/developers/clients/${clientId}/try`).redirects(0);
      assert.equal(start.status, 302);
      let next = await follow(agent, s.issuer, start.headers.location as string);
      // The provider session is already there: only the consent page for this new client.
      if (next.res && /\/interaction\//.test(next.url!)) {
        const uid = /\/interaction\/([^/?]+)/.exec(next.url!)![1]!;
        const ok = await agent.post(`/interaction/${uid}/confirm`).type('form').send({ _csrf: csrfOf(next.res.text) }).redirects(0);
        next = await follow(agent, s.issuer, ok.headers.location as string);
      }
      assert.ok(next.res, 'lands on our own page');
      assert.match(next.url!, /\/developers\/try\/callback\?/);
      assert.equal(next.res.status, 200, next.res.text.replace(/<[^>]+>/g, ' ').slice(0, 500));
      assert.match(next.res.text, /Claim trong ID token/);
      assert.match(next.res.text, new RegExp(`<dt>aud</dt><dd><code>${clientId}</code>`));
      // The state is single use.
      await agent.get(pathOf(next.url!)).expect(404);
    });

    it("another integrator cannot see or change someone's client; a forged form or a javascript: URI changes nothing", async () => {
      const owner = await openPortal(s, SANDBOX.citizen2);
      const { clientId } = credentialsOf((await create(owner.agent, csrfOf(owner.page)).expect(201)).text);
      const other = await openPortal(s, SANDBOX.enterprise);
      await other.agent.get(`/developers/clients/${clientId}`).expect(404);
      await other.agent.get(`/developers/clients/${clientId}/edit`).expect(404);
      await other.agent.post(`/developers/clients/${clientId}/delete`).type('form').send({ _csrf: csrfOf(other.page) }).expect(404);
      await other.agent.post(`/developers/clients/${clientId}/rotate`).type('form').send({ _csrf: csrfOf(other.page) }).expect(404);
      await other.agent.post(`/developers/clients/${clientId}`).type('form').send({ _csrf: csrfOf(other.page), ...FORM, redirect_uris: 'https://evil.example/cb' }).expect(404);
      assert.doesNotMatch((await other.agent.get('/developers').expect(200)).text, new RegExp(clientId));
      const still = await s.db('oidc_models').where({ kind: 'Client', id: clientId }).first();
      assert.deepEqual(still.payload.redirect_uris.slice(0, 1), [REDIRECT_URI]);

      const before = await clientCount(s);
      // A cross-site form has no CSRF token.
      const forged = await owner.agent.post('/developers/clients').type('form').send(FORM);
      assert.equal(forged.status, 403);
      const forgedDelete = await owner.agent.post(`/developers/clients/${clientId}/delete`).type('form').send({});
      assert.equal(forgedDelete.status, 403);
      // javascript: and other non-web schemes are refused with a field error, in the person's language.
      for (const bad of ['javascript:alert(document.cookie)', 'data:text/html,hi']) {
        const res = await create(owner.agent, csrfOf(owner.page), { ...FORM, redirect_uris: bad });
        assert.equal(res.status, 400, bad);
        assert.match(res.text, /id="redirect_uris-error"/);
      }
      const logoutJs = await create(owner.agent, csrfOf(owner.page), { ...FORM, post_logout_redirect_uris: 'javascript:alert(1)' });
      assert.equal(logoutJs.status, 400);
      assert.match(logoutJs.text, /id="post_logout_redirect_uris-error"/);
      const en = await owner.agent.post('/developers/clients?lang=en').type('form').send({ _csrf: csrfOf(owner.page), ...FORM, scopes: ['openid', 'counter:register'] });
      assert.equal(en.status, 400);
      assert.match(en.text, /Choose scopes from the list/);
      // The provider's own schema: private_key_jwt with a JWKS holding a private key.
      const priv = await create(owner.agent, csrfOf(owner.page), { ...FORM, token_endpoint_auth_method: 'private_key_jwt', jwks: JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }) });
      assert.equal(priv.status, 400);
      assert.match(priv.text, /id="jwks-error"/);
      // A NUL or another control character in a field, or in the client id of a URL: a 4xx, nothing stored.
      assert.equal((await create(owner.agent, csrfOf(owner.page), { ...FORM, client_name: 'a\u0000b' })).status, 400);
      const control = await create(owner.agent, csrfOf(owner.page), { ...FORM, client_name: 'a\u0001b' });
      assert.equal(control.status, 400);
      assert.match(control.text, /id="client_name-error"/);
      for (const p of ['/developers/clients/sbx-%00x', '/developers/clients/sbx-%01x', '/developers/try/callback?state=a%00b&code=x', '/developers/try/callback?state=a%01b&code=x']) {
        const res = await owner.agent.get(p);
        assert.ok(res.status >= 400 && res.status < 500, `${p}: ${res.status}`);
      }
      assert.equal(await clientCount(s), before);

      // The owner deletes the client: gone from the provider at once.
      await owner.agent.post(`/developers/clients/${clientId}/delete`).type('form').send({ _csrf: csrfOf(owner.page) }).expect(200);
      assert.equal(await s.db('oidc_models').where({ kind: 'Client', id: clientId }).first(), undefined);
      assert.ok(await s.db('audit_events').where({ action: 'client.remove', client_id: clientId }).first());
    });

    it('a flood of creations stops at the hourly limit, however parallel', async () => {
      const { agent, page } = await openPortal(s, SANDBOX.citizen3);
      const csrf = csrfOf(page);
      const results = await Promise.all(Array.from({ length: MAX_CREATIONS_PER_HOUR + 4 }, () => create(agent, csrf)));
      const ok = results.filter((r) => r.status === 201).length;
      assert.ok(ok <= MAX_CREATIONS_PER_HOUR, `${ok} created`);
      assert.ok(results.some((r) => r.status === 429));
      const owned = await s.db('relying_parties').whereNotNull('owner_account_id').andWhere('owner_account_id', '=',
        s.db('identifiers').where({ type: 'cccd', value: SANDBOX.citizen3.username }).select('account_id'));
      assert.equal(owned.length, ok);
    });
  });

  describe('production mode', () => {
    let s: TestServer;
    let database: Awaited<ReturnType<typeof separateDatabase>>;
    // Production needs PostgreSQL (DATABASE_URL), in the embedded pass too.
    before(async () => {
      database = await separateDatabase('developers');
      s = await startServer({ ...PROD_OK, CAPTCHA: 'on', DATABASE_URL: database.url });
    });
    after(async () => { await s?.close(); await database?.drop(); });

    it('the sandbox-only pages do not exist; requests are filed, and approved or rejected once', async () => {
      const http = supertest(s.issuer);
      for (const p of ['/developers/clients/rp-x/edit', '/developers/clients/rp-x/try']) await http.get(p).expect(404);
      const account = (await s.db('identifiers').where({ type: 'cccd', value: SANDBOX.citizen2.username }).first()) as { account_id: string } | undefined;
      const rps = relyingParties(s.db, { validate: (m) => (s.app.provider.Client as unknown as { validate(m: unknown): Promise<void> }).validate(m) });
      const requester = { kind: 'account' as const, id: account?.account_id ?? (await s.db('accounts').first('id')).id as string };
      const id = await rps.requests.file({ client_name: 'Sở Tư pháp', redirect_uris: ['https://stp.example.gov.vn/cb'], scope: 'openid profile' }, requester);
      assert.equal(await s.db('oidc_models').where({ kind: 'Client' }).andWhereRaw("payload->>'client_name' = ?", ['Sở Tư pháp']).first(), undefined, 'nothing is created');
      const operator = { kind: 'operator' as const, id: 'test' };
      // Two operators approve at once: one client.
      const both = await Promise.allSettled([rps.requests.approve(id, operator), rps.requests.approve(id, operator)]);
      assert.equal(both.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(both.some((r) => r.status === 'rejected' && r.reason instanceof RequestNotPending));
      const approved = (await rps.requests.get(id))!;
      assert.equal(approved.status, 'approved');
      assert.ok(await s.db('oidc_models').where({ kind: 'Client', id: approved.clientId! }).first());
      assert.ok(await s.db('audit_events').where({ action: 'client.request_approve', client_id: approved.clientId! }).first());
      await assert.rejects(rps.requests.reject(id, operator, 'late'), RequestNotPending);
    });

    it('CLI: clients requests list, reject (with a reason) and approve, audited', async function () {
      this.timeout(120_000);
      const rps = relyingParties(s.db, { validate: (m) => (s.app.provider.Client as unknown as { validate(m: unknown): Promise<void> }).validate(m) });
      const requester = { kind: 'account' as const, id: (await s.db('accounts').first('id')).id as string };
      const first = await rps.requests.file({ client_name: 'Sở Y tế', redirect_uris: ['https://syt.example.gov.vn/cb'], scope: 'openid' }, requester);
      const second = await rps.requests.file({ client_name: 'Sở Xây dựng', redirect_uris: ['https://sxd.example.gov.vn/cb'], scope: 'openid' }, requester);
      const cli = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, ...PROD_OK, LOG_LEVEL: 'silent', DATABASE_URL: database.url } });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
        c.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        c.once('exit', (status) => resolve({ status, stdout, stderr }));
      });
      const listed = await cli('clients', 'requests', 'list');
      assert.equal(listed.status, 0, listed.stderr);
      assert.match(listed.stdout, new RegExp(`${first}\tpending\t.*Sở Y tế`));
      assert.equal((await cli('clients', 'requests', 'reject', second)).status, 2, 'a reason is required');
      assert.equal((await cli('clients', 'requests', 'reject', second, '--reason', 'Thiếu công văn')).status, 0);
      const approved = await cli('clients', 'requests', 'approve', first);
      assert.equal(approved.status, 0, approved.stderr);
      const clientId = /client (rp-\S+) created/.exec(approved.stdout)?.[1];
      assert.ok(clientId, approved.stdout);
      assert.match(approved.stdout, /client_secret \(shown once/);
      assert.equal((await rps.requests.get(second))!.reason, 'Thiếu công văn');
      const events = (await s.db('audit_events').whereIn('action', ['client.request_approve', 'client.request_reject']).andWhere({ actor: 'operator:cli' })) as unknown[];
      assert.equal(events.length, 2);
      assert.ok(await s.db('oidc_models').where({ kind: 'Client', id: clientId }).first());
    });
  });
});
