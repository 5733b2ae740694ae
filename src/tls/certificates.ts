// The local CA and the HTTPS server certificate, created on first start and renewed from the same CA when names or time require.
// It must never replace a CA that clients may already trust, and never leave a private key readable by others.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate as NodeX509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import type { Clock } from '../clock.js';
import { StartupError } from '../errors.js';
import { randomSerialNumber } from '../crypto/serial-number.js';

export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  caCertPem: string;
  /** Absolute path of ca.pem, the file users add to their trust store. */
  caCertPath: string;
}

const dayMs = 24 * 60 * 60 * 1000;
const caValidityMs = 10 * 365 * dayMs;
// 825 days is the longest lifetime Apple platforms accept for a TLS server certificate.
const serverValidityMs = 825 * dayMs;
const renewBeforeMs = 30 * dayMs;
// Tolerates clients whose clocks run a little behind ours.
const backdateMs = 5 * 60 * 1000;
const keyAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
// Passed to every call instead of setting @peculiar/x509's process-wide provider.
const crypto = webcrypto;
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

interface Issuer {
  certPem: string;
  cert: x509.X509Certificate;
  privateKey: CryptoKey;
}

export async function ensureTlsMaterial(opts: {
  dir: string;
  dnsSuffix: string;
  extraNames: string[];
  clock: Clock;
}): Promise<TlsMaterial> {
  const dir = path.resolve(opts.dir);
  const files = {
    caCert: path.join(dir, 'ca.pem'),
    caKey: path.join(dir, 'ca-key.pem'),
    serverCert: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server-key.pem'),
  };
  await mkdir(dir, { recursive: true, mode: 0o700 });

  const ca = (await loadCa(files.caCert, files.caKey)) ?? (await createCa(files.caCert, files.caKey, opts.clock));
  const names = requiredNames(opts.dnsSuffix, opts.extraNames);
  const certPem = await readOptional(files.serverCert);
  const keyPem = await readOptional(files.serverKey);
  if (certPem && keyPem && isServerCertUsable({ certPem, keyPem, ca, names, clock: opts.clock })) {
    return { certPem, keyPem, caCertPem: ca.certPem, caCertPath: files.caCert };
  }

  const issued = await issueServerCert(ca, names, opts.clock);
  // Key first: a crash between the two writes leaves a cert/key mismatch, which the next start detects and repairs.
  await writeAtomically(files.serverKey, issued.keyPem, 0o600);
  await writeAtomically(files.serverCert, issued.certPem, 0o644);
  return { ...issued, caCertPem: ca.certPem, caCertPath: files.caCert };
}

interface SubjectName {
  type: 'dns' | 'ip';
  value: string;
}

function requiredNames(dnsSuffix: string, extraNames: string[]): SubjectName[] {
  const all = ['localhost', `*.${dnsSuffix}`, dnsSuffix, '127.0.0.1', '::1', ...extraNames.map((name) => name.trim()).filter(Boolean)];
  const unique = new Map<string, SubjectName>();
  for (const raw of all) {
    const name: SubjectName = isIP(raw) ? { type: 'ip', value: canonicalIp(raw) } : { type: 'dns', value: raw.toLowerCase() };
    unique.set(`${name.type}:${name.value}`, name);
  }
  return [...unique.values()];
}

function canonicalIp(ip: string): string {
  // The URL parser prints IPv6 addresses in their compressed form, so '0:0::1' and '::1' compare equal.
  return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

async function loadCa(certFile: string, keyFile: string): Promise<Issuer | undefined> {
  const certPem = await readOptional(certFile);
  const keyPem = await readOptional(keyFile);
  if (!certPem) return undefined; // a key without its certificate was never trusted by anyone: start over
  if (!keyPem) {
    throw new StartupError(
      `${certFile} exists but its private key ${keyFile} is missing. Restore the key, or delete ${certFile} to create a new CA (clients will have to trust the new one).`,
    );
  }
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  const privateKey = await crypto.subtle.importKey('pkcs8', der, keyAlgorithm, false, ['sign']);
  return { certPem, cert: new x509.X509Certificate(certPem), privateKey };
}

async function createCa(certFile: string, keyFile: string, clock: Clock): Promise<Issuer> {
  const keys = await generateKeys();
  const now = clock.nowMs();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name: `CN=Coffer Local CA ${randomBytes(4).toString('hex')}`,
      notBefore: new Date(now - backdateMs),
      notAfter: new Date(now + caValidityMs),
      keys,
      signingAlgorithm,
      extensions: [
        // pathLength 0: this CA signs server certificates only, never another CA.
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const certPem = cert.toString('pem');
  await writeAtomically(keyFile, await privateKeyPem(keys.privateKey), 0o600);
  await writeAtomically(certFile, certPem, 0o644);
  return { certPem, cert, privateKey: keys.privateKey };
}

async function issueServerCert(ca: Issuer, names: SubjectName[], clock: Clock): Promise<{ certPem: string; keyPem: string }> {
  const keys = await generateKeys();
  const now = clock.nowMs();
  // A leaf must not outlive the CA that vouches for it.
  const notAfter = Math.min(now + serverValidityMs, ca.cert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: 'CN=localhost',
      issuer: ca.cert.subject,
      notBefore: new Date(now - backdateMs),
      notAfter: new Date(notAfter),
      publicKey: keys.publicKey,
      signingKey: ca.privateKey,
      signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

function isServerCertUsable(opts: { certPem: string; keyPem: string; ca: Issuer; names: SubjectName[]; clock: Clock }): boolean {
  const cert = new x509.X509Certificate(opts.certPem);
  if (cert.notAfter.getTime() - opts.clock.nowMs() < renewBeforeMs) return false;
  // A certificate from another CA (ca.pem was replaced) or a mismatched key would only fail later, in every client.
  const nodeCert = new NodeX509Certificate(opts.certPem);
  const nodeCa = new NodeX509Certificate(opts.ca.certPem);
  if (!nodeCert.checkIssued(nodeCa) || !nodeCert.verify(nodeCa.publicKey)) return false;
  if (!nodeCert.checkPrivateKey(createPrivateKey(opts.keyPem))) return false;

  const present = new Set(
    (cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? []).flatMap((name) =>
      name.type === 'dns' ? [`dns:${name.value.toLowerCase()}`] : name.type === 'ip' && isIP(name.value) ? [`ip:${canonicalIp(name.value)}`] : [],
    ),
  );
  return opts.names.every((name) => present.has(`${name.type}:${name.value}`));
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeAtomically(file: string, text: string, mode: number): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { mode, flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
