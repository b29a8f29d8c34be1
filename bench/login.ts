// One whole L1 login as a browser does it, every request timed:
// GET /auth → the login page → POST ID + password → the code page → (the SMS arrives) → POST the code
// → GET /auth/:uid (back with a code) → POST /token. And oidc-provider's own login on the bare target.
import { createHash, randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { Browser, csrfOf, type Answer } from './browser.ts';
import type { SmsInbox } from './sms-gateway.ts';

export const LOGIN_CLIENT = { id: 'bench-login', secret: 'bench-login-secret-0123456789abcdefgh', redirectUri: 'http://127.0.0.1:9/login-cb' };

export const STEPS = ['authorize', 'chooser', 'login_form', 'password', 'otp_page', 'sms_wait', 'otp', 'resume', 'token'] as const;
/** The bare target's login: the same protocol steps, and an interaction that a handler finishes at once. */
export const BARE_STEPS = ['authorize', 'interaction', 'resume', 'token'] as const;
export type Step = (typeof STEPS)[number] | (typeof BARE_STEPS)[number];

/** Called after each step (the bench counts database statements per step with it). */
export type StepHook = (step: Step, ms: number) => void | Promise<void>;

const basic = `Basic ${Buffer.from(`${LOGIN_CLIENT.id}:${LOGIN_CLIENT.secret}`).toString('base64')}`;

function expect(a: Answer, status: number, what: string): Answer {
  // The page's own alert says why (a wrong code, a limit), not its first 160 characters of markup.
  const alert = /role="alert"[^>]*>([^<]+)</.exec(a.text)?.[1];
  if (a.status !== status) throw new Error(`${what}: ${a.status} ${alert ?? a.text.replace(/\s+/g, ' ').slice(0, 160)}`);
  return a;
}

/** The step timer: calls the hook with the time since the last step (the hook's own time excluded). */
function stepper(hook: StepHook) {
  let t = performance.now();
  return async (s: Step) => { const now = performance.now(); await hook(s, now - t); t = performance.now(); };
}

/** GET /auth with PKCE: the browser, the verifier and the interaction's entry URL and uid. */
async function authorize(origin: string, dispatcher: Dispatcher) {
  const b = new Browser(origin, dispatcher);
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL('/auth', origin);
  auth.search = new URLSearchParams({
    client_id: LOGIN_CLIENT.id, response_type: 'code', scope: 'openid', redirect_uri: LOGIN_CLIENT.redirectUri,
    state: randomBytes(8).toString('hex'), nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  }).toString();
  const entry = expect(await b.go('GET', auth.href), 303, 'authorize').location!;
  const uid = /\/interaction\/([^/?]+)/.exec(entry)?.[1];
  if (!uid) throw new Error(`authorize did not lead to an interaction: ${entry}`);
  return { b, verifier, entry, uid };
}

/** GET /auth/:uid (back with a code), then POST /token with the PKCE verifier: an ID token. */
async function resumeAndToken(origin: string, b: Browser, location: string, verifier: string, step: (s: Step) => Promise<void>): Promise<void> {
  const back = expect(await b.go('GET', location), 303, 'resume');
  await step('resume');
  const cb = new URL(back.location!, origin);
  const authCode = cb.searchParams.get('code');
  if (!cb.href.startsWith(LOGIN_CLIENT.redirectUri) || !authCode) throw new Error(`resume led to ${back.location} (consent or an error)`);
  const token = expect(await b.go('POST', '/token', { grant_type: 'authorization_code', code: authCode, redirect_uri: LOGIN_CLIENT.redirectUri, code_verifier: verifier }, { authorization: basic }), 200, 'token');
  if (!(JSON.parse(token.text) as { id_token?: string }).id_token) throw new Error('token response without an ID token');
  await step('token');
}

/** oidc-provider's own login on the bare target: its interaction handler finishes at once (no pages, no password). */
export async function bareLoginOnce(origin: string, dispatcher: Dispatcher, hook: StepHook): Promise<void> {
  const step = stepper(hook);
  const { b, verifier, entry } = await authorize(origin, dispatcher);
  await step('authorize');
  const done = expect(await b.go('GET', entry), 303, 'interaction');
  await step('interaction');
  await resumeAndToken(origin, b, done.location!, verifier, step);
}

export async function loginOnce(origin: string, dispatcher: Dispatcher, inbox: SmsInbox, who: { username: string; password: string; phone: string }, hook: StepHook): Promise<void> {
  const step = stepper(hook);
  const { b, verifier, entry, uid } = await authorize(origin, dispatcher);
  await step('authorize');
  let page = expect(await b.go('GET', entry), 200, 'chooser');
  await step('chooser');
  // The login form may be the first page itself; otherwise the chooser links to it.
  if (!/name="password"/.test(page.text)) {
    page = expect(await b.go('GET', `/interaction/${uid}/password_otp`), 200, 'login form');
    await step('login_form');
  }
  inbox.clear(who.phone);
  const posted = expect(await b.go('POST', `/interaction/${uid}/password_otp`, { _csrf: csrfOf(page.text), username: who.username, password: who.password }), 303, 'password');
  await step('password');
  if (!posted.location?.endsWith('/otp')) throw new Error(`password step led to ${posted.location}`);
  const otpPage = expect(await b.go('GET', posted.location), 200, 'code page');
  await step('otp_page');
  const code = await inbox.codeFor(who.phone);
  await step('sms_wait');
  const done = expect(await b.go('POST', `/interaction/${uid}/password_otp/otp`, { _csrf: csrfOf(otpPage.text), code }), 303, 'code');
  await step('otp');
  await resumeAndToken(origin, b, done.location!, verifier, step);
}
