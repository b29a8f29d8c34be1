// npm run usb-agent -- [--provider URL] [--port 14588] [--origin URL]... [--tokens citizen,enterprise] [--pin 1234]
// The software agent for development and tests: it loads the sandbox tokens from a provider in
// sandbox mode and serves the local agent protocol. Without --pin it asks for the PIN here.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { startAgent, type TokenCertificate } from './agent.ts';

const { values } = parseArgs({
  options: {
    provider: { type: 'string', default: 'http://localhost:3000' },
    port: { type: 'string', default: '14588' },
    origin: { type: 'string', multiple: true },
    tokens: { type: 'string' },
    pin: { type: 'string' },
  },
});

const res = await fetch(`${values.provider}/sandbox/usb/tokens`);
if (!res.ok) {
  process.stderr.write(`cannot load sandbox tokens from ${values.provider} (is it running in sandbox mode?)\n`);
  process.exit(1);
}
const wanted = values.tokens?.split(',').map((s) => s.trim());
const tokens = ((await res.json()) as { name: string; pin: string; certificatePem: string; keyPkcs8: string }[]).filter((t) => !wanted || wanted.includes(t.name));
const certificates: TokenCertificate[] = tokens.map((t) => ({ id: t.name, certificatePem: t.certificatePem, chainPem: [], keyPkcs8: t.keyPkcs8, pin: t.pin }));
const agent = await startAgent({
  port: Number(values.port),
  allowedOrigins: values.origin ?? [new URL(values.provider!).origin],
  certificates,
  askPin: async (c) => {
    if (values.pin !== undefined) return values.pin;
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const pin = await rl.question(`PIN for token "${c.id}" (empty to cancel): `);
    rl.close();
    return pin || undefined;
  },
});
process.stdout.write(`USB agent on ${agent.url} with ${certificates.length} certificate(s): ${certificates.map((c) => c.id).join(', ')}\n`);
