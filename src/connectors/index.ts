// Builds every connector from config: sandbox implementations or the real network ones.
import { readFileSync } from 'node:fs';
import { readSandboxJson, type Config } from '../config/index.ts';
import type { Db } from '../db/knex.ts';
import { createSmsGateway, type SmsGateway } from './sms/index.ts';
import { createEmailGateway, type EmailGateway } from './email/index.ts';
import type { CarrierPort } from './carrier/port.ts';
import { SandboxCarrier, type SandboxSubscriber } from './carrier/sandbox.ts';
import { HttpCarrier } from './carrier/http.ts';
import type { BhxhPort, InsuredPerson } from './bhxh/port.ts';
import { SandboxBhxh } from './bhxh/sandbox.ts';
import { HttpBhxh } from './bhxh/http.ts';

import type { MobileSignaturePort } from './mobile_signature/port.ts';
import { SandboxMobileSignature, type SandboxSimSubscriber } from './mobile_signature/sandbox.ts';
import { HttpMobileSignature } from './mobile_signature/http.ts';

import type { FederationPort } from './vnpost/port.ts';
import { OidcFederation } from './vnpost/oidc.ts';

export interface Connectors { sms: SmsGateway; email: EmailGateway; carrier: CarrierPort; bhxh: BhxhPort; mss: MobileSignaturePort; vnpost: FederationPort }

export function createConnectors(cfg: Config, db: Db, overrides: Partial<Connectors> = {}): Connectors {
  const http = { timeoutMs: cfg.connectorTimeoutMs, retries: cfg.connectorRetries };
  const carrier = (): CarrierPort => {
    if (cfg.carrierConnector === 'http') return new HttpCarrier({ url: cfg.carrierUrl!, token: cfg.carrierToken, ...http });
    const f = readSandboxJson<{ subscribers: SandboxSubscriber[]; unavailable: string[] }>(cfg, 'carrier.json');
    return new SandboxCarrier(f.subscribers, f.unavailable);
  };
  const bhxh = (): BhxhPort => {
    if (cfg.bhxhConnector === 'http') return new HttpBhxh({ url: cfg.bhxhUrl!, token: cfg.bhxhToken, ...http });
    const f = readSandboxJson<{ people: InsuredPerson[]; unavailable: string[] }>(cfg, 'bhxh.json');
    return new SandboxBhxh(f.people, f.unavailable);
  };
  const mss = (): MobileSignaturePort => {
    if (cfg.mssConnector === 'http') return new HttpMobileSignature({ url: cfg.mssUrl!, token: cfg.mssToken, ...http });
    const f = readSandboxJson<{ subscribers: SandboxSimSubscriber[]; unavailable: string[] }>(cfg, 'sim.json');
    return new SandboxMobileSignature(db, f.subscribers, f.unavailable);
  };
  const vnpost = (): FederationPort => {
    // Sandbox defaults: the sandbox Vietnam Post provider mounted in this process.
    const sandboxClient = cfg.sandbox ? readSandboxJson<{ client: { client_id: string; client_secret: string } }>(cfg, 'vnpost.json').client : undefined;
    const issuer = cfg.vnpostIssuer ?? `${cfg.issuer}/sandbox/vnpost`;
    return new OidcFederation({
      issuer, clientId: cfg.vnpostClientId ?? sandboxClient?.client_id ?? '', clientSecret: cfg.vnpostClientSecret ?? sandboxClient?.client_secret,
      privateKeyPem: cfg.vnpostClientPrivateKeyFile ? readFileSync(cfg.vnpostClientPrivateKeyFile, 'utf8') : undefined, privateKeyKid: cfg.vnpostClientKeyId,
      redirectUri: `${cfg.issuer}/federation/vnpost/callback`, allowHttp: cfg.mode === 'sandbox' && issuer.startsWith('http:'), timeoutMs: cfg.connectorTimeoutMs,
    });
  };
  return {
    vnpost: overrides.vnpost ?? vnpost(),
    mss: overrides.mss ?? mss(),
    sms: overrides.sms ?? createSmsGateway(cfg, db),
    email: overrides.email ?? createEmailGateway(cfg, db),
    carrier: overrides.carrier ?? carrier(),
    bhxh: overrides.bhxh ?? bhxh(),
  };
}
