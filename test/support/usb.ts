// Runs the software USB agent against a test server's sandbox tokens.
import { startAgent, type RunningAgent, type TokenCertificate } from '../../src/usb-agent/agent.ts';

export async function agentFor(issuer: string, tokens: string[], opts: { pin?: string; port?: number; origins?: string[] } = {}): Promise<RunningAgent> {
  const all = (await (await fetch(`${issuer}/sandbox/usb/tokens`)).json()) as { name: string; pin: string; certificatePem: string; keyPkcs8: string }[];
  const certificates: TokenCertificate[] = all.filter((t) => tokens.includes(t.name)).map((t) => ({ id: t.name, certificatePem: t.certificatePem, chainPem: [], keyPkcs8: t.keyPkcs8, pin: t.pin }));
  return startAgent({ port: opts.port ?? 0, allowedOrigins: opts.origins ?? [issuer], certificates, askPin: async () => opts.pin ?? '1234' });
}
