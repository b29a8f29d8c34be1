// Sandbox carrier: subscribers from config/sandbox/carrier.json. One documented number always
// answers "unavailable" so the outage page can be tried by hand.
import { namesMatch } from '../../identity/identifiers/index.ts';
import { ConnectorUnavailableError } from '../unavailable.ts';
import type { CarrierPort, SubscriberQuery, SubscriberVerdict } from './port.ts';

export interface SandboxSubscriber { phone: string; idNumber: string; fullName: string; birthdate: string; note?: string }

export class SandboxCarrier implements CarrierPort {
  readonly kind = 'sandbox';
  constructor(private readonly subscribers: SandboxSubscriber[], private readonly unavailablePhones: string[] = []) {}

  async checkSubscriber(q: SubscriberQuery): Promise<SubscriberVerdict> {
    if (this.unavailablePhones.includes(q.phone)) throw new ConnectorUnavailableError('carrier', 'sandbox outage number');
    const s = this.subscribers.find((x) => x.phone === q.phone);
    if (!s) return 'not_found';
    return s.idNumber === q.idNumber && s.birthdate === q.birthdate && namesMatch(s.fullName, q.fullName) ? 'match' : 'mismatch';
  }
}
