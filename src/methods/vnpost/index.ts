// L4: sign in with an account issued by Vietnam Post (we are the relying party of its provider).
// acr = min(account level, Vietnam Post's assertion mapped to our scale, 3); amr includes "fed".
import type Router from '@koa/router';
import type { Context } from 'koa';
import { ConnectorUnavailableError } from '../../connectors/unavailable.ts';
import { UpstreamRefusedError } from '../../connectors/vnpost/port.ts';
import { findAccount, findAccountIdByIdentifier } from '../../identity/accounts.ts';
import { audit } from '../../identity/audit.ts';
import { createAccount } from '../../identity/create-account.ts';
import { addCredential, findCredentialByIdentifier } from '../../identity/credentials.ts';
import { formatDateVn, parsePersonalId } from '../../identity/identifiers/index.ts';
import { defineMethod, type MethodDeps } from '../../interaction/method.ts';
import { loadFlow, saveFlow, takeFlow } from '../../shared/flows.ts';
import { addMessages } from '../../shared/i18n.ts';

const ID = 'vnpost';
const CREDENTIAL = 'vnpost_federation';
interface Pending { uid: string; nonce: string; verifier: string }

addMessages({
  'vnpost.err.title': { vi: 'Chưa đăng nhập được bằng tài khoản Bưu điện', en: 'Could not sign in with Vietnam Post' },
  'vnpost.err.unavailable': { vi: 'Hệ thống của Bưu điện Việt Nam đang gián đoạn. Vui lòng thử lại sau ít phút hoặc chọn phương thức khác.', en: "Vietnam Post's sign-in service is unavailable. Please try again in a few minutes or choose another method." },
  'vnpost.err.refused': { vi: 'Bưu điện Việt Nam không xác nhận việc đăng nhập (bạn đã huỷ hoặc có lỗi). Vui lòng thử lại.', en: 'Vietnam Post did not confirm the sign-in (cancelled or failed). Please try again.' },
  'vnpost.err.acr_too_low': { vi: 'Tài khoản Bưu điện của bạn chưa được xác thực đủ mức để đăng nhập Cổng Dịch vụ công. Vui lòng đến bưu cục để xác thực trực tiếp.', en: 'Your Vietnam Post account is not verified to the level the portal needs. Please visit a post office to be verified in person.' },
  'vnpost.err.no_id': { vi: 'Tài khoản Bưu điện chưa có số định danh hợp lệ nên không thể liên kết.', en: 'The Vietnam Post account carries no valid ID number, so it cannot be linked.' },
  'vnpost.err.conflict': { vi: 'Số định danh của tài khoản Bưu điện này đã gắn với một tài khoản khác trên Cổng. Vui lòng liên hệ tổng đài 18001096 để được hỗ trợ.', en: 'The ID number of this Vietnam Post account belongs to another portal account. Please call 18001096 for help.' },
  'vnpost.err.no_account': { vi: 'Chưa có tài khoản Cổng Dịch vụ công với số định danh này. Vui lòng đăng ký trước.', en: 'No portal account has this ID number yet. Please register first.' },
  'vnpost.err.expired': { vi: 'Phiên đăng nhập đã hết hạn. Vui lòng thử lại.', en: 'This sign-in has expired. Please try again.' },
});

function mount(router: Router, deps: MethodDeps): void {
  const { db, render, cfg } = deps;
  const fail = (ctx: Context, uid: string, key: string, status: number) =>
    render(ctx, 'signature/error', { uid, titleKey: 'vnpost.err.title', messageKey: key, retryHref: `/interaction/${uid}/${ID}` }, status);

  router.get(`/interaction/:uid/${ID}`, async (ctx) => {
    const d = await deps.interaction(ctx);
    let start;
    try {
      start = await deps.connectors.vnpost.begin();
    } catch (e) {
      if (e instanceof ConnectorUnavailableError) return fail(ctx, d.uid, 'vnpost.err.unavailable', 503);
      throw e;
    }
    await saveFlow<Pending>(db, { id: `${ID}:${start.state}`, kind: ID, state: 'upstream', data: { uid: d.uid, nonce: start.nonce, verifier: start.verifier }, expiresAt: new Date(Date.now() + 10 * 60_000) });
    ctx.status = 303;
    ctx.redirect(start.url);
  });

  // Vietnam Post's redirect lands outside /interaction/<uid>, where our interaction cookie is not
  // sent: find the interaction from `state` and hop to a route under its path.
  router.get('/federation/vnpost/callback', async (ctx) => {
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const flow = state ? await loadFlow<Pending>(db, `${ID}:${state}`, ID) : undefined;
    if (!flow) return render(ctx, 'error', { messageKey: 'error.session_expired' }, 400);
    ctx.status = 303;
    ctx.redirect(`/interaction/${flow.data.uid}/${ID}/finish?${ctx.querystring}`);
  });

  router.get(`/interaction/:uid/${ID}/finish`, async (ctx) => {
    const d = await deps.interaction(ctx);
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const flow = state ? await loadFlow<Pending>(db, `${ID}:${state}`, ID) : undefined;
    if (!flow || flow.data.uid !== d.uid) return fail(ctx, d.uid, 'vnpost.err.expired', 410);
    // Single use: only the request that deletes the state goes on to Vietnam Post.
    if (!(await takeFlow(db, flow.id))) return fail(ctx, d.uid, 'vnpost.err.expired', 410);
    let who;
    try {
      who = await deps.connectors.vnpost.finish(new URL(`${cfg.issuer}/federation/vnpost/callback?${ctx.querystring}`), { state, nonce: flow.data.nonce, verifier: flow.data.verifier });
    } catch (e) {
      if (e instanceof ConnectorUnavailableError) return fail(ctx, d.uid, 'vnpost.err.unavailable', 503);
      if (e instanceof UpstreamRefusedError) return fail(ctx, d.uid, 'vnpost.err.refused', 400);
      throw e;
    }
    const level = who.acr ? cfg.vnpostAcrMap[who.acr] : undefined;
    const ip = deps.clientIp(ctx);
    if (!level) {
      await audit(db, { action: 'login', ip, method: ID, result: 'failure', details: { reason: 'acr_too_low' } });
      return fail(ctx, d.uid, 'vnpost.err.acr_too_low', 403);
    }
    const person = parsePersonalId(who.nationalId ?? '');
    if (!person.ok) return fail(ctx, d.uid, 'vnpost.err.no_id', 400);

    // Linked before → that account; else by ID number; else (configurable) a new account at Vietnam Post's level.
    const linked = await findCredentialByIdentifier(db, CREDENTIAL, who.sub);
    const byId = await findAccountIdByIdentifier(db, person.value.type, person.value.value);
    if (linked && byId && linked.accountId !== byId) return fail(ctx, d.uid, 'vnpost.err.conflict', 409);
    let accountId = linked?.accountId ?? byId;
    if (accountId && !linked) {
      const other = await db('credentials').where({ account_id: accountId, type: CREDENTIAL }).first('id');
      if (other) return fail(ctx, d.uid, 'vnpost.err.conflict', 409);
      await db.transaction((trx) => addCredential(trx, accountId!, CREDENTIAL, { sub: who.sub, issuer: 'vnpost' }, [who.sub]));
      await audit(db, { action: 'credential.add', accountId, ip, method: ID, result: 'success' });
    }
    if (!accountId) {
      if (!cfg.vnpostCreateAccounts) return fail(ctx, d.uid, 'vnpost.err.no_account', 404);
      const created = await createAccount(db, {
        subjectType: 'citizen', level, fullName: who.name, birthdate: who.birthdate ? formatDateVn(who.birthdate) : undefined, birthdateOptional: true,
        [person.value.type]: person.value.value, phone: who.phone, phoneOptional: !who.phone,
        credentials: [{ type: CREDENTIAL, config: { sub: who.sub, issuer: 'vnpost' }, identifiers: [who.sub] }],
      });
      if (!created.ok) return fail(ctx, d.uid, 'vnpost.err.conflict', 409);
      accountId = created.accountId;
      await audit(db, { action: 'account.register', accountId, ip, method: ID, result: 'success', details: { level } });
    }
    const account = await findAccount(db, accountId);
    if (!account) return fail(ctx, d.uid, 'vnpost.err.expired', 410);
    await deps.finishLogin(ctx, { accountId, methodId: ID, amr: ['fed'], acrCeiling: level });
  });
}

export const vnpostMethod = defineMethod({
  id: ID,
  label: { vi: 'Tài khoản cấp bởi Bưu điện Việt Nam', en: 'Account issued by Vietnam Post' },
  hint: { vi: 'Đăng nhập bằng tài khoản do Bưu điện Việt Nam cấp', en: 'Sign in with the account Vietnam Post gave you' },
  purposes: ['login'],
  subjectTypes: ['citizen'],
  ceiling: 3,
  amr: ['fed'],
  requiresKnownAccount: false,
  credentials: [{ type: CREDENTIAL, label: { vi: 'Tài khoản Bưu điện Việt Nam', en: 'Vietnam Post account' }, signsIn: true }],
  mount,
});
