// Social-insurance registry (BHXH): who holds this 10-digit code, as the registry knows them.
export interface InsuredPerson {
  bhxhCode: string;
  idNumber: string; // the registry's CCCD/CMND: this is what the duplicate check uses
  fullName: string;
  birthdate: string; // ISO
}

export interface BhxhPort {
  readonly kind: 'sandbox' | 'http';
  lookup(bhxhCode: string): Promise<InsuredPerson | undefined>; // throws ConnectorUnavailableError
}
