// SIM signing steps: phone → request pushed to the SIM → the page waits (short polling, state in
// the database) → our own verification of the signature over our challenge → log in, link, raise,
// or register.
import { createHash, randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { ConnectorUnavailableError } from '../../connectors/unavailable.ts';
import { verifySignedChallenge } from '../../certificates/verify.ts';
import { audit } from '../../identity/audit.ts';
import { maskPhone, parsePhone } from '../../identity/identifiers/index.ts';
import type { MethodDeps } from '../../interaction/method.ts';
import { accountToRaise, signatureLogin } from '../../interaction/signature-login.ts';
import { deleteFlow, loadFlow, saveFlow } from '../../shared/flows.ts';
import { langOf, translate } from '../../shared/i18n.ts';
import { readSimPushBudgetWith, simPushes, simPushHourlyBudget } from '../../shared/metrics.ts';
import { PushGuard } from './push-guard.ts';

const ID = 'sim';
const AMR = ['hwk', 'pin', 'mca'];
const CREDENTIAL = 'sim';
const WAIT_MS = 3 * 60_000;
// oidc-provider's interaction lifetime (src/provider/configuration.ts): the per-interaction count lives as long.
const INTERACTION_SECONDS = 1800;

interface Waiting { phone: string; dtbs: string; txId: string; code: string; pushId: string; phoneKey: string; stepUpAccountId?: string | undefined }

/** Four digits from the hash being signed (as Estonia's Mobile-ID): the same on page and phone. */
export function verificationCode(dtbs: Uint8Array): string {
  const h = createHash('sha256').update(dtbs).digest();
  return String(h.readUInt16BE(h.length - 2) % 10000).padStart(4, '0');
}

export function mountSim(router: Router, deps: MethodDeps): void {
  const { db, render } = deps;
  const base = `/interaction/:uid/${ID}`;
  const flowId = (uid: string) => `${uid}:${ID}`;
  const here = (uid: string, step = '') => `/interaction/${uid}/${ID}${step}`;

  const sig = signatureLogin(deps);
  const fail = (ctx: Context, uid: string, key: string, status = 400, params: Record<string, number> = {}) => sig.fail(ctx, uid, ID, key, status, params);
  const guard = new PushGuard(db, deps.cfg, INTERACTION_SECONDS);
  readSimPushBudgetWith(() => guard.budgetUsed());
  simPushHourlyBudget.set(deps.cfg.simPushHourlyBudget);

  // A push from an anonymous interaction needs a proof-of-work first (ALTCHA); a signed-in account's
  // step-up or "add a SIM" does not. The seeds show no picture here, so ALTCHA is the only kind.
  const start = async (ctx: Context, uid: string, anonymous: boolean, extra: Record<string, unknown> = {}, status = 200) =>
    render(ctx, 'methods/sim/start', { uid, captcha: anonymous ? await deps.captcha.create(ctx, 'altcha') : undefined, ...extra }, status);

  router.get(base, async (ctx) => {
    const d = await deps.interaction(ctx);
    await start(ctx, d.uid, !accountToRaise(d));
  });

  router.post(base, async (ctx) => {
    const d = await deps.interaction(ctx);
    const body = ctx.request.body as Record<string, unknown>;
    const raw = body.phone;
    const phone = parsePhone(typeof raw === 'string' ? raw : '');
    const stepUpAccountId = accountToRaise(d);
    const errors: Record<string, string> = {};
    if (!phone.ok) errors.phone = `reg.err.phone.${phone.error}`;
    if (!stepUpAccountId && !(await deps.captcha.check(body.captcha_id, body.captcha))) {
      errors.captcha = 'captcha.err.altcha';
      simPushes.inc({ outcome: 'proof' });
    }
    if (!phone.ok || errors.captcha) return start(ctx, d.uid, !stepUpAccountId, { values: { phone: raw }, errors }, 400);
    const admitted = await guard.admit(d.uid, deps.clientIp(ctx), phone.value);
    if (!admitted.ok) {
      ctx.set('retry-after', String(admitted.retryAfter));
      return fail(ctx, d.uid, admitted.key, admitted.status, admitted.params);
    }
    // A fresh challenge per attempt; the SIM signs its SHA-256.
    const dtbs = createHash('sha256').update(randomBytes(32)).digest();
    const code = verificationCode(dtbs);
    const client = await deps.provider.Client.find(String(d.params.client_id));
    const lang = langOf(ctx);
    let txId: string;
    try {
      ({ transactionId: txId } = await deps.connectors.mss.request({
        phone: phone.value, dataToBeSigned: new Uint8Array(dtbs),
        displayText: translate(lang, 'sim.display', { purpose: translate(lang, 'sim.display.login'), client: client?.clientName ?? String(d.params.client_id), code }),
      }));
    } catch (e) {
      await guard.release(admitted.phoneKey);
      if (e instanceof ConnectorUnavailableError) return fail(ctx, d.uid, 'sim.err.unavailable', 503);
      throw e;
    }
    const { pushId, phoneKey } = admitted;
    await saveFlow<Waiting>(db, { id: flowId(d.uid), kind: ID, state: 'waiting', data: { phone: phone.value, dtbs: dtbs.toString('base64'), txId, code, pushId, phoneKey, stepUpAccountId }, expiresAt: new Date(Date.now() + WAIT_MS) });
    await guard.sent(phoneKey, pushId, WAIT_MS / 1000);
    ctx.status = 303;
    ctx.redirect(here(d.uid, '/wait'));
  });

  // Short polling: the page's script asks every two seconds (JSON) and reloads once the phone has
  // answered (a meta refresh only without JavaScript); any node answers from the database.
  router.get(`${base}/wait`, async (ctx) => {
    const d = await deps.interaction(ctx);
    const flow = await loadFlow<Waiting>(db, flowId(d.uid), ID);
    if (!flow || flow.state !== 'waiting') return fail(ctx, d.uid, 'sim.err.expired', 410);
    // A newer request to the same phone (from here or anywhere else) replaced this one; the page's
    // script is only told to reload, the page then says so.
    const wantsJson = ctx.accepts('html', 'json') === 'json';
    if (!(await guard.isCurrent(flow.data.phoneKey, flow.data.pushId))) {
      if (wantsJson) { ctx.set('cache-control', 'no-store'); ctx.body = { pending: false }; return; }
      await deleteFlow(db, flow.id);
      return fail(ctx, d.uid, 'sim.err.superseded', 410);
    }
    let status;
    try {
      status = await deps.connectors.mss.status(flow.data.txId);
    } catch (e) {
      if (e instanceof ConnectorUnavailableError) return fail(ctx, d.uid, 'sim.err.unavailable', 503);
      throw e;
    }
    // The script's question only: the page itself (loaded next) finishes or explains.
    if (wantsJson) { ctx.set('cache-control', 'no-store'); ctx.body = { pending: status.state === 'pending' }; return; }
    if (status.state === 'pending') {
      return render(ctx, 'methods/sim/wait', { uid: d.uid, code: flow.data.code, phone: maskPhone(flow.data.phone) });
    }
    if (status.state !== 'signed') {
      await deleteFlow(db, flow.id);
      await guard.finish(flow.data.phoneKey, flow.data.pushId);
      return fail(ctx, d.uid, `sim.err.${status.state}`, 400);
    }
    // Single use: only the request that clears the phone's outstanding push and deletes the waiting flow goes on.
    if (!(await guard.finish(flow.data.phoneKey, flow.data.pushId))) return fail(ctx, d.uid, 'sim.err.superseded', 410);
    const consumed = await db('flows').where({ id: flow.id, state: 'waiting' }).delete();
    if (consumed !== 1) return fail(ctx, d.uid, 'sim.err.expired', 410);
    const verified = await verifySignedChallenge({
      data: new Uint8Array(Buffer.from(flow.data.dtbs, 'base64')), signature: status.signature, chain: status.certificateChain,
      anchors: deps.trust.anchors, revocation: deps.trust.revocation,
    });
    if (!verified.ok) {
      await audit(db, { action: 'login', ip: deps.clientIp(ctx), method: ID, result: 'failure', details: { reason: verified.error } });
      const known = ['expired', 'not_yet_valid', 'revoked', 'untrusted', 'subject'];
      return fail(ctx, d.uid, `sig.err.cert.${known.includes(verified.error) ? verified.error : 'other'}`, 400);
    }
    const cert = verified.certificate;
    await sig.complete(ctx, d.uid, flow.data.stepUpAccountId, {
      methodId: ID, amr: AMR, credentialType: CREDENTIAL, credentialKey: flow.data.phone, phone: flow.data.phone, identity: verified.identity,
      credentialConfig: { phone: flow.data.phone, serial: cert.serialNumber, issuer: cert.issuer, subject: cert.subject, notAfter: cert.notAfter.toISOString() },
    });
  });

  router.post(`${base}/cancel`, async (ctx) => {
    const d = await deps.interaction(ctx);
    const flow = await loadFlow<Waiting>(db, flowId(d.uid), ID);
    if (flow) await guard.finish(flow.data.phoneKey, flow.data.pushId);
    await deleteFlow(db, flowId(d.uid));
    ctx.status = 303;
    ctx.redirect(`/interaction/${d.uid}`);
  });

  sig.mountRegistration(router, ID);
}
