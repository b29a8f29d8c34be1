// The error boundary itself: its page needs no cookie jar, session or database, so it renders even
// when the request it answers has lost its socket (the crash the issue measured: render → langOf →
// ctx.cookies → "Cannot read properties of null (reading 'encrypted')").
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { errorBoundary, failureOf } from '../../src/web/error-boundary.ts';
import { AppError } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';
import '../../src/shared/messages.ts';
import { rawRequest } from '../support/raw-http.ts';

async function serve(handler: Koa.Middleware): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Koa();
  app.use(errorBoundary(createLogger('silent'), false));
  app.use(handler);
  const server = http.createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

describe('hardening: the error boundary', () => {
  it('answers in our layout, with our headers, when the request has no socket left to read cookies from', async () => {
    const s = await serve((ctx) => {
      ctx.set('set-cookie', 'half=written');
      Object.defineProperty(ctx.req, 'socket', { value: null });
      throw new Error('boom');
    });
    try {
      const r = await rawRequest(s.url, { path: '/x?lang=en', headers: { cookie: 'lang=vi' } });
      assert.equal(r.status, 500);
      assert.match(r.text, /<header class="top">/);
      assert.match(r.text, /We could not process the request/);
      assert.equal(r.headers['x-frame-options'], 'DENY');
      assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.equal(r.headers['set-cookie'], undefined, 'nothing the failed handler set is sent');
    } finally {
      await s.close();
    }
  });

  it('gives client errors their status and the rest a 500', () => {
    assert.equal(failureOf(Object.assign(new Error('too big'), { status: 413, expose: true })).status, 413);
    assert.equal(failureOf(Object.assign(new Error('bad json'), { status: 400 })).status, 400);
    assert.equal(failureOf(new AppError(403, 'error.csrf')).messageKey, 'error.csrf');
    assert.equal(failureOf(Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' })).status, 400);
    assert.equal(failureOf(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' })).status, 500);
    assert.equal(failureOf(Object.assign(new Error('x'), { status: 503 })).status, 500);
    assert.equal(failureOf(null).status, 500);
  });
});
