// USB steps: the page gets a fresh challenge, its script asks the local agent to sign it, and
// posts the signature and chain here; we verify everything ourselves (single-use challenge).
import { createHash, randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import { verifySignedChallenge } from '../../certificates/verify.ts';
import { audit } from '../../identity/audit.ts';
import type { MethodDeps } from '../../interaction/method.ts';
import { accountToRaise, signatureLogin } from '../../interaction/signature-login.ts';
import { saveFlow } from '../../shared/flows.ts';
import { summariseCertificate } from '../../certificates/subject.ts';
import { x509 } from '../../certificates/x509.ts';
import { vnDate } from '../../shared/vn-time.ts';
import Bowser from 'bowser';

const ID = 'usb';
const AMR = ['hwk', 'pin', 'sc'];
const CREDENTIAL = 'usb_certificate';
interface Pending { challenge: string; stepUpAccountId?: string | undefined }

export function mountUsb(router: Router, deps: MethodDeps): void {
  const { db, render, cfg } = deps;
  const sig = signatureLogin(deps);
  const base = `/interaction/:uid/${ID}`;
  const flowId = (uid: string) => `${uid}:${ID}`;
  // The page's script may talk to the loopback agent, and to nothing else.
  const csp = `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${cfg.usbAgentUrl}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`;

  router.get(base, async (ctx) => {
    const d = await deps.interaction(ctx);
    const challenge = randomBytes(32).toString('base64');
    const stepUpAccountId = accountToRaise(d);
    // A new page load makes a new challenge: only the latest one can be used, and only once.
    await saveFlow<Pending>(db, { id: flowId(d.uid), kind: ID, state: 'challenge', data: { challenge, stepUpAccountId }, expiresAt: new Date(Date.now() + 10 * 60_000) });
    ctx.set('content-security-policy', csp);
    const ua = ctx.get('user-agent');
    const device = ua ? Bowser.parse(ua).platform.type : undefined;
    render(ctx, 'methods/usb/start', {
      uid: d.uid, challenge, agentUrl: cfg.usbAgentUrl, downloads: cfg.usbPluginDownloads, sandbox: cfg.sandbox,
      // A USB token needs a computer: say so before the person tries on a phone or tablet.
      onPhone: device === 'mobile' || device === 'tablet',
    });
  });

  // The page lists the agent's certificates in people's words (holder, masked ID, issuer, validity),
  // read from the ASN.1 here rather than from a DN string in the browser. Reads nothing stored.
  router.post(`${base}/describe`, async (ctx) => {
    await deps.interaction(ctx);
    const pems = (ctx.request.body as Record<string, unknown>).certificates;
    if (!Array.isArray(pems) || pems.length > 20 || !pems.every((c) => typeof c === 'string' && c.length < 20000)) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request' };
      return;
    }
    ctx.set('cache-control', 'no-store');
    ctx.body = pems.map((pem) => {
      try {
        const s = summariseCertificate(new x509.X509Certificate(pem));
        return { ...s, validUntil: vnDate(new Date(s.notAfter)) };
      } catch {
        return null;
      }
    });
  });

  router.post(base, async (ctx) => {
    const d = await deps.interaction(ctx);
    const body = ctx.request.body as Record<string, unknown>;
    // Single use: the challenge is taken out of the database by exactly one request.
    const rows = await db('flows').where({ id: flowId(d.uid), kind: ID }).andWhere('expires_at', '>', db.fn.now()).delete().returning(['data']) as { data: Pending }[];
    const pending = rows[0]?.data;
    if (!pending) return sig.fail(ctx, d.uid, ID, 'sig.err.expired', 410);
    let chain: string[];
    let signature: Uint8Array;
    try {
      chain = JSON.parse(String(body.chain ?? '')) as string[];
      if (!Array.isArray(chain) || !chain.length || !chain.every((c) => typeof c === 'string' && c.length < 20000)) throw new Error('chain');
      if (typeof body.signature !== 'string' || !/^[A-Za-z0-9+/=]{16,2048}$/.test(body.signature)) throw new Error('signature');
      signature = new Uint8Array(Buffer.from(body.signature, 'base64'));
    } catch {
      return sig.fail(ctx, d.uid, ID, 'usb.err.bad_submission', 400);
    }
    const verified = await verifySignedChallenge({
      data: new Uint8Array(Buffer.from(pending.challenge, 'base64')), signature, chain, anchors: deps.trust.anchors, revocation: deps.trust.revocation,
    });
    if (!verified.ok) {
      await audit(db, { action: 'login', ip: deps.clientIp(ctx), method: ID, result: 'failure', details: { reason: verified.error } });
      const known = ['expired', 'not_yet_valid', 'revoked', 'untrusted', 'subject'];
      return sig.fail(ctx, d.uid, ID, `sig.err.cert.${known.includes(verified.error) ? verified.error : 'other'}`, 400);
    }
    const cert = verified.certificate;
    // A renewed certificate (new serial, same identity) is a new credential of the same account.
    const fingerprint = createHash('sha256').update(Buffer.from(cert.rawData)).digest('hex');
    await sig.complete(ctx, d.uid, pending.stepUpAccountId, {
      methodId: ID, amr: AMR, credentialType: CREDENTIAL, credentialKey: fingerprint, identity: verified.identity,
      credentialConfig: { fingerprint, serial: cert.serialNumber, issuer: cert.issuer, subject: cert.subject, notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString() },
    });
  });

  sig.mountRegistration(router, ID);
}
