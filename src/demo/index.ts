// Dịch vụ công mẫu (/demo): a small relying party of our own provider, written as an integrator
// would write one with openid-client: discovery, authorization code + PKCE + state + nonce, the
// ID token's claims, step-up (acr_values / essential acr), max_age, RP-initiated logout and
// back-channel logout. Sandbox only. Its login attempts and sessions are rows in `flows`.
import './messages.ts';
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type * as oidc from 'openid-client';
import { finishLogin, loginErrorOf, logoutUrl, startLogin, type PendingLogin } from '../../examples/node/dvc-login.ts';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import { deleteFlow, loadFlow, saveFlow } from '../shared/flows.ts';
import { vnMinute } from '../shared/vn-time.ts';
import { render } from '../web/render.ts';
import { backchannelRouter, logoutNoticeFor } from './backchannel.ts';
import { claimLines, amrWords } from './claims.ts';
import { DEMO_SCOPE, demoClientMetadata, demoConfiguration, demoUrls } from './client.ts';

/** What each button asks the provider for. */
const ASKS = {
  basic: {},
  acr3: { acr_values: '3' },
  acr3_essential: { claims: JSON.stringify({ id_token: { acr: { essential: true, value: '3' } } }) },
  fresh: { max_age: '0' },
} satisfies Record<string, Record<string, string>>;
type Ask = keyof typeof ASKS;
const isAsk = (v: unknown): v is Ask => typeof v === 'string' && Object.hasOwn(ASKS, v);

interface DemoLogin { pending: PendingLogin; ask: Ask }
interface DemoSession { idToken: string; claims: oidc.IDToken; userinfo: oidc.UserInfoResponse; ask: Ask }

const COOKIE = 'dvc.demo';
const MINUTE = 60_000;

export interface DemoService { pages: Router; backchannel: Router }

/** `register` stores the demo's client metadata with the provider (the composition root owns that). */
export async function demoService(cfg: Config, db: Db, register: (metadata: Record<string, unknown> & { client_id: string }) => Promise<void>): Promise<DemoService> {
  await register(demoClientMetadata(cfg));
  const rp = demoConfiguration(cfg);
  const urls = demoUrls(cfg);
  const r = new Router({ prefix: '/demo' });

  const sessionOf = async (ctx: Context) => {
    const id = ctx.cookies.get(COOKIE, { signed: true });
    return id ? loadFlow<DemoSession>(db, `demo-session:${id}`, 'demo_session') : undefined;
  };

  const home = async (ctx: Context, extra: Record<string, unknown> = {}, status = 200) => {
    const s = await sessionOf(ctx);
    const sid = typeof s?.data.claims.sid === 'string' ? s.data.claims.sid : undefined;
    const notice = sid ? await logoutNoticeFor(db, sid) : undefined;
    if (!s || notice) return render(ctx, 'demo/home', { signedOutAt: notice && vnMinute(new Date(notice.data.at)), ...extra }, status);
    const c = s.data.claims;
    render(ctx, 'demo/home', {
      session: {
        lines: claimLines({ ...s.data.userinfo, ...c }), amr: amrWords(c.amr), ask: s.data.ask, lower: s.data.ask.startsWith('acr3') && c.acr !== '3' ? c.acr : undefined,
        idTokenJson: JSON.stringify(c, null, 2), userinfoJson: JSON.stringify(s.data.userinfo, null, 2),
      },
      ...extra,
    }, status);
  };

  r.get('/', (ctx) => home(ctx));

  r.post('/login', async (ctx) => {
    const ask = (ctx.request.body as Record<string, unknown> | undefined)?.ask ?? 'basic';
    if (!isAsk(ask)) return home(ctx, { problem: 'demo.err.bad_request' }, 400);
    const { url, pending } = await startLogin(await rp(), { redirectUri: urls.callback, scope: DEMO_SCOPE, params: ASKS[ask] });
    await saveFlow<DemoLogin>(db, { id: `demo-login:${pending.state}`, kind: 'demo_login', state: 'start', data: { pending, ask }, expiresAt: new Date(Date.now() + 30 * MINUTE) });
    ctx.status = 303;
    ctx.redirect(url.href);
  });

  r.get('/callback', async (ctx) => {
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const login = state ? await loadFlow<DemoLogin>(db, `demo-login:${state}`, 'demo_login') : undefined;
    if (!login) return home(ctx, { problem: 'demo.err.expired' }, 400);
    await deleteFlow(db, login.id); // a state is used once
    let signedIn;
    try {
      signedIn = await finishLogin(await rp(), new URL(`${urls.callback}?${ctx.querystring}`), login.data.pending);
    } catch (e) {
      // The person declined, or the level asked for could not be reached: the old session (if any) stays.
      const error = loginErrorOf(e)?.error;
      if (!error) throw e;
      const known = ['access_denied', 'unmet_authentication_requirements'].includes(error);
      return home(ctx, { problem: known ? `demo.err.${error}` : 'demo.err.other', problemParams: { error } });
    }
    const { claims, userinfo, idToken } = signedIn;
    const old = ctx.cookies.get(COOKIE, { signed: true });
    if (old) await deleteFlow(db, `demo-session:${old}`);
    const id = randomBytes(18).toString('base64url');
    await saveFlow<DemoSession>(db, { id: `demo-session:${id}`, kind: 'demo_session', state: 'active', data: { idToken, claims, userinfo, ask: login.data.ask }, expiresAt: new Date(Date.now() + 60 * MINUTE) });
    ctx.cookies.set(COOKIE, id, { httpOnly: true, sameSite: 'lax', signed: true, secure: ctx.secure, path: '/demo' });
    ctx.status = 303;
    ctx.redirect('/demo');
  });

  // RP-initiated logout: the provider asks the person, tells us by back-channel, and sends them back here.
  r.post('/logout', async (ctx) => {
    const s = await sessionOf(ctx);
    ctx.status = 303;
    if (!s) return ctx.redirect('/demo');
    ctx.redirect(logoutUrl(await rp(), s.data.idToken, urls.home).href);
  });

  return { pages: r, backchannel: backchannelRouter(db, rp) };
}
