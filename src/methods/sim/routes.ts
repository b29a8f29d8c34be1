// SIM signing steps: phone → request pushed to the SIM → the page waits (short polling, state in
// the database) → our own verification of the signature over our challenge → log in, link, raise,
// or register.
import { createHash, randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { ConnectorUnavailableError } from '../../connectors/unavailable.ts';
import { verifySignedChallenge } from '../../certificates/verify.ts';
import type { CertIdentity } from '../../certificates/subject.ts';
import { findAccount, findAccountIdByIdentifier, setLevel, type Account } from '../../identity/accounts.ts';
import { audit } from '../../identity/audit.ts';
import { createAccount } from '../../identity/create-account.ts';
import { addCredential, findCredentialByIdentifier } from '../../identity/credentials.ts';
import { maskId, maskPhone, parseEmail, parsePhone } from '../../identity/identifiers/index.ts';
import type { MethodDeps } from '../../interaction/method.ts';
import { deleteFlow, loadFlow, saveFlow } from '../../shared/flows.ts';
import { langOf, translate } from '../../shared/i18n.ts';

const ID = 'sim';
const AMR = ['hwk', 'pin', 'mca'];
const CREDENTIAL = 'sim';
const WAIT_MS = 3 * 60_000;

interface Waiting { phone: string; dtbs: string; txId: string; code: string; stepUpAccountId?: string | undefined }
interface Registering { phone: string; identity: CertIdentity; cert: SimCredential }
export interface SimCredential { phone: string; serial: string; issuer: string; subject: string; notAfter: string }

/** Four digits from the hash being signed (as Estonia's Mobile-ID): the same on page and phone. */
export function verificationCode(dtbs: Uint8Array): string {
  const h = createHash('sha256').update(dtbs).digest();
  return String(h.readUInt16BE(h.length - 2) % 10000).padStart(4, '0');
}

function matches(account: Account, id: CertIdentity): boolean {
  if (id.kind === 'citizen') return account.identifiers.some((i) => (i.type === 'cccd' || i.type === 'cmnd') && i.value === id.idNumber);
  return account.identifiers.some((i) => i.type === 'mst' && i.value === id.taxCode);
}

export function mountSim(router: Router, deps: MethodDeps): void {
  const { db, render } = deps;
  const base = `/interaction/:uid/${ID}`;
  const flowId = (uid: string) => `${uid}:${ID}`;
  const here = (uid: string, step = '') => `/interaction/${uid}/${ID}${step}`;

  const fail = (ctx: Context, uid: string, key: string, status = 400) =>
    render(ctx, 'methods/sim/error', { uid, messageKey: key, retryHref: here(uid) }, status);

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
    const stepUpAccountId = d.session?.accountId && d.prompt.reasons.includes('acr_below') ? d.session.accountId : undefined;
    await saveFlow<Waiting>(db, { id: flowId(d.uid), kind: ID, state: 'waiting', data: { phone: phone.value, dtbs: dtbs.toString('base64'), txId, code, stepUpAccountId }, expiresAt: new Date(Date.now() + WAIT_MS) });
    ctx.status = 303;
    ctx.redirect(here(d.uid, '/wait'));
  });

  // Short polling: the page reloads itself every two seconds; any node answers from the database.
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
      return fail(ctx, d.uid, `sim.err.cert.${known.includes(verified.error) ? verified.error : 'other'}`, 400);
    }
    const cert = verified.certificate;
    const credential: SimCredential = { phone: flow.data.phone, serial: cert.serialNumber, issuer: cert.issuer, subject: cert.subject, notAfter: cert.notAfter.toISOString() };
    const identity = verified.identity;

    let accountId: string | undefined;
    if (flow.data.stepUpAccountId) {
      const account = await findAccount(db, flow.data.stepUpAccountId);
      if (!account || !matches(account, identity)) {
        await audit(db, { action: 'stepup', accountId: flow.data.stepUpAccountId, ip: deps.clientIp(ctx), method: ID, result: 'failure', details: { reason: 'other_person' } });
        return fail(ctx, d.uid, 'sim.err.other_person', 403);
      }
      accountId = account.id;
    } else {
      accountId = identity.kind === 'citizen'
        ? await findAccountIdByIdentifier(db, identity.idType, identity.idNumber)
        : await findAccountIdByIdentifier(db, 'mst', identity.taxCode);
    }
    if (!accountId) {
      await saveFlow<Registering>(db, { id: flowId(d.uid), kind: ID, state: 'register', data: { phone: flow.data.phone, identity, cert: credential }, expiresAt: new Date(Date.now() + 15 * 60_000) });
      ctx.status = 303;
      return ctx.redirect(here(d.uid, '/register'));
    }
    const linked = await linkAndRaise(ctx, accountId, credential);
    if (!linked) return fail(ctx, d.uid, 'sim.err.linked_elsewhere', 409);
    await deps.finishLogin(ctx, { accountId, methodId: ID, amr: AMR });
  });

  /** Links the SIM to the account (once) and raises a level-2 account to 3 — audited. */
  const linkAndRaise = async (ctx: Context, accountId: string, c: SimCredential): Promise<boolean> => {
    const existing = await findCredentialByIdentifier(db, CREDENTIAL, c.phone);
    if (existing && existing.accountId !== accountId) return false;
    const account = (await findAccount(db, accountId))!;
    await db.transaction(async (trx) => {
      if (!existing) await addCredential(trx, accountId, CREDENTIAL, c, [c.phone]);
      if (account.level < 3) await setLevel(trx, accountId, 3);
    });
    if (!existing) await audit(db, { action: 'credential.add', accountId, ip: deps.clientIp(ctx), method: ID, result: 'success', details: { serial: c.serial } });
    if (account.level < 3) await audit(db, { action: 'account.level_raised', accountId, ip: deps.clientIp(ctx), method: ID, result: 'success', details: { from: account.level, to: 3, serial: c.serial, issuer: c.issuer } });
    return true;
  };

  router.post(`${base}/cancel`, async (ctx) => {
    const d = await deps.interaction(ctx);
    await deleteFlow(db, flowId(d.uid));
    ctx.status = 303;
    ctx.redirect(`/interaction/${d.uid}`);
  });

  // R3: no account has this identity yet — show what the certificate says, ask for an email.
  const registerPage = (ctx: Context, uid: string, data: Registering, extra: Record<string, unknown> = {}, status = 200) => {
    const id = data.identity;
    render(ctx, 'methods/sim/register', {
      uid, enterprise: id.kind === 'enterprise', name: id.kind === 'citizen' ? id.fullName : id.fullName, org: id.kind === 'enterprise' ? id.organisationName : undefined,
      idMasked: id.kind === 'citizen' ? maskId(id.idNumber) : undefined, mst: id.kind === 'enterprise' ? id.taxCode : undefined, ...extra,
    }, status);
  };
  const registering = async (ctx: Context) => {
    const d = await deps.interaction(ctx);
    const flow = await loadFlow<Registering>(db, flowId(d.uid), ID);
    return { d, flow: flow?.state === 'register' ? flow : undefined };
  };
  router.get(`${base}/register`, async (ctx) => {
    const { d, flow } = await registering(ctx);
    if (!flow) return fail(ctx, d.uid, 'sim.err.expired', 410);
    registerPage(ctx, d.uid, flow.data);
  });
  router.post(`${base}/register`, async (ctx) => {
    const { d, flow } = await registering(ctx);
    if (!flow) return fail(ctx, d.uid, 'sim.err.expired', 410);
    const raw = String((ctx.request.body as Record<string, unknown>).email ?? '').trim();
    const enterprise = flow.data.identity.kind === 'enterprise';
    const email = raw ? parseEmail(raw) : undefined;
    if ((enterprise && !raw) || (email && !email.ok)) {
      return registerPage(ctx, d.uid, flow.data, { values: { email: raw }, errors: { email: raw ? 'reg.err.email.format' : 'sim.err.email.required' } }, 400);
    }
    const id = flow.data.identity;
    const created = await createAccount(db, {
      subjectType: id.kind, level: 3, birthdateOptional: true, phone: flow.data.phone, email: email?.ok ? email.value : undefined,
      ...(id.kind === 'citizen' ? { fullName: id.fullName, [id.idType]: id.idNumber } : { fullName: id.fullName, mst: id.taxCode, organisationName: id.organisationName }),
      credentials: [{ type: CREDENTIAL, config: flow.data.cert, identifiers: [flow.data.phone] }],
    });
    if (!created.ok) {
      if (created.errors.some((e) => e.error === 'duplicate')) return render(ctx, 'register/duplicate', { uid: d.uid, forgotHref: `/interaction/${d.uid}/forgot` }, 409);
      throw new Error(`SIM registration produced invalid data: ${created.errors.map((e) => e.field).join(',')}`);
    }
    await deleteFlow(db, flow.id);
    await audit(db, { action: 'account.register', accountId: created.accountId, ip: deps.clientIp(ctx), method: ID, result: 'success', details: { serial: flow.data.cert.serial } });
    await deps.finishLogin(ctx, { accountId: created.accountId, methodId: ID, amr: AMR });
  });
}
