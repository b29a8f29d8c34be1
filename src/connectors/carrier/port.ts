// Mobile carriers' subscriber check: is this number registered to this person ("chính chủ")?
export interface SubscriberQuery {
  phone: string; // E.164
  idNumber: string; // CCCD or CMND
  fullName: string;
  birthdate: string; // ISO
}

/** `match`: registered to this person; `mismatch`: registered to someone else; `not_found`: no such subscription. */
export type SubscriberVerdict = 'match' | 'mismatch' | 'not_found';

export interface CarrierPort {
  readonly kind: 'sandbox' | 'http';
  checkSubscriber(q: SubscriberQuery): Promise<SubscriberVerdict>; // throws ConnectorUnavailableError
}
