// Self-signed certificates for client credentials in tests: an RSA or EC key pair and its certificate, in the forms
// the Azure SDK (one PEM with key and certificate) and `coffer principal certificate add` (public PEM) take.
import 'reflect-metadata';
import { createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export interface ClientCertificate {
  /** The public certificate only. */
  certPem: string;
  /** PKCS#8 private key. */
  keyPem: string;
  privateKey: KeyObject;
  der: Buffer;
}

const algorithms = {
  RSA: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
  EC: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
} as const;

export async function makeClientCertificate(opts: { keyType?: 'RSA' | 'EC'; notBefore?: Date; notAfter?: Date; subject?: string } = {}): Promise<ClientCertificate> {
  const algorithm = algorithms[opts.keyType ?? 'RSA'];
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: opts.subject ?? 'CN=coffer-test-client',
      notBefore: opts.notBefore ?? new Date(now - 60_000),
      notAfter: opts.notAfter ?? new Date(now + 24 * 3600_000),
      keys,
      signingAlgorithm: algorithm,
    },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  return { certPem: certificate.toString('pem'), keyPem, privateKey: createPrivateKey(keyPem), der: Buffer.from(certificate.rawData) };
}
