// Staff of the console in tests: roles given as the CLI gives them, and a sign-in at /admin with the
// SIM signature (amr hwk) through the real pages and the sandbox phone.
import assert from 'node:assert/strict';
import { grantRole, type Role } from '../../src/admin/staff.ts';
import { newAgent, follow, csrfOf, type Agent } from '../support/browser.ts';
import { approveOnPhone } from '../support/phone.ts';
import { accountIdOf } from '../support/portal.ts';
import { SANDBOX, type TestServer } from '../support/server.ts';

/** The sandbox level-3 citizen (who holds a SIM signature) is the staff member of these tests. */
export const STAFF = { cccd: SANDBOX.citizen3.username, phone: SANDBOX.citizen3.phone, staffId: 'HT-0001', office: 'HN-CAU-GIAY' };

/** Sets exactly these roles (none: not staff at all). */
export async function setRoles(s: TestServer, roles: Role[]): Promise<string> {
  const accountId = await accountIdOf(s, 'cccd', STAFF.cccd);
  await s.db('staff_members').where({ account_id: accountId }).delete();
  for (const role of roles) await grantRole(s.db, { accountId, staffId: STAFF.staffId, office: STAFF.office }, role);
  return accountId;
}

/** Opens `path` under /admin and signs in with the SIM; returns the agent and the page it lands on. */
export async function signInStaff(s: TestServer, path = '/admin', agent: Agent = newAgent(s.issuer)) {
  const start = await agent.get(path).redirects(0);
  assert.equal(start.status, 302, `a sign-in is asked for: ${start.status}`);
  const first = await follow(agent, s.issuer, start.headers.location as string);
  const uid = /\/interaction\/([^/?]+)/.exec(first.url!)![1]!;
  const form = await agent.get(`/interaction/${uid}/sim`).expect(200);
  await agent.post(`/interaction/${uid}/sim`).type('form').send({ _csrf: csrfOf(form.text), phone: STAFF.phone }).expect(303);
  assert.equal((await approveOnPhone(s.issuer, STAFF.phone)).result, 'signed');
  const done = await agent.get(`/interaction/${uid}/sim/wait`).redirects(0);
  assert.equal(done.status, 303);
  const end = await follow(agent, s.issuer, done.headers.location as string);
  assert.ok(end.res, 'back on the console');
  return { agent, res: end.res, url: end.url! };
}
