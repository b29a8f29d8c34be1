// A relying party's back-channel logout endpoint on a loopback port: keeps every logout_token it receives.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BackchannelReceiver { url: string; tokens: string[]; close(): void }

export async function backchannelReceiver(): Promise<BackchannelReceiver> {
  const tokens: string[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => { tokens.push(new URLSearchParams(body).get('logout_token') ?? ''); res.end(); });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/bc`, tokens, close: () => srv.close() };
}
