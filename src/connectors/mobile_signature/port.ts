// Mobile (SIM) signature service, modelled on ETSI TS 102 204: a signature request carries the
// data to be signed and the text the phone displays; its status is then queried asynchronously.
// No PIN ever passes through us: the person types it on the phone.
export interface SignatureRequest {
  phone: string; // E.164
  dataToBeSigned: Uint8Array; // SHA-256 of our fresh challenge
  displayText: string; // includes the verification code the page also shows
}

export type SignatureStatus =
  | { state: 'pending' }
  | { state: 'signed'; signature: Uint8Array; certificateChain: string[] } // PEM, signer first
  | { state: 'refused' | 'expired' | 'pin_blocked' | 'not_a_signing_sim' | 'error' };

export interface MobileSignaturePort {
  readonly kind: 'sandbox' | 'http';
  request(r: SignatureRequest): Promise<{ transactionId: string }>; // throws ConnectorUnavailableError
  status(transactionId: string): Promise<SignatureStatus>; // throws ConnectorUnavailableError
}
