// Signs a person in at a relying party by L1, then opens the account portal in the same browser.
import assert from 'node:assert/strict';
import type { TestServer } from './server.ts';
import { newAgent, loginL1, follow, csrfOf, type Agent, type L1Options } from './browser.ts';
import { startRp, type Rp } from './rp.ts';

export interface PortalVisit { agent: Agent; csrf: string; home: string; rp: Rp; tokens: Awaited<ReturnType<Rp['finish']>>['tokens'] }

export async function openPortal(s: TestServer, rpClient: { client_id: string; client_secret: string }, who: L1Options, agent: Agent = newAgent(s.issuer)): Promise<PortalVisit> {
  const rp = await startRp(s.issuer, rpClient.client_id, rpClient.client_secret);
  const { tokens } = await rp.finish((await loginL1(agent, s.issuer, rp.authUrl, who, { consent: false })).external!);
  const home = await follow(agent, s.issuer, (await agent.get('/account').redirects(0)).headers.location as string);
  assert.ok(home.res, 'the portal page');
  return { agent, csrf: csrfOf(home.res.text), home: home.res.text, rp, tokens };
}

/** Makes the portal's sign-in look an hour old (sensitive pages then ask for a new one). */
export const ageSignIn = (s: TestServer, seconds = 3600) =>
  s.db('flows').where({ kind: 'portal_session' }).update({ data: s.db.raw(`jsonb_set(data, '{authTime}', to_jsonb(extract(epoch from now())::int - ${Number(seconds)}))`) });

export const accountIdOf = async (s: TestServer, type: string, value: string): Promise<string> =>
  ((await s.db('identifiers').where({ type, value }).first()) as { account_id: string }).account_id;
