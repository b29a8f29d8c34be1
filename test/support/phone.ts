// Drives the sandbox simulated phone over HTTP, as a person holding the SIM would.
import assert from 'node:assert/strict';
import { newAgent, csrfOf } from './browser.ts';

export interface PhoneRequest { id: string; display: string }

export async function pendingOn(issuer: string, phone: string): Promise<PhoneRequest[]> {
  const res = await newAgent(issuer).get(`/sandbox/phone?phone=${encodeURIComponent(phone)}`).set('accept', 'application/json').expect(200);
  return res.body as PhoneRequest[];
}

async function act(issuer: string, phone: string, what: 'approve' | 'refuse', pin = '') {
  const agent = newAgent(issuer);
  const page = await agent.get(`/sandbox/phone?phone=${encodeURIComponent(phone)}`).expect(200);
  const [req] = await pendingOn(issuer, phone);
  assert.ok(req, `a request is pending on ${phone}`);
  const res = await agent.post(`/sandbox/phone/${req.id}/${what}`).set('accept', 'application/json').type('form').send({ _csrf: csrfOf(page.text), pin, phone }).expect(200);
  return { request: req, result: (res.body as { result: string }).result };
}

export const approveOnPhone = (issuer: string, phone: string, pin = '1234') => act(issuer, phone, 'approve', pin);
export const refuseOnPhone = (issuer: string, phone: string) => act(issuer, phone, 'refuse');
