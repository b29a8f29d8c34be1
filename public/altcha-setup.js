// The ALTCHA widget (served from /static/altcha/, our own origin) ships without bundled workers so
// that no blob: or inline script is needed: register the proof-of-work worker it runs in.
globalThis.$altcha.algorithms.set('PBKDF2/SHA-256', () => new Worker('/static/altcha/pbkdf2-worker.js'));
