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

const ID = 'sim';
const AMR = ['hwk', 'pin', 'mca'];
const CREDENTIAL = 'sim';
const WAIT_MS = 3 * 60_000;

interface Waiting { phone: string; dtbs: string; txId: string; code: string; stepUpAccountId?: string | undefined }

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
  const fail = (ctx: Context, uid: string, key: string, status = 400) => sig.fail(ctx, uid, ID, key, status);

  router.get(base, async (ctx) => {
    const d = await deps.interaction(ctx);
    render(ctx, 'methods/sim/start', { uid: d.uid });
  });

  router.post(base, async (ctx) => {
    const d = await deps.interaction(ctx);
    const raw = (ctx.request.body as Record<string, unknown>).phone;
    const phone = parsePhone(typeof raw === 'string' ? raw : '');
    if (!phone.ok) return render(ctx, 'methods/sim/start', { uid: d.uid, values: { phone: raw }, errors: { phone: `reg.err.phone.${phone.error}` } }, 400);
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
      if (e instanceof ConnectorUnavailableError) return fail(ctx, d.uid, 'sim.err.unavailable', 503);
      throw e;
    }
    const stepUpAccountId = accountToRaise(d);
    await saveFlow<Waiting>(db, { id: flowId(d.uid), kind: ID, state: 'waiting', data: { phone: phone.value, dtbs: dtbs.toString('base64'), txId, code, stepUpAccountId }, expiresAt: new Date(Date.now() + WAIT_MS) });
    ctx.status = 303;
    ctx.redirect(here(d.uid, '/wait'));
  });

  // Short polling: the page's script asks every two seconds (JSON) and reloads once the phone has
  // answered (a meta refresh only without JavaScript); any node answers from the database.
  router.get(`${base}/wait`, async (ctx) => {
    const d = await deps.interaction(ctx);
    const flow = await loadFlow<Waiting>(db, flowId(d.uid), ID);
    if (!flow || flow.state !== 'waiting') return fail(ctx, d.uid, 'sim.err.expired', 410);
    let status;
    try {
      status = await deps.connectors.mss.status(flow.data.txId);
    } catch (e) {
      if (e instanceof ConnectorUnavailableError) return fail(ctx, d.uid, 'sim.err.unavailable', 503);
      throw e;
    }
    // The script's question only: the page itself (loaded next) finishes or explains.
    if (ctx.accepts('html', 'json') === 'json') { ctx.set('cache-control', 'no-store'); ctx.body = { pending: status.state === 'pending' }; return; }
    if (status.state === 'pending') {
      return render(ctx, 'methods/sim/wait', { uid: d.uid, code: flow.data.code, phone: maskPhone(flow.data.phone) });
    }
    if (status.state !== 'signed') {
      await deleteFlow(db, flow.id);
      return fail(ctx, d.uid, `sim.err.${status.state}`, 400);
    }
    // Single use: only the request that deletes the waiting flow goes on.
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
    await deleteFlow(db, flowId(d.uid));
    ctx.status = 303;
    ctx.redirect(`/interaction/${d.uid}`);
  });

  sig.mountRegistration(router, ID);
}
