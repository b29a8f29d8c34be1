// /metrics for the operator: off without METRICS_TOKEN, hidden from anyone without it, and counting
// requests by area, audited sign-ins and calls to external systems — with no personal data in labels.
import assert from 'node:assert/strict';
import supertest from 'supertest';
import { loadConfig, ConfigError } from '../../src/config/index.ts';
import { postJson } from '../../src/shared/http-client.ts';
import { startServer, registerClient, SANDBOX, type TestServer } from '../support/server.ts';
import { newAgent, loginL1 } from '../support/browser.ts';
import { startRp, REDIRECT_URI } from '../support/rp.ts';

const TOKEN = 'metrics-token-0123456789abcdef';
const CLIENT = { client_id: 'rp-metrics', client_secret: 'rp-metrics-secret-0123456789abcd', redirect_uris: [REDIRECT_URI], dvc_skip_consent: true };

/** The value of one series in Prometheus text, 0 when absent. */
function valueOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('metrics', () => {
  let s: TestServer;
  before(async () => { s = await startServer({ METRICS_TOKEN: TOKEN }); await registerClient(s.db, CLIENT); });
  after(() => s.close());
  const scrape = async () => (await supertest(s.issuer).get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(200)).text;

  it('answer only the scraper holding the token', async () => {
    await supertest(s.issuer).get('/metrics').expect(404);
    await supertest(s.issuer).get('/metrics').set('authorization', 'Bearer wrong-token-0123456789abc').expect(404);
    const text = await scrape();
    assert.match(text, /^# HELP dvc_http_requests_total/m);
    assert.match(text, /^dvc_process_cpu_user_seconds_total /m);
  });

  it('count a sign-in, its requests by area, and calls to external systems', async () => {
    const before = await scrape();
    const loginSeries = 'dvc_audited_actions_total{action="login",method="password_otp",result="success"}';
    const tokenSeries = 'dvc_http_requests_total{area="token",method="POST",status="2xx"}';
    const rp = await startRp(s.issuer, CLIENT.client_id, CLIENT.client_secret);
    await rp.finish((await loginL1(newAgent(s.issuer), s.issuer, rp.authUrl, SANDBOX.citizen2, { consent: false })).external!);
    await assert.rejects(postJson({ upstream: 'carrier', url: 'http://127.0.0.1:9/unreachable', body: {}, timeoutMs: 500, retries: 0 }));
    const after = await scrape();
    assert.equal(valueOf(after, loginSeries) - valueOf(before, loginSeries), 1);
    assert.equal(valueOf(after, tokenSeries) - valueOf(before, tokenSeries), 1);
    assert.ok(valueOf(after, 'dvc_http_request_duration_seconds_count{area="interaction"}') > valueOf(before, 'dvc_http_request_duration_seconds_count{area="interaction"}'));
    const down = 'dvc_upstream_calls_total{upstream="carrier",outcome="unavailable"}';
    assert.equal(valueOf(after, down) - valueOf(before, down), 1);
    assert.doesNotMatch(after, /001099012345|912345228/, 'no personal numbers in metrics');
  });

  it('are off without METRICS_TOKEN, and a short token is refused at start', async () => {
    const other = await startServer({}, { keepData: true });
    try {
      await supertest(other.issuer).get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(404);
    } finally {
      await other.close();
    }
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), (e: unknown) => e instanceof ConfigError && e.key === 'METRICS_TOKEN');
  });
});
