import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { makeClientCertificate, type ClientCertificate } from '../../../test/support/client-certificates.js';
import { CertificateFileError, parsePublicCertificate } from './certificate-credential.js';

describe('parsePublicCertificate', () => {
  let rsa: ClientCertificate;
  let ec: ClientCertificate;
  const notBefore = new Date('2030-01-02T03:04:05Z');
  const notAfter = new Date('2031-01-02T03:04:05Z');

  before(async () => {
    [rsa, ec] = await Promise.all([makeClientCertificate({ notBefore, notAfter, subject: 'CN=ci-pipeline' }), makeClientCertificate({ keyType: 'EC' })]);
  });

  it('reads a PEM certificate: DER, both thumbprints in upper-case hex, validity, subject, key type', () => {
    const parsed = parsePublicCertificate(Buffer.from(rsa.certPem));
    assert.deepEqual(parsed.der, rsa.der);
    assert.equal(parsed.thumbprintSha1, createHash('sha1').update(rsa.der).digest('hex').toUpperCase());
    assert.equal(parsed.thumbprintSha256, createHash('sha256').update(rsa.der).digest('hex').toUpperCase());
    assert.equal(parsed.notBefore, notBefore.getTime() / 1000);
    assert.equal(parsed.notAfter, notAfter.getTime() / 1000);
    assert.equal(parsed.subject, 'CN=ci-pipeline');
    assert.equal(parsed.keyType, 'RSA');
  });

  it('reads DER, and EC certificates', () => {
    assert.deepEqual(parsePublicCertificate(rsa.der).der, rsa.der);
    assert.equal(parsePublicCertificate(Buffer.from(ec.certPem)).keyType, 'EC');
  });

  it('refuses a file holding a private key, even beside the certificate', () => {
    assert.throws(() => parsePublicCertificate(Buffer.from(`${rsa.keyPem}${rsa.certPem}`)), (error: Error) => error instanceof CertificateFileError && /private key/.test(error.message));
  });

  it('refuses no certificate, two certificates, and garbage', () => {
    assert.throws(() => parsePublicCertificate(Buffer.from('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')), /exactly one PEM certificate; it holds 0/);
    assert.throws(() => parsePublicCertificate(Buffer.from(`${rsa.certPem}${ec.certPem}`)), /it holds 2/);
    assert.throws(() => parsePublicCertificate(Buffer.from('not a certificate')), /not an X\.509 certificate/);
  });
});
