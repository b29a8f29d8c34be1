// The software USB signing agent: a stand-in for a CA's plugin (docs/usb-agent-protocol.md).
// It answers only the origins it is configured for, handles Private Network Access preflights,
// and signs with the token's key after the PIN is given on this computer (never by the browser).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import { x509 } from '../certificates/x509.ts';
import { importKeys, signWith } from '../certificates/sandbox-ca.ts';

export interface TokenCertificate { id: string; certificatePem: string; chainPem: string[]; keyPkcs8: string; pin: string }

export interface AgentOptions {
  port: number;
  host?: string;
  allowedOrigins: string[];
  certificates: TokenCertificate[];
  /** Asks the person for the PIN on this computer; the software agent takes it from a flag in tests. */
  askPin: (cert: TokenCertificate) => Promise<string | undefined>;
}

export interface RunningAgent { url: string; close(): Promise<void> }

const MAX_PIN_TRIES = 3;

export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const tries = new Map<string, number>();
  const server = http.createServer((req, res) => {
    void handle(req, res).catch(() => { if (!res.headersSent) send(res, 500, { error: 'internal_error' }); });
  });

  function send(res: http.ServerResponse, status: number, body: unknown) {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-store');
    res.end(JSON.stringify(body));
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const origin = req.headers.origin;
    // Only pages of the configured sites may talk to the token; everything else gets nothing.
    if (!origin || !o.allowedOrigins.includes(origin)) return send(res, 403, { error: 'origin_not_allowed' });
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'GET, POST');
      res.setHeader('access-control-allow-headers', 'content-type');
      if (req.headers['access-control-request-private-network'] === 'true') res.setHeader('access-control-allow-private-network', 'true');
      res.statusCode = 204;
      return res.end();
    }
    const url = new URL(req.url ?? '/', 'http://agent');
    if (req.method === 'GET' && url.pathname === '/v1/info') return send(res, 200, { name: 'DVC ID software USB agent', protocol: 1 });
    if (req.method === 'GET' && url.pathname === '/v1/certificates') {
      return send(res, 200, o.certificates.map((c) => {
        const cert = new x509.X509Certificate(c.certificatePem);
        return { id: c.id, certificate: c.certificatePem, chain: c.chainPem, subject: cert.subject, issuer: cert.issuer, notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString() };
      }));
    }
    if (req.method === 'POST' && url.pathname === '/v1/sign') {
      let body: { certificateId?: unknown; data?: unknown };
      try {
        body = JSON.parse(await readBody(req)) as typeof body;
      } catch {
        return send(res, 400, { error: 'bad_request' });
      }
      const c = o.certificates.find((x) => x.id === body.certificateId);
      if (!c) return send(res, 404, { error: 'certificate_not_found' });
      if (typeof body.data !== 'string' || !body.data) return send(res, 400, { error: 'bad_request' });
      if ((tries.get(c.id) ?? 0) >= MAX_PIN_TRIES) return send(res, 423, { error: 'pin_locked' });
      const pin = await o.askPin(c);
      if (pin === undefined) return send(res, 409, { error: 'cancelled' });
      if (pin !== c.pin) {
        const n = (tries.get(c.id) ?? 0) + 1;
        tries.set(c.id, n);
        return send(res, n >= MAX_PIN_TRIES ? 423 : 401, { error: n >= MAX_PIN_TRIES ? 'pin_locked' : 'pin_wrong', triesLeft: MAX_PIN_TRIES - n });
      }
      tries.delete(c.id);
      const cert = new x509.X509Certificate(c.certificatePem);
      const keys = await importKeys(c.keyPkcs8, cert);
      const signature = await signWith(keys as { privateKey: webcrypto.CryptoKey; publicKey: webcrypto.CryptoKey }, new Uint8Array(Buffer.from(body.data, 'base64')));
      return send(res, 200, { signature: Buffer.from(signature).toString('base64') });
    }
    return send(res, 404, { error: 'not_found' });
  }

  // A port in use is an error the caller reports, not an unhandled 'error' event.
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(o.port, o.host ?? '127.0.0.1', resolve); });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) {
    s += (c as Buffer).toString();
    if (s.length > 65536) throw new Error('too large');
  }
  return s;
}
