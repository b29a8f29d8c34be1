// A scripted user agent over HTTP (cookies kept by supertest's agent): fills our real forms.
import assert from 'node:assert/strict';
import supertest from 'supertest';

export type Agent = ReturnType<typeof supertest.agent>;

export function newAgent(issuer: string): Agent {
  return supertest.agent(issuer);
}

export function pathOf(url: string): string {
  const u = new URL(url, 'http://x');
  return u.pathname + u.search;
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(m, 'page has a CSRF token');
  return m[1]!;
}

export async function latestOtp(agent: Agent, phone: string): Promise<string> {
  const res = await agent.get(`/sandbox/sms?to=${encodeURIComponent(phone)}`).set('accept', 'application/json').expect(200);
  const text = (res.body as { text: string }[])[0]?.text ?? '';
  const m = /(\d{6})/.exec(text);
  assert.ok(m, `an OTP was sent to ${phone}`);
  return m[1]!;
}

/** Follows redirects on our own origin; returns the first URL outside it (the RP callback) or the last response. */
export async function follow(agent: Agent, issuer: string, location: string) {
  let loc = location;
  for (let i = 0; i < 10; i++) {
    if (!loc.startsWith('/') && !loc.startsWith(issuer)) return { external: loc };
    const res = await agent.get(pathOf(loc)).redirects(0);
    if (res.status >= 300 && res.status < 400) { loc = res.headers.location as string; continue; }
    return { res, url: loc };
  }
  throw new Error('too many redirects');
}

export interface L1Options { username: string; password: string; phone: string }

/** Starts at the authorization URL and signs in by L1; returns where the provider sent the browser. */
export async function loginL1(agent: Agent, issuer: string, authUrl: string, who: L1Options, opts: { consent?: boolean } = {}) {
  const first = await follow(agent, issuer, authUrl);
  assert.ok(first.res, 'the provider shows a page');
  const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
  const form = await agent.get(`/interaction/${uid}/password_otp`).expect(200);
  const posted = await agent.post(`/interaction/${uid}/password_otp`).type('form')
    .send({ _csrf: csrfOf(form.text), username: who.username, password: who.password }).redirects(0);
  assert.equal(posted.status, 303, `login form accepted: ${posted.text.slice(0, 300)}`);
  const otpPage = await agent.get(`/interaction/${uid}/password_otp/otp`).expect(200);
  const code = await latestOtp(agent, who.phone);
  const done = await agent.post(`/interaction/${uid}/password_otp/otp`).type('form').send({ _csrf: csrfOf(otpPage.text), code }).redirects(0);
  assert.equal(done.status, 303, `OTP accepted: ${done.text.slice(0, 300)}`);
  let next = await follow(agent, issuer, done.headers.location as string);
  if (next.res && /\/interaction\/[^/]+$/.test(pathOf(next.url!).split('?')[0]!) && /consent|Chia sẻ/.test(next.res.text) && opts.consent !== false) {
    const cuid = /\/interaction\/([^/?]+)/.exec(next.url!)![1]!;
    const ok = await agent.post(`/interaction/${cuid}/confirm`).type('form').send({ _csrf: csrfOf(next.res.text) }).redirects(0);
    next = await follow(agent, issuer, ok.headers.location as string);
  }
  return next;
}
