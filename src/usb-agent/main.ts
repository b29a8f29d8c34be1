// `npm run usb-agent -- [flags]`: the software USB agent for development and tests. It loads the
// sandbox tokens from a provider in sandbox mode and serves the local agent protocol
// (docs/usb-agent-protocol.md). Every failure is one line saying what to do, and exit code 1.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { ConfigError, loadConfig } from '../config/index.ts';
import { startAgent, type TokenCertificate } from './agent.ts';

const HELP = `npm run usb-agent -- [flags]   the software USB signing agent (sandbox provider only)

  --provider URL    the provider to load the sandbox tokens from
                    (default: its ISSUER, else http://localhost:$PORT — the same config as npm start)
  --port N          where the agent listens on 127.0.0.1 (default: the port of USB_AGENT_URL, 14588,
                    which is where the provider's pages look for it; 0 = any free port)
  --origin URL      a web origin allowed to use the agent; repeat for several (default: the provider's)
  --tokens a,b      load only these tokens (default: all; see config/sandbox/usb.json)
  --pin PIN         answer every PIN prompt with PIN (default: ask here, on this terminal)
  --help            this text
`;

type SandboxToken = { name: string; pin: string; certificatePem: string; keyPkcs8: string };

class AgentError extends Error {}

function flags() {
  try {
    return parseArgs({
      options: {
        provider: { type: 'string' }, port: { type: 'string' }, origin: { type: 'string', multiple: true },
        tokens: { type: 'string' }, pin: { type: 'string' }, help: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    throw new AgentError(`${(e as Error).message} (see --help)`);
  }
}

/** Why a fetch failed, in words: undici hides it in `cause`. */
function reason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'unknown host';
  if ((e as Error).name === 'TimeoutError') return 'no answer within 5 s';
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

async function loadTokens(provider: string): Promise<SandboxToken[]> {
  let res: Response;
  try {
    res = await fetch(`${provider}/sandbox/usb/tokens`, { signal: AbortSignal.timeout(5000) });
  } catch (e) {
    throw new AgentError(`cannot reach the provider at ${provider} (${reason(e)}): start it (npm start), or point the agent at it with --provider URL or the ISSUER / PORT it uses`);
  }
  if (!res.ok) throw new AgentError(`the provider at ${provider} has no sandbox USB tokens (HTTP ${res.status}): is it running in sandbox mode?`);
  try {
    return (await res.json()) as SandboxToken[];
  } catch {
    throw new AgentError(`the provider at ${provider} did not answer with sandbox tokens: is --provider the DVC ID provider?`);
  }
}

async function main(): Promise<void> {
  const values = flags();
  if (values.help) { process.stdout.write(HELP); return; }
  let cfg;
  try {
    cfg = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) throw new AgentError(e.message);
    throw e;
  }
  const provider = (values.provider ?? cfg.issuer).replace(/\/$/, '');
  let origin: string;
  try {
    origin = new URL(provider).origin;
  } catch {
    throw new AgentError(`--provider: not a URL: "${provider}"`);
  }
  const agentUrl = new URL(cfg.usbAgentUrl);
  const pagesPort = Number(agentUrl.port || (agentUrl.protocol === 'https:' ? 443 : 80));
  const port = values.port === undefined ? pagesPort : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AgentError(`--port: expected 0..65535, got "${values.port}"`);

  const all = await loadTokens(provider);
  const wanted = values.tokens?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted?.filter((w) => !all.some((t) => t.name === w)) ?? [];
  if (unknown.length) throw new AgentError(`no sandbox token ${unknown.join(', ')} (the provider has: ${all.map((t) => t.name).join(', ')})`);
  const tokens = all.filter((t) => !wanted || wanted.includes(t.name));
  const certificates: TokenCertificate[] = tokens.map((t) => ({ id: t.name, certificatePem: t.certificatePem, chainPem: [], keyPkcs8: t.keyPkcs8, pin: t.pin }));
  let agent;
  try {
    agent = await startAgent({
      port,
      allowedOrigins: values.origin ?? [origin],
      certificates,
      askPin: async (c) => {
        if (values.pin !== undefined) return values.pin;
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        const pin = await rl.question(`PIN for token "${c.id}" (empty to cancel): `);
        rl.close();
        return pin || undefined;
      },
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new AgentError(`port ${port} is in use (another agent?): stop it, or use --port N and set USB_AGENT_URL to match for the provider`);
    throw e;
  }
  process.stdout.write(`USB agent on ${agent.url} for ${(values.origin ?? [origin]).join(', ')} (tokens from ${provider}) with ${certificates.length} certificate(s): ${certificates.map((c) => c.id).join(', ')}\n`);
  if (Number(new URL(agent.url).port) !== pagesPort) {
    process.stdout.write(`note: the provider's pages look for the agent at ${cfg.usbAgentUrl}; set USB_AGENT_URL=${agent.url} for the provider\n`);
  }
}

try {
  await main();
} catch (e) {
  if (!(e instanceof AgentError)) throw e;
  process.stderr.write(`usb-agent: ${e.message}\n`);
  process.exitCode = 1;
}
