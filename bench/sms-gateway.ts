// The bench's SMS gateway on loopback: DVC ID's HTTP SMS connector (SMS_GATEWAY=http) posts
// {to, text} here, and the scripted browser waits for its code as a person waits for the message.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SmsInbox {
  url: string;
  /** Forgets a code left from an earlier attempt on this phone. */
  clear(phone: string): void;
  codeFor(phone: string, timeoutMs?: number): Promise<string>;
  received(): number;
  close(): Promise<void>;
}

export async function startSmsGateway(): Promise<SmsInbox> {
  const early = new Map<string, string>();
  const waiting = new Map<string, (code: string) => void>();
  let received = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => {
      try {
        const { to, text } = JSON.parse(body) as { to: string; text: string };
        const code = /\b(\d{6})\b/.exec(text)?.[1];
        if (code) {
          received++;
          const w = waiting.get(to);
          if (w) { waiting.delete(to); w(code); } else early.set(to, code);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"queued"}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    clear: (phone) => { early.delete(phone); },
    codeFor(phone, timeoutMs = 10_000) {
      const code = early.get(phone);
      if (code) { early.delete(phone); return Promise.resolve(code); }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => { waiting.delete(phone); reject(new Error(`no SMS for ${phone.slice(0, 5)}… within ${timeoutMs} ms`)); }, timeoutMs);
        waiting.set(phone, (c) => { clearTimeout(t); resolve(c); });
      });
    },
    received: () => received,
    close: () => { server.closeAllConnections(); return new Promise((r) => server.close(() => r())); },
  };
}
