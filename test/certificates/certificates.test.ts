// Subject parsing and signed-challenge verification (shared by the SIM and USB methods).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createCa, issue, issueCrl, ocspResponse, signWith, type Ca } from '../../src/certificates/sandbox-ca.ts';
import { OcspRevocationChecker, OcspThenCrl } from '../../src/certificates/ocsp.ts';
import { parseSubject } from '../../src/certificates/subject.ts';
import { verifySignedChallenge, type RevocationChecker } from '../../src/certificates/verify.ts';
import { CrlRevocationChecker } from '../../src/certificates/crl.ts';
import { x509 } from '../../src/certificates/x509.ts';

const notRevoked: RevocationChecker = { isRevoked: async () => false };

describe('certificates', () => {
  let ca: Ca;
  let other: Ca;
  before(async () => { ca = await createCa('DVC Sandbox CA'); other = await createCa('Unknown CA'); });

  describe('subject', () => {
    it('citizen with CCCD; name with diacritics and a comma', async () => {
      const { cert } = await issue(ca, { subject: { cn: 'Nguyễn Văn An, Jr', uids: ['CCCD:001099012345'] } });
      assert.deepEqual(parseSubject(cert), { ok: true, identity: { kind: 'citizen', idType: 'cccd', idNumber: '001099012345', fullName: 'Nguyễn Văn An, Jr' } });
    });
    it('legacy CMND', async () => {
      const { cert } = await issue(ca, { subject: { cn: 'Trần Thị B', uids: ['CMND:023456789'] } });
      const r = parseSubject(cert);
      assert.ok(r.ok && r.identity.kind === 'citizen' && r.identity.idType === 'cmnd');
    });
    it('enterprise with MST and O, a person inside it, a branch code', async () => {
      const { cert } = await issue(ca, { subject: { cn: 'Lê Minh Đức', o: 'CÔNG TY TNHH A, B VÀ C', uids: ['MST:0100109106', 'CCCD:079185000123'] } });
      assert.deepEqual(parseSubject(cert), { ok: true, identity: { kind: 'enterprise', taxCode: '0100109106', organisationName: 'CÔNG TY TNHH A, B VÀ C', fullName: 'Lê Minh Đức', personIdNumber: '079185000123' } });
      const { cert: branch } = await issue(ca, { subject: { cn: 'CHI NHÁNH X', uids: ['MST:0100109106-199'] } });
      const r = parseSubject(branch);
      assert.ok(r.ok && r.identity.kind === 'enterprise' && r.identity.taxCode === '0100109106-199');
    });
    it('unknown layouts are refused, not guessed', async () => {
      assert.deepEqual(parseSubject((await issue(ca, { subject: { cn: 'No ID', uids: [] } })).cert), { ok: false, error: 'no_identifier' });
      assert.deepEqual(parseSubject((await issue(ca, { subject: { cn: 'Passport', uids: ['HC:B1234567'] } })).cert), { ok: false, error: 'unknown_layout' });
      assert.deepEqual(parseSubject((await issue(ca, { subject: { cn: 'Bad', uids: ['CCCD:12345'] } })).cert), { ok: false, error: 'unknown_layout' });
      assert.deepEqual(parseSubject((await issue(ca, { subject: { cn: 'Two', uids: ['CCCD:001099012345', 'CCCD:079185000123'] } })).cert), { ok: false, error: 'conflicting_identifiers' });
    });
  });

  describe('verification', () => {
    const challenge = new Uint8Array(randomBytes(32));
    async function attempt(signer: { cert: x509.X509Certificate; keys: Parameters<typeof signWith>[0] }, o: { data?: Uint8Array; chain?: string[]; anchors?: x509.X509Certificate[]; revocation?: RevocationChecker } = {}) {
      return verifySignedChallenge({
        data: challenge, signature: await signWith(signer.keys, o.data ?? challenge), chain: o.chain ?? [signer.cert.toString('pem')],
        anchors: o.anchors ?? [ca.cert], revocation: o.revocation ?? notRevoked,
      });
    }
    const subject = { cn: 'Nguyễn Văn An', uids: ['CCCD:001099012345'] };

    it('accepts a good signature from a trusted, valid certificate, and returns the identity', async () => {
      const r = await attempt(await issue(ca, { subject }));
      assert.ok(r.ok);
      assert.equal(r.identity.kind, 'citizen');
    });
    it('rejects expired, not yet valid, wrong key usage', async () => {
      const day = 86400_000;
      assert.deepEqual(await attempt(await issue(ca, { subject, notBefore: new Date(Date.now() - 10 * day), notAfter: new Date(Date.now() - day) })), { ok: false, error: 'expired' });
      assert.deepEqual(await attempt(await issue(ca, { subject, notBefore: new Date(Date.now() + day) })), { ok: false, error: 'not_yet_valid' });
      assert.deepEqual(await attempt(await issue(ca, { subject, keyUsage: x509.KeyUsageFlags.keyEncipherment })), { ok: false, error: 'key_usage' });
    });
    it('rejects an unknown issuer, even one with the same name as ours', async () => {
      assert.deepEqual(await attempt(await issue(other, { subject })), { ok: false, error: 'untrusted' });
      const impostor = await createCa('DVC Sandbox CA');
      assert.deepEqual(await attempt(await issue(impostor, { subject })), { ok: false, error: 'untrusted' });
    });
    it('rejects a signature over another challenge', async () => {
      assert.deepEqual(await attempt(await issue(ca, { subject }), { data: new Uint8Array(randomBytes(32)) }), { ok: false, error: 'signature_invalid' });
    });
    it('follows intermediates, and rejects a chain with a broken link', async () => {
      const inter = await issue(ca, { subject: { cn: 'Intermediate', uids: [] }, ca: true, keyUsage: x509.KeyUsageFlags.keyCertSign });
      const leaf = await issue({ cert: inter.cert, keys: inter.keys }, { subject });
      assert.ok((await attempt(leaf, { chain: [leaf.cert.toString('pem'), inter.cert.toString('pem')] })).ok);
      const unrelated = await issue(ca, { subject: { cn: 'Intermediate', uids: [] }, ca: true, keyUsage: x509.KeyUsageFlags.keyCertSign });
      assert.deepEqual(await attempt(leaf, { chain: [leaf.cert.toString('pem'), unrelated.cert.toString('pem')] }), { ok: false, error: 'broken_chain' });
    });
    it('rejects a revoked certificate using the CA\'s CRL over HTTP, and fails closed when the CRL is unreachable', async () => {
      let crl: Uint8Array = new Uint8Array();
      const server = http.createServer((_req, res) => { res.end(Buffer.from(crl)); });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ca.crl`;
      try {
        const revoked = await issue(ca, { subject, crlUrl: url });
        const good = await issue(ca, { subject, crlUrl: url });
        crl = await issueCrl(ca, [revoked.cert.serialNumber]);
        const checker = new CrlRevocationChecker();
        assert.deepEqual(await attempt(revoked, { revocation: checker }), { ok: false, error: 'revoked' });
        assert.ok((await attempt(good, { revocation: checker })).ok);
        const unreachable = await issue(ca, { subject, crlUrl: 'http://127.0.0.1:9/none.crl' });
        assert.deepEqual(await attempt(unreachable, { revocation: new CrlRevocationChecker() }), { ok: false, error: 'revocation_unavailable' });
        const forged = await issueCrl(other, []);
        assert.deepEqual(await attempt(good, { revocation: new CrlRevocationChecker(async () => forged) }), { ok: false, error: 'revocation_unavailable' });
      } finally {
        server.close();
      }
    });
  });
});

describe('certificates: OCSP', () => {
  let ca: Ca;
  let server: http.Server;
  let url: string;
  const revokedSerials = new Set<string>();
  let signer: Ca;
  let up = true;

  before(async () => {
    ca = await createCa('DVC Sandbox CA');
    signer = ca;
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (!up) { res.statusCode = 503; res.end(); return; }
        void ocspResponse(signer, new Uint8Array(Buffer.concat(chunks)), (serial) => revokedSerials.has(serial.replace(/^0+/, ''))).then((body) => {
          res.setHeader('content-type', 'application/ocsp-response');
          res.end(Buffer.from(body));
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ocsp`;
  });
  after(() => server.close());
  afterEach(() => { signer = ca; up = true; });

  const subject = { cn: 'Nguyễn Văn An', uids: ['CCCD:001099012345'] };

  it('good and revoked answers from the responder the certificate names', async () => {
    const good = await issue(ca, { subject, ocspUrl: url });
    const bad = await issue(ca, { subject, ocspUrl: url });
    revokedSerials.add(bad.cert.serialNumber.replace(/^0+/, ''));
    const checker = new OcspRevocationChecker();
    assert.equal(await checker.isRevoked(good.cert, ca.cert), false);
    assert.equal(await checker.isRevoked(bad.cert, ca.cert), true);
    const challenge = new Uint8Array(randomBytes(32));
    const r = await verifySignedChallenge({ data: challenge, signature: await signWith(bad.keys, challenge), chain: [bad.cert.toString('pem')], anchors: [ca.cert], revocation: checker });
    assert.deepEqual(r, { ok: false, error: 'revoked' });
  });

  it('a response signed by someone else is not believed', async () => {
    const cert = await issue(ca, { subject, ocspUrl: url });
    signer = await createCa('DVC Sandbox CA');
    await assert.rejects(new OcspRevocationChecker().isRevoked(cert.cert, ca.cert), /not signed/);
  });

  it('falls back to the CRL when the responder is down, and fails closed without one', async () => {
    up = false;
    const crlOnly = new CrlRevocationChecker(async () => issueCrl(ca, []));
    const withCrl = await issue(ca, { subject, ocspUrl: url, crlUrl: 'http://crl.example/ca.crl' });
    assert.equal(await new OcspThenCrl(new OcspRevocationChecker(), crlOnly).isRevoked(withCrl.cert, ca.cert), false);
    const noCrl = await issue(ca, { subject, ocspUrl: url });
    await assert.rejects(new OcspThenCrl(new OcspRevocationChecker(), crlOnly).isRevoked(noCrl.cert, ca.cert));
  });
});
