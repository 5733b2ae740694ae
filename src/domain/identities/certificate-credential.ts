// Reads the public certificate an administrator registers as a principal's certificate credential: PEM or DER, one
// certificate, RSA or EC. A file holding a private key is refused, so a key never lands in the database by mistake.
import { createHash, X509Certificate } from 'node:crypto';

export interface ParsedCertificate {
  der: Buffer;
  thumbprintSha1: string;
  thumbprintSha256: string;
  notBefore: number;
  notAfter: number;
  subject: string;
  keyType: 'RSA' | 'EC';
}

export class CertificateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateFileError';
  }
}

const pemBlock = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export function parsePublicCertificate(content: Buffer): ParsedCertificate {
  const text = content.toString('latin1');
  let der: Buffer;
  if (text.includes('-----BEGIN')) {
    const blocks = [...text.matchAll(pemBlock)].map((match) => ({ label: match[1]!, body: match[2]! }));
    if (blocks.some((block) => block.label.includes('PRIVATE KEY'))) {
      throw new CertificateFileError('The file holds a private key. Register the public certificate only (the PEM block BEGIN CERTIFICATE); the key stays with the client.');
    }
    const certificates = blocks.filter((block) => block.label === 'CERTIFICATE');
    if (certificates.length !== 1) {
      throw new CertificateFileError(`The file must hold exactly one PEM certificate; it holds ${certificates.length}.`);
    }
    der = Buffer.from(certificates[0]!.body.replace(/\s+/g, ''), 'base64');
  } else {
    der = content;
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    throw new CertificateFileError('The file is not an X.509 certificate (PEM or DER).');
  }
  const keyType = certificate.publicKey.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') {
    throw new CertificateFileError(`The certificate's key type '${String(keyType)}' cannot sign client assertions; use RSA or EC.`);
  }
  const raw = Buffer.from(certificate.raw);
  const notBefore = Math.floor(Date.parse(certificate.validFrom) / 1000);
  const notAfter = Math.floor(Date.parse(certificate.validTo) / 1000);
  if (!Number.isFinite(notBefore) || !Number.isFinite(notAfter)) throw new CertificateFileError('The certificate has unreadable validity dates.');
  return {
    der: raw,
    thumbprintSha1: createHash('sha1').update(raw).digest('hex').toUpperCase(),
    thumbprintSha256: createHash('sha256').update(raw).digest('hex').toUpperCase(),
    notBefore,
    notAfter,
    subject: certificate.subject.replace(/\n/g, ', '),
    keyType: keyType === 'rsa' ? 'RSA' : 'EC',
  };
}
