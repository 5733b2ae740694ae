import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CofferError } from '../../errors.js';
import { generateKeyMaterial, publicKeyObject, type KeyGenerationSpec } from '../keys/jwk.js';
import type { KeyMaterial } from '../keys/key-material.js';
import {
  addMonths,
  createCaCertificate,
  createCsr,
  inspectCertificate,
  issueByCa,
  issueSelfSigned,
  publicKeyMatches,
  verifyChain,
} from './x509.js';

interface KeyCase {
  label: string;
  spec: KeyGenerationSpec;
  /** How `openssl x509 -text` names the signature algorithm we must use for this key. */
  signature: string;
}

const KEY_CASES: KeyCase[] = [
  { label: 'RSA 2048', spec: { kty: 'RSA', size: 2048 }, signature: 'sha256WithRSAEncryption' },
  { label: 'RSA 3072', spec: { kty: 'RSA', size: 3072 }, signature: 'sha256WithRSAEncryption' },
  // RSA-4096 generation takes seconds: this is the only one in the suite.
  { label: 'RSA 4096', spec: { kty: 'RSA', size: 4096 }, signature: 'sha256WithRSAEncryption' },
  { label: 'EC P-256', spec: { kty: 'EC', crv: 'P-256' }, signature: 'ecdsa-with-SHA256' },
  { label: 'EC P-256K', spec: { kty: 'EC', crv: 'P-256K' }, signature: 'ecdsa-with-SHA256' },
  { label: 'EC P-384', spec: { kty: 'EC', crv: 'P-384' }, signature: 'ecdsa-with-SHA384' },
  { label: 'EC P-521', spec: { kty: 'EC', crv: 'P-521' }, signature: 'ecdsa-with-SHA512' },
];

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const spec = {
  subject: 'CN=www.example.com, O=Contoso, C=US',
  sans: {
    dnsNames: ['www.example.com', 'example.com'],
    emails: ['admin@example.com'],
    upns: ['admin@contoso.onmicrosoft.com'],
    uris: ['https://service.example.com/id'],
    ipAddresses: ['192.0.2.10', '2001:db8::1'],
  },
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  ekus: [SERVER_AUTH, CLIENT_AUTH],
};

let dir: string;
const keys = new Map<string, KeyMaterial>();
let otherKey: KeyMaterial;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'coffer-x509-'));
  const generated = await Promise.all([...KEY_CASES.map((c) => generateKeyMaterial(c.spec)), generateKeyMaterial({ kty: 'EC', crv: 'P-256' })]);
  KEY_CASES.forEach((c, i) => keys.set(c.label, generated[i]!));
  otherKey = generated.at(-1)!;
});

after(() => rmSync(dir, { recursive: true, force: true }));

function key(label: string): KeyMaterial {
  const material = keys.get(label);
  assert.ok(material, label);
  return material;
}

/** Runs openssl; `files` are written to the suite's directory first and named in `args` by their key. */
function openssl(args: string[], files: Record<string, Buffer | string> = {}): { status: number | null; stdout: string; stderr: string } {
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function pem(der: Buffer): string {
  return new X509Certificate(der).toString();
}

/** A minute ago, so OpenSSL (which checks validity against its own clock) sees a current certificate. */
function recently(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
}

function assertBadParameter(fn: () => unknown, pattern: RegExp): Promise<void> {
  return assert.rejects(
    (async () => fn())(),
    (error: unknown) => error instanceof CofferError && error.status === 400 && error.code === 'BadParameter' && pattern.test(error.message),
  );
}

describe('issueSelfSigned', () => {
  for (const keyCase of KEY_CASES) {
    it(`issues a certificate OpenSSL parses and verifies (${keyCase.label})`, async () => {
      const material = key(keyCase.label);
      const notBefore = recently();
      const der = await issueSelfSigned({ material, ...spec, validityMonths: 12, notBefore });

      const text = openssl(['x509', '-inform', 'DER', '-in', 'self.der', '-noout', '-text'], { 'self.der': der });
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`Signature Algorithm: ${keyCase.signature}`));
      assert.match(text.stdout, /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
      assert.match(text.stdout, /TLS Web Server Authentication, TLS Web Client Authentication/);
      assert.match(text.stdout, /DNS:www\.example\.com, DNS:example\.com, email:admin@example\.com, othername: UPN::admin@contoso\.onmicrosoft\.com, URI:https:\/\/service\.example\.com\/id, IP Address:192\.0\.2\.10, IP Address:2001:DB8:0:0:0:0:0:1/);
      assert.doesNotMatch(text.stdout, /Basic Constraints/);
      const verified = openssl(['verify', '-CAfile', 'self.pem', 'self.pem'], { 'self.pem': pem(der) });
      assert.equal(verified.status, 0, verified.stdout + verified.stderr);

      const info = inspectCertificate(der);
      assert.equal(info.subject, spec.subject);
      assert.equal(info.issuer, spec.subject);
      assert.equal(info.notBefore, notBefore.getTime() / 1000);
      assert.equal(info.notAfter, addMonths(notBefore, 12).getTime() / 1000);
      assert.deepEqual(info.sans, spec.sans);
      assert.deepEqual(info.keyUsage, spec.keyUsage);
      assert.deepEqual(info.ekus, spec.ekus);
      assert.equal(info.isCa, false);
      assert.equal(info.x5t, createHash('sha1').update(der).digest('base64url'));
      assert.match(info.serialNumber, /^[0-7][0-9A-F]{31}$/);
      assert.deepEqual(info.publicKeySpec, material.kty === 'RSA' ? { kty: 'RSA', size: (keyCase.spec as { size: number }).size } : { kty: 'EC', crv: (keyCase.spec as { crv: string }).crv });
      assert.ok(info.publicKey.equals(publicKeyObject(material)));
      assert.equal(publicKeyMatches(der, material), true);
      assert.equal(publicKeyMatches(der, otherKey), false);
      assert.equal(verifyChain(der, [], der), true);
    });
  }

  it('writes the subject in RFC 4514 order: the first RDN of the string is the last one in the certificate', async () => {
    const der = await issueSelfSigned({ material: key('EC P-256'), subject: 'CN=www.example.com, OU=Web, O=Contoso, C=US', validityMonths: 1, notBefore: recently() });
    const files = { 'order.der': der };
    assert.equal(openssl(['x509', '-inform', 'DER', '-in', 'order.der', '-noout', '-subject'], files).stdout.trim(), 'subject=C = US, O = Contoso, OU = Web, CN = www.example.com');
    assert.equal(openssl(['x509', '-inform', 'DER', '-in', 'order.der', '-noout', '-subject', '-nameopt', 'RFC2253'], files).stdout.trim(), 'subject=CN=www.example.com,OU=Web,O=Contoso,C=US');
    assert.equal(inspectCertificate(der).subject, 'CN=www.example.com, OU=Web, O=Contoso, C=US');
  });

  it('reads attribute types in any case, Windows aliases, escapes and multi-valued RDNs', async () => {
    const cases: [string, string][] = [
      ['cn=lower, o=Org, s=WA, c=US', 'CN=lower, O=Org, ST=WA, C=US'],
      ['CN=a+OU=b, O=c', 'CN=a+OU=b, O=c'],
      ['CN=Smith\\, John, O=X', 'CN=Smith\\, John, O=X'],
      ['CN=x, STREET=1 Main St, SERIALNUMBER=42', 'CN=x, STREET=1 Main St, SERIALNUMBER=42'],
    ];
    for (const [subject, expected] of cases) {
      const der = await issueSelfSigned({ material: key('EC P-256'), subject, validityMonths: 1, notBefore: recently() });
      assert.equal(inspectCertificate(der).subject, expected);
    }
    // An empty subject is allowed when SANs name the subject; the SAN extension is then critical (RFC 5280 §4.2.1.6).
    const der = await issueSelfSigned({ material: key('EC P-256'), subject: '', sans: { dnsNames: ['only.example.com'] }, validityMonths: 1, notBefore: recently() });
    assert.equal(inspectCertificate(der).subject, '');
    assert.match(openssl(['x509', '-inform', 'DER', '-in', 'empty.der', '-noout', '-text'], { 'empty.der': der }).stdout, /Subject Alternative Name: critical/);
  });

  it('counts validity in calendar months, as Azure does, ending on the last day of a shorter month', async () => {
    assert.equal(addMonths(new Date('2024-01-31T10:00:00Z'), 1).toISOString(), '2024-02-29T10:00:00.000Z');
    assert.equal(addMonths(new Date('2023-01-31T10:00:00Z'), 1).toISOString(), '2023-02-28T10:00:00.000Z');
    assert.equal(addMonths(new Date('2024-03-15T00:00:00Z'), 12).toISOString(), '2025-03-15T00:00:00.000Z');
    assert.equal(addMonths(new Date('2024-11-30T00:00:00Z'), 3).toISOString(), '2025-02-28T00:00:00.000Z');
    const notBefore = new Date('2024-01-31T00:00:00Z');
    const der = await issueSelfSigned({ material: key('EC P-256'), subject: 'CN=months', validityMonths: 1, notBefore });
    assert.equal(inspectCertificate(der).notAfter, Date.parse('2024-02-29T00:00:00Z') / 1000);
    // Past 2049 the dates are GeneralizedTime; a 100-year certificate still reads back exactly.
    const long = await issueSelfSigned({ material: key('EC P-256'), subject: 'CN=long', validityMonths: 1200, notBefore });
    assert.equal(inspectCertificate(long).notAfter, Date.parse('2124-01-31T00:00:00Z') / 1000);
  });

  it('writes no key usage, EKU or SAN extension the policy does not ask for', async () => {
    const der = await issueSelfSigned({ material: key('RSA 2048'), subject: 'CN=bare', validityMonths: 12, notBefore: recently() });
    const text = openssl(['x509', '-inform', 'DER', '-in', 'bare.der', '-noout', '-text'], { 'bare.der': der }).stdout;
    assert.doesNotMatch(text, /Key Usage|Subject Alternative Name/);
    assert.match(text, /Subject Key Identifier/);
    const info = inspectCertificate(der);
    assert.deepEqual([info.keyUsage, info.ekus, info.sans], [[], [], { dnsNames: [], emails: [], upns: [], uris: [], ipAddresses: [] }]);
  });

  it('refuses an unknown key usage, an EKU that is not an OID, an oct key, a bad subject and a bad validity', async () => {
    const base = { material: key('EC P-256'), subject: 'CN=x', validityMonths: 12, notBefore: recently() };
    await assertBadParameter(() => issueSelfSigned({ ...base, keyUsage: ['digitalSignature', 'signEverything'] }), /'signEverything' is not supported/);
    await assertBadParameter(() => issueSelfSigned({ ...base, ekus: ['serverAuth'] }), /'serverAuth' is not an object identifier/);
    await assertBadParameter(() => issueSelfSigned({ ...base, material: { kty: 'oct', k: 'AAAAAAAAAAAAAAAAAAAAAA' } }), /oct key/);
    await assertBadParameter(() => issueSelfSigned({ ...base, subject: 'not a DN' }), /not a valid X\.500 distinguished name/);
    await assertBadParameter(() => issueSelfSigned({ ...base, validityMonths: 0 }), /at least 1/);
    await assertBadParameter(() => issueSelfSigned({ ...base, validityMonths: 1.5 }), /whole number/);
  });
});

describe('createCsr', () => {
  let caKey: string;
  let caCert: string;
  before(() => {
    const made = openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'csr-ca.key', '-out', 'csr-ca.pem', '-subj', '/CN=OpenSSL Test CA', '-days', '2']);
    assert.equal(made.status, 0, made.stderr);
    caKey = 'csr-ca.key';
    caCert = 'csr-ca.pem';
  });

  for (const keyCase of KEY_CASES.filter((c) => c.label !== 'RSA 4096')) {
    it(`makes a CSR OpenSSL verifies and signs, and the signed certificate matches the pending key (${keyCase.label})`, async () => {
      const material = key(keyCase.label);
      const csr = await createCsr({ material, ...spec });
      const text = openssl(['req', '-inform', 'DER', '-in', 'req.der', '-verify', '-noout', '-text'], { 'req.der': csr });
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stderr + text.stdout, /verify OK|Certificate request self-signature verify OK/);
      assert.match(text.stdout, new RegExp(`Signature Algorithm: ${keyCase.signature}`));
      assert.match(text.stdout, /Subject: C = US, O = Contoso, CN = www\.example\.com/);
      assert.match(text.stdout, /Requested Extensions:[\s\S]*Digital Signature, Key Encipherment[\s\S]*TLS Web Server Authentication[\s\S]*DNS:www\.example\.com/);

      // What a user does with the operation's csr: have an outside CA sign it, then merge the result.
      const signed = openssl(['x509', '-req', '-inform', 'DER', '-in', 'req.der', '-CA', caCert, '-CAkey', caKey, '-copy_extensions', 'copy', '-days', '1', '-outform', 'DER', '-out', 'signed.der']);
      assert.equal(signed.status, 0, signed.stderr);
      const signedDer = readFileSync(path.join(dir, 'signed.der'));
      const caDer = new X509Certificate(readFileSync(path.join(dir, caCert))).raw;
      assert.equal(publicKeyMatches(signedDer, material), true);
      assert.equal(publicKeyMatches(signedDer, otherKey), false);
      assert.equal(verifyChain(signedDer, [], caDer), true);
      const info = inspectCertificate(signedDer);
      assert.equal(info.subject, spec.subject);
      assert.equal(info.issuer, 'CN=OpenSSL Test CA');
      assert.deepEqual(info.sans.dnsNames, spec.sans.dnsNames);
    });
  }
});

describe('createCaCertificate and issueByCa', () => {
  for (const caCase of ['RSA 2048', 'EC P-384', 'EC P-256K']) {
    it(`issues leaves of every key type under a ${caCase} CA, which OpenSSL verifies`, async () => {
      const caMaterial = key(caCase);
      const caDer = await createCaCertificate({ material: caMaterial, subject: 'CN=Coffer Test CA, O=Coffer', validityMonths: 120, notBefore: recently() });
      const ca = inspectCertificate(caDer);
      assert.equal(ca.isCa, true);
      assert.deepEqual(ca.keyUsage, ['keyCertSign', 'cRLSign']);
      assert.equal(ca.subject, 'CN=Coffer Test CA, O=Coffer');
      const caText = openssl(['x509', '-inform', 'DER', '-in', 'ca.der', '-noout', '-text'], { 'ca.der': caDer, 'ca.pem': pem(caDer) }).stdout;
      assert.match(caText, /Basic Constraints: critical\s+CA:TRUE/);
      const caKeyId = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(caText)?.[1];
      assert.ok(caKeyId);

      for (const leafCase of KEY_CASES.filter((c) => c.label !== 'RSA 4096')) {
        const leafMaterial = key(leafCase.label);
        const leafDer = await issueByCa({ ca: { certDer: caDer, material: caMaterial }, subjectPublicKey: leafMaterial, ...spec, validityMonths: 12, notBefore: recently() });
        const leafText = openssl(['x509', '-inform', 'DER', '-in', 'leaf.der', '-noout', '-text'], { 'leaf.der': leafDer }).stdout;
        assert.match(leafText, /Basic Constraints: critical\s+CA:FALSE/);
        assert.match(leafText, new RegExp(`Authority Key Identifier:\\s+(keyid:)?${caKeyId}`));
        const verified = openssl(['verify', '-CAfile', 'ca.pem', 'leaf.pem'], { 'leaf.pem': pem(leafDer) });
        assert.equal(verified.status, 0, `${leafCase.label}: ${verified.stdout}${verified.stderr}`);
        const info = inspectCertificate(leafDer);
        assert.equal(info.issuer, 'CN=Coffer Test CA, O=Coffer');
        assert.equal(info.isCa, false);
        assert.equal(publicKeyMatches(leafDer, leafMaterial), true);
        assert.equal(verifyChain(leafDer, [], caDer), true);
      }
    });
  }

  it('takes the subject key as a public KeyObject too, and never outlives the CA', async () => {
    const caDer = await createCaCertificate({ material: key('EC P-256'), subject: 'CN=Short CA', validityMonths: 6, notBefore: recently() });
    const leafDer = await issueByCa({
      ca: { certDer: caDer, material: key('EC P-256') },
      subjectPublicKey: publicKeyObject(key('RSA 2048')),
      subject: 'CN=long-lived',
      validityMonths: 24,
      notBefore: recently(),
    });
    assert.equal(inspectCertificate(leafDer).notAfter, inspectCertificate(caDer).notAfter);
    assert.equal(publicKeyMatches(leafDer, key('RSA 2048')), true);
  });

  it("refuses CA key material that is not the CA certificate's key", async () => {
    const caDer = await createCaCertificate({ material: key('EC P-256'), subject: 'CN=CA', validityMonths: 6, notBefore: recently() });
    await assert.rejects(
      issueByCa({ ca: { certDer: caDer, material: otherKey }, subjectPublicKey: otherKey, subject: 'CN=x', validityMonths: 1, notBefore: recently() }),
      /does not match its certificate/,
    );
  });
});

describe('verifyChain', () => {
  let root: Buffer;
  let intermediate: Buffer;
  let leaf: Buffer;
  let intermediateMaterial: KeyMaterial;

  before(async () => {
    const made = openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-subj', '/O=Test/CN=Test Root', '-days', '2']);
    assert.equal(made.status, 0, made.stderr);
    root = new X509Certificate(readFileSync(path.join(dir, 'root.pem'))).raw;
    // The intermediate's key is ours: its CSR goes to the OpenSSL root, then it issues a leaf through issueByCa.
    intermediateMaterial = key('RSA 2048');
    const csr = await createCsr({ material: intermediateMaterial, subject: 'CN=Test Intermediate, O=Test' });
    const signed = openssl(
      ['x509', '-req', '-inform', 'DER', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-extfile', 'int.ext', '-days', '2', '-outform', 'DER', '-out', 'int.der'],
      { 'int.csr': csr, 'int.ext': 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' },
    );
    assert.equal(signed.status, 0, signed.stderr);
    intermediate = readFileSync(path.join(dir, 'int.der'));
    leaf = await issueByCa({ ca: { certDer: intermediate, material: intermediateMaterial }, subjectPublicKey: key('EC P-256'), subject: 'CN=leaf.example.com', validityMonths: 1, notBefore: recently() });
  });

  it('follows the chain to the trusted root, as OpenSSL does', () => {
    assert.equal(verifyChain(leaf, [intermediate], root), true);
    const verified = openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'int.pem', 'leaf.pem'], { 'int.pem': pem(intermediate), 'leaf.pem': pem(leaf) });
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  });

  it('needs the intermediate and the right root', async () => {
    assert.equal(verifyChain(leaf, [], root), false);
    const otherRoot = await createCaCertificate({ material: otherKey, subject: 'CN=Other Root', validityMonths: 12, notBefore: recently() });
    assert.equal(verifyChain(leaf, [intermediate], otherRoot), false);
    // Certificates that are not part of the path do not matter.
    assert.equal(verifyChain(leaf, [otherRoot, intermediate], root), true);
  });

  it('refuses an altered signature and an issuer that is not a CA', async () => {
    const tampered = Buffer.from(leaf);
    tampered[tampered.length - 5]! ^= 0x01;
    assert.equal(verifyChain(tampered, [intermediate], root), false);
    // A leaf (CA:false) cannot vouch for anything, even when its key made a valid signature.
    const fakeCaDer = await issueByCa({ ca: { certDer: intermediate, material: intermediateMaterial }, subjectPublicKey: otherKey, subject: 'CN=Not A CA', validityMonths: 1, notBefore: recently() });
    const underFake = await issueByCa({ ca: { certDer: fakeCaDer, material: otherKey }, subjectPublicKey: key('EC P-384'), subject: 'CN=under fake', validityMonths: 1, notBefore: recently() });
    assert.equal(verifyChain(underFake, [fakeCaDer, intermediate], root), false);
  });
});

describe('inspectCertificate', () => {
  it('reads a certificate made by OpenSSL', () => {
    const made = openssl([
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'o.key', '-out', 'o.pem', '-days', '30',
      '-subj', '/C=US/O=Contoso/CN=openssl.example.com',
      '-addext', 'subjectAltName=DNS:openssl.example.com,email:ops@example.com',
      '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation,keyAgreement',
      '-addext', 'extendedKeyUsage=codeSigning',
    ]);
    assert.equal(made.status, 0, made.stderr);
    const node = new X509Certificate(readFileSync(path.join(dir, 'o.pem')));
    const info = inspectCertificate(node.raw);
    assert.equal(info.subject, 'CN=openssl.example.com, O=Contoso, C=US');
    assert.equal(info.serialNumber, node.serialNumber.toUpperCase());
    assert.equal(info.notBefore, Date.parse(node.validFrom) / 1000);
    assert.equal(info.notAfter, Date.parse(node.validTo) / 1000);
    assert.equal(info.x5t, Buffer.from(node.fingerprint.replaceAll(':', ''), 'hex').toString('base64url'));
    assert.deepEqual(info.sans, { dnsNames: ['openssl.example.com'], emails: ['ops@example.com'], upns: [], uris: [], ipAddresses: [] });
    assert.deepEqual(info.keyUsage, ['digitalSignature', 'nonRepudiation', 'keyAgreement']);
    assert.deepEqual(info.ekus, ['1.3.6.1.5.5.7.3.3']);
    assert.deepEqual(info.publicKeySpec, { kty: 'RSA', size: 2048 });
    // OpenSSL's req -x509 marks its certificates CA:TRUE.
    assert.equal(info.isCa, true);
  });

  it('has no key spec for a key type Key Vault does not name', () => {
    const made = openssl(['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', 'ed.key', '-out', 'ed.pem', '-subj', '/CN=ed', '-days', '1']);
    assert.equal(made.status, 0, made.stderr);
    const der = new X509Certificate(readFileSync(path.join(dir, 'ed.pem'))).raw;
    assert.equal(inspectCertificate(der).publicKeySpec, undefined);
  });

  it('answers BadParameter for bytes that are not a certificate', async () => {
    await assertBadParameter(() => inspectCertificate(Buffer.from('not a certificate')), /not a valid DER-encoded X\.509 certificate/);
    await assertBadParameter(() => publicKeyMatches(Buffer.alloc(0), otherKey), /not a valid DER-encoded X\.509 certificate/);
  });
});
