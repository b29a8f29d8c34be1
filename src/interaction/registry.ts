// The enabled methods, in the order configured; the only place that knows them all.
import type { Config } from '../config/index.ts';
import type { Account, Level } from '../identity/accounts.ts';
import type { AuthMethod, Purpose } from './method.ts';
import { passwordOtpMethod } from '../methods/password_otp/index.ts';
import { registerMobileMethod } from '../methods/register_mobile/index.ts';
import { registerBhxhMethod } from '../methods/register_bhxh/index.ts';
import { simMethod } from '../methods/sim/index.ts';
import { usbMethod } from '../methods/usb/index.ts';
import { vnpostMethod } from '../methods/vnpost/index.ts';

const KNOWN: Record<string, AuthMethod> = Object.fromEntries(
  [passwordOtpMethod, simMethod, usbMethod, vnpostMethod, registerMobileMethod, registerBhxhMethod].map((m) => [m.id, m]),
);

export class MethodRegistry {
  readonly methods: AuthMethod[];
  constructor(private readonly cfg: Config) {
    this.methods = cfg.methods.map((id) => {
      const m = KNOWN[id];
      if (!m) throw new Error(`unknown method ${id}`);
      return m;
    });
  }

  get(id: string): AuthMethod | undefined {
    return this.methods.find((m) => m.id === id);
  }

  ceiling(m: AuthMethod): Level {
    const c = this.cfg.ceilings[m.id];
    return c !== undefined && c < m.ceiling ? c : m.ceiling;
  }

  /** Methods a person without a session can pick, given the minimum level the RP asked for. */
  forChooser(purpose: Purpose, minimum: Level | undefined): AuthMethod[] {
    return this.methods.filter((m) => m.purposes.includes(purpose) && !m.requiresKnownAccount && (minimum === undefined || this.ceiling(m) >= minimum));
  }

  /** Methods that can raise this signed-in account's session to `level` now. */
  forStepUp(account: Account, level: Level): AuthMethod[] {
    return this.methods.filter((m) => this.ceiling(m) >= level && m.canRaise?.(account, level) === true);
  }
}
