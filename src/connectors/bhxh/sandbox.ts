// Sandbox BHXH registry: people from config/sandbox/bhxh.json; one code simulates an outage.
import { ConnectorUnavailableError } from '../unavailable.ts';
import type { BhxhPort, InsuredPerson } from './port.ts';

export class SandboxBhxh implements BhxhPort {
  readonly kind = 'sandbox';
  constructor(private readonly people: (InsuredPerson & { note?: string })[], private readonly unavailableCodes: string[] = []) {}

  async lookup(bhxhCode: string): Promise<InsuredPerson | undefined> {
    if (this.unavailableCodes.includes(bhxhCode)) throw new ConnectorUnavailableError('bhxh', 'sandbox outage code');
    const p = this.people.find((x) => x.bhxhCode === bhxhCode);
    return p && { bhxhCode: p.bhxhCode, idNumber: p.idNumber, fullName: p.fullName, birthdate: p.birthdate };
  }
}
