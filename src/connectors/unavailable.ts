// Every connector throws this when its external system cannot answer: pages tell the person to
// try again later, and nothing is half-created.
export class ConnectorUnavailableError extends Error {
  constructor(readonly system: string, message: string) {
    super(`${system}: ${message}`);
    this.name = 'ConnectorUnavailableError';
  }
}
