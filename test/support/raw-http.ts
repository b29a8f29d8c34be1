// Plain node:http requests for what supertest hides: exact bytes and headers, and one keep-alive
// socket reused from one request to the next.
import http from 'node:http';

export interface RawResponse { status: number; headers: http.IncomingHttpHeaders; text: string; reusedSocket: boolean }

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  agent?: http.Agent;
  /** Fail after this long (the connection that stalls is the bug). */
  timeoutMs?: number;
}

export function rawRequest(issuer: string, r: RawRequest): Promise<RawResponse> {
  const u = new URL(issuer);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: r.method ?? 'GET', path: r.path, headers: r.headers, agent: r.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(r.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer within ${r.timeoutMs ?? 10_000} ms`)));
    req.end(r.body);
  });
}

/** One socket, kept open between requests. */
export const keepAliveAgent = () => new http.Agent({ keepAlive: true, maxSockets: 1 });
