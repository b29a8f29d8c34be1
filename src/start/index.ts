// The start page (/): in sandbox mode everything an evaluator or an integrator needs to try DVC ID
// (the demo service, registration, the portal, the outboxes, the test identities, discovery); in
// production mode only the account portal and the discovery document.
import './messages.ts';
import path from 'node:path';
import Router from '@koa/router';
import type { Config } from '../config/index.ts';
import { render } from '../web/render.ts';
import { sandboxIdentities } from './identities.ts';

/** The USB agent's command line; it needs the provider's address only when it is not the default. */
const usbAgentCommand = (issuer: string) =>
  `npm run usb-agent -- --tokens citizen,enterprise${issuer === 'http://localhost:3000' ? '' : ` --provider ${issuer}`}`;

const shortPath = (dir: string) => {
  const rel = path.relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') ? `${rel}/` : dir;
};

export function startRouter(cfg: Config): Router {
  const r = new Router();
  const discovery = `${cfg.issuer}/.well-known/openid-configuration`;
  r.get('/', (ctx) => {
    if (!cfg.sandbox) return render(ctx, 'start/production', { discovery });
    render(ctx, 'start/sandbox', {
      discovery, usbAgent: usbAgentCommand(cfg.issuer),
      identities: sandboxIdentities(cfg), sandboxDir: shortPath(cfg.sandboxDir),
    });
  });
  return r;
}
