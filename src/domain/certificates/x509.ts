// X.509 for certificates: self-signed and CA-issued certificates, CSRs, and reading what a certificate says.
// Pure functions over DER; nothing here stores, logs or returns private key material.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate, createHash, sign, webcrypto, type KeyObject } from 'node:crypto';
import { errors } from '../../errors.js';
import { privateKeyObject, publicKeyObject } from '../keys/jwk.js';
import type { Curve, KeyMaterial } from '../keys/key-material.js';
import { randomSerialNumber } from '../../crypto/serial-number.js';
import { KEY_USAGES, type KeyUsage, type SubjectAlternativeNames } from './certificate-policy.js';

/** What a certificate or CSR asserts about its subject. `subject` is a DN in RFC 4514 order: "CN=example.com, O=Contoso". */
export interface SubjectSpec {
  subject: string;
  sans?: SubjectAlternativeNames;
  keyUsage?: string[];
  /** Extended key usage OIDs, e.g. 1.3.6.1.5.5.7.3.1 (server authentication). */
  ekus?: string[];
}

export interface Validity {
  validityMonths: number;
  notBefore: Date;
}

type AsymmetricMaterial = Exclude<KeyMaterial, { kty: 'oct' }>;

/** The key of a certificate, as a policy's `key_props` describes it; undefined for keys Key Vault has no name for (Ed25519, other curves). */
export type PublicKeySpec = { kty: 'RSA'; size: number } | { kty: 'EC'; crv: Curve };

export interface CertificateInfo {
  /** RFC 4514 order, most specific first: "CN=example.com, O=Contoso". */
  subject: string;
  issuer: string;
  /** Upper-case hex, as OpenSSL prints it. */
  serialNumber: string;
  /** Unix seconds. */
  notBefore: number;
  notAfter: number;
  /** SHA-1 of the DER, base64url: Azure's `x5t`. */
  x5t: string;
  publicKey: KeyObject;
  publicKeySpec: PublicKeySpec | undefined;
  sans: Required<SubjectAlternativeNames>;
  keyUsage: KeyUsage[];
  ekus: string[];
  isCa: boolean;
}

// @peculiar/x509 and OpenSSL name the curves differently from Azure; `hash` is the digest of ecdsa-with-SHA* matching the curve size.
const CURVES: Record<Curve, { x509Name: string; nodeName: string; hash: 'SHA-256' | 'SHA-384' | 'SHA-512' }> = {
  'P-256': { x509Name: 'P-256', nodeName: 'prime256v1', hash: 'SHA-256' },
  'P-256K': { x509Name: 'K-256', nodeName: 'secp256k1', hash: 'SHA-256' },
  'P-384': { x509Name: 'P-384', nodeName: 'secp384r1', hash: 'SHA-384' },
  'P-521': { x509Name: 'P-521', nodeName: 'secp521r1', hash: 'SHA-512' },
};

const CA_KEY_USAGE: KeyUsage[] = ['keyCertSign', 'cRLSign'];

/** The subject alternative names Key Vault's policy speaks of, by @peculiar/x509's GeneralName type. */
const SAN_MEMBER_OF_TYPE: Partial<Record<x509.GeneralNameType, keyof SubjectAlternativeNames>> = {
  dns: 'dnsNames',
  email: 'emails',
  upn: 'upns',
  url: 'uris',
  ip: 'ipAddresses',
};

/** The `Self` issuer's certificate: signed with its own key, and without basicConstraints, since it is trusted as itself, not as a CA. */
export async function issueSelfSigned(opts: SubjectSpec & Validity & { material: KeyMaterial }): Promise<Buffer> {
  return selfIssued(opts, async (name, publicKey) => [
    ...subjectExtensions(opts, name),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, webcrypto),
    await x509.AuthorityKeyIdentifierExtension.create(publicKey, false, webcrypto),
  ]);
}

/** A self-signed CA certificate (basicConstraints CA:true, keyCertSign and cRLSign), for the built-in CA issuer. */
export async function createCaCertificate(opts: Validity & { material: KeyMaterial; subject: string }): Promise<Buffer> {
  return selfIssued(opts, async (_name, publicKey) => [
    new x509.BasicConstraintsExtension(true, undefined, true),
    keyUsageExtension(CA_KEY_USAGE),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, webcrypto),
  ]);
}

/** A certificate whose subject is its issuer, signed with its own key; the caller chooses the extensions. */
async function selfIssued(
  opts: Validity & { material: KeyMaterial; subject: string },
  extensions: (name: x509.Name, publicKey: x509.PublicKey) => Promise<x509.Extension[]>,
): Promise<Buffer> {
  const signer = nodeSigner(opts.material);
  const name = parseName(opts.subject);
  const publicKey = new x509.PublicKey(signer.spki);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: name,
      issuer: name,
      ...validityDates(opts),
      publicKey: signer.spki,
      signingKey: signer.key,
      extensions: await extensions(name, publicKey),
    },
    signer.crypto,
  );
  return Buffer.from(cert.rawData);
}

/**
 * A certificate for `subjectPublicKey` (leaf material, or a public KeyObject such as a CSR's) signed by `ca`.
 * The leaf never outlives the CA: notAfter is cut to the CA's.
 */
export async function issueByCa(
  opts: SubjectSpec & Validity & { ca: { certDer: Buffer; material: KeyMaterial }; subjectPublicKey: KeyMaterial | KeyObject },
): Promise<Buffer> {
  const caCert = new x509.X509Certificate(opts.ca.certDer);
  if (!publicKeyMatches(opts.ca.certDer, opts.ca.material)) throw new Error("The CA's key material does not match its certificate.");
  const signer = nodeSigner(opts.ca.material);
  const spki = spkiOf(opts.subjectPublicKey);
  const name = parseName(opts.subject);
  const dates = validityDates(opts);
  const caKeyId = caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: name,
      // The issuer is the CA's subject exactly as encoded in its certificate, so name chaining compares equal bytes.
      issuer: caCert.subjectName,
      notBefore: dates.notBefore,
      notAfter: new Date(Math.min(dates.notAfter.getTime(), caCert.notAfter.getTime())),
      publicKey: spki,
      signingKey: signer.key,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        ...subjectExtensions(opts, name),
        await x509.SubjectKeyIdentifierExtension.create(new x509.PublicKey(spki), false, webcrypto),
        // RFC 5280 §4.2.1.1: the authority key identifier is the issuer's subject key identifier when it has one.
        caKeyId
          ? new x509.AuthorityKeyIdentifierExtension(caKeyId)
          : await x509.AuthorityKeyIdentifierExtension.create(new x509.PublicKey(signer.spki), false, webcrypto),
      ],
    },
    signer.crypto,
  );
  return Buffer.from(cert.rawData);
}

/** A PKCS#10 request (DER) for `material`, carrying the SANs, key usage and EKUs as an extensionRequest: the `csr` of a pending `Unknown`-issuer operation. */
export async function createCsr(opts: SubjectSpec & { material: KeyMaterial }): Promise<Buffer> {
  const signer = nodeSigner(opts.material);
  const name = parseName(opts.subject);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name, keys: { publicKey: signer.key, privateKey: signer.key }, signingAlgorithm: signer.key.algorithm, extensions: subjectExtensions(opts, name) },
    signer.crypto,
  );
  return Buffer.from(csr.rawData);
}

/** What Key Vault reports about a certificate. Throws BadParameter when `der` is not an X.509 certificate. */
export function inspectCertificate(der: Buffer): CertificateInfo {
  const { node, peculiar } = parseCertificate(der);
  const sans: Required<SubjectAlternativeNames> = { dnsNames: [], emails: [], upns: [], uris: [], ipAddresses: [] };
  for (const item of peculiar.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? []) {
    const member = SAN_MEMBER_OF_TYPE[item.type];
    if (member) sans[member].push(item.value);
  }
  const usages = peculiar.getExtension(x509.KeyUsagesExtension)?.usages ?? 0;
  const ekus = Array.from(peculiar.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [], String);
  return {
    subject: formatName(peculiar.subjectName),
    issuer: formatName(peculiar.issuerName),
    serialNumber: node.serialNumber.toUpperCase(),
    notBefore: Math.floor(peculiar.notBefore.getTime() / 1000),
    notAfter: Math.floor(peculiar.notAfter.getTime() / 1000),
    x5t: createHash('sha1').update(der).digest('base64url'),
    publicKey: node.publicKey,
    publicKeySpec: publicKeySpec(node.publicKey),
    sans,
    keyUsage: KEY_USAGES.filter((usage) => (usages & x509.KeyUsageFlags[usage]) !== 0),
    ekus,
    isCa: peculiar.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
  };
}

/** True when the certificate's public key is `material`'s; a merge must refuse a certificate for another key. */
export function publicKeyMatches(certDer: Buffer, material: KeyMaterial): boolean {
  if (material.kty === 'oct') return false;
  const { node } = parseCertificate(certDer);
  const certSpki = node.publicKey.export({ type: 'spki', format: 'der' });
  return certSpki.equals(publicKeyObject(material).export({ type: 'spki', format: 'der' }));
}

/**
 * True when `leafDer` chains to `trustedRootDer` through certificates of `chainDers` (in any order): each link is issued
 * by the next (names, key usage and signature, by OpenSSL), and every issuer is a CA. Validity periods are not checked:
 * the caller decides what "now" is.
 */
export function verifyChain(leafDer: Buffer, chainDers: Buffer[], trustedRootDer: Buffer): boolean {
  const root = parseCertificate(trustedRootDer).node;
  const leaf = parseCertificate(leafDer).node;
  // A self-signed leaf trusted as itself is not a CA, and OpenSSL's checkIssued refuses it without keyCertSign.
  if (leaf.raw.equals(root.raw)) return leaf.verify(leaf.publicKey);
  const pool = chainDers.map((der) => parseCertificate(der).node);
  let current = leaf;
  for (let depth = 0; depth <= pool.length; depth++) {
    if (isIssuedBy(current, root)) return true;
    const issuer = pool.find((candidate) => candidate !== current && isIssuedBy(current, candidate));
    if (!issuer) return false;
    current = issuer;
  }
  return false;
}

function isIssuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return issuer.ca && cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

function parseCertificate(der: Buffer): { node: X509Certificate; peculiar: x509.X509Certificate } {
  try {
    return { node: new X509Certificate(der), peculiar: new x509.X509Certificate(der) };
  } catch {
    throw errors.badParameter('The certificate is not a valid DER-encoded X.509 certificate.');
  }
}

function publicKeySpec(key: KeyObject): PublicKeySpec | undefined {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' && details?.modulusLength) return { kty: 'RSA', size: details.modulusLength };
  if (key.asymmetricKeyType === 'ec') {
    const crv = (Object.keys(CURVES) as Curve[]).find((name) => CURVES[name].nodeName === details?.namedCurve);
    if (crv) return { kty: 'EC', crv };
  }
  return undefined;
}

/**
 * @peculiar/x509 signs through a WebCrypto-shaped provider. This one signs with node:crypto instead, because WebCrypto has
 * no secp256k1 (Azure's P-256K) and node:crypto has every curve Key Vault offers; one path then serves every key type.
 * `key` is an opaque handle: its `algorithm` tells @peculiar/x509 which signature AlgorithmIdentifier to write.
 */
function nodeSigner(material: KeyMaterial) {
  const asymmetric = asymmetricMaterial(material);
  const privateKey = privateKeyObject(asymmetric);
  const spki = publicKeyObject(asymmetric).export({ type: 'spki', format: 'der' });
  const hash = asymmetric.kty === 'RSA' ? 'SHA-256' : CURVES[asymmetric.crv].hash;
  const algorithm =
    asymmetric.kty === 'RSA'
      ? { name: 'RSASSA-PKCS1-v1_5', hash: { name: hash } }
      : { name: 'ECDSA', namedCurve: CURVES[asymmetric.crv].x509Name, hash: { name: hash } };
  const key = { type: 'private', extractable: false, algorithm, usages: ['sign'] } as unknown as webcrypto.CryptoKey;
  const subtle = {
    // ieee-p1363 is WebCrypto's ECDSA encoding (r‖s), which @peculiar/x509 turns into the DER ECDSA-Sig-Value.
    sign: async (_algorithm: unknown, _key: unknown, data: ArrayBuffer | ArrayBufferView) =>
      sign(hash.replace('-', '').toLowerCase(), toBuffer(data), { key: privateKey, dsaEncoding: 'ieee-p1363' }),
    exportKey: async (format: string) => {
      if (format !== 'spki') throw new Error(`The signing key exports only spki, not ${format}.`);
      return spki;
    },
    digest: (digestAlgorithm: webcrypto.AlgorithmIdentifier, data: ArrayBuffer | ArrayBufferView) => webcrypto.subtle.digest(digestAlgorithm, data),
  };
  const crypto = { subtle, getRandomValues: webcrypto.getRandomValues.bind(webcrypto) } as unknown as typeof webcrypto;
  return { key, crypto, spki };
}

function asymmetricMaterial(material: KeyMaterial): AsymmetricMaterial {
  if (material.kty === 'oct') throw errors.badParameter('A certificate needs an RSA or EC key; an oct key cannot be certified.');
  return material;
}

function spkiOf(key: KeyMaterial | KeyObject): Buffer {
  if ('kty' in key) return publicKeyObject(asymmetricMaterial(key)).export({ type: 'spki', format: 'der' });
  if (key.type === 'secret') throw errors.badParameter('A certificate needs an RSA or EC public key.');
  // A private KeyObject exports its public half as SPKI too.
  return key.export({ type: 'spki', format: 'der' });
}

function toBuffer(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

function subjectExtensions(spec: SubjectSpec, name: x509.Name): x509.Extension[] {
  const extensions: x509.Extension[] = [];
  if (spec.keyUsage && spec.keyUsage.length > 0) extensions.push(keyUsageExtension(spec.keyUsage));
  if (spec.ekus && spec.ekus.length > 0) {
    for (const oid of spec.ekus) {
      if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(oid)) throw errors.badParameter(`The extended key usage '${oid.slice(0, 64)}' is not an object identifier.`);
    }
    extensions.push(new x509.ExtendedKeyUsageExtension(spec.ekus));
  }
  const names = Object.entries(SAN_MEMBER_OF_TYPE).flatMap(([type, member]) =>
    (spec.sans?.[member] ?? []).map((value) => ({ type: type as x509.GeneralNameType, value })),
  );
  // RFC 5280 §4.2.1.6: with an empty subject, the SANs identify the subject and the extension is critical.
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, name.toJSON().length === 0));
  return extensions;
}

function keyUsageExtension(usages: string[]): x509.KeyUsagesExtension {
  let flags = 0;
  for (const usage of usages) {
    if (!(KEY_USAGES as readonly string[]).includes(usage)) {
      throw errors.badParameter(`The key usage '${usage.slice(0, 64)}' is not supported. Use any of ${KEY_USAGES.join(', ')}.`);
    }
    flags |= x509.KeyUsageFlags[usage as KeyUsage];
  }
  // RFC 5280 §4.2.1.3: conforming CAs mark key usage critical.
  return new x509.KeyUsagesExtension(flags, true);
}

/**
 * Azure's subjects read like Windows and RFC 4514 names, most specific first ("CN=example.com, O=Contoso"), which is the
 * reverse of the order of the RDNs in the certificate. @peculiar/x509 keeps the string's order, so the RDNs are reversed here.
 */
function parseName(subject: string): x509.Name {
  const invalid = () => errors.badParameter(`The subject '${subject.slice(0, 200)}' is not a valid X.500 distinguished name.`);
  let rdns: ReturnType<x509.Name['toJSON']>;
  try {
    rdns = new x509.Name(subject, NAME_ALIASES).toJSON();
  } catch {
    throw invalid();
  }
  // @peculiar/x509 skips what it cannot read, so text without a single type=value pair comes back as an empty name.
  if (rdns.length === 0 && subject.trim() !== '') throw invalid();
  return new x509.Name(rdns.reverse(), NAME_ALIASES);
}

// @peculiar/x509 knows CN, L, ST, O, OU, C, DC, E, G, I, SN and T, in capitals. Windows (and so Azure) also reads lower
// case, S for the state and STREET; these aliases map them to the same OIDs.
const NAME_ALIASES: Record<string, string> = {
  cn: '2.5.4.3',
  l: '2.5.4.7',
  st: '2.5.4.8',
  S: '2.5.4.8',
  s: '2.5.4.8',
  o: '2.5.4.10',
  ou: '2.5.4.11',
  c: '2.5.4.6',
  dc: '0.9.2342.19200300.100.1.25',
  e: '1.2.840.113549.1.9.1',
  STREET: '2.5.4.9',
  street: '2.5.4.9',
  SERIALNUMBER: '2.5.4.5',
  serialNumber: '2.5.4.5',
};

function formatName(name: x509.Name): string {
  return new x509.Name(name.toJSON().reverse(), DISPLAY_NAMES).toString();
}

// Names @peculiar/x509 would otherwise print as OIDs.
const DISPLAY_NAMES: Record<string, string> = { STREET: '2.5.4.9', SERIALNUMBER: '2.5.4.5' };

function validityDates(validity: Validity): { notBefore: Date; notAfter: Date } {
  if (!Number.isInteger(validity.validityMonths) || validity.validityMonths < 1) {
    throw errors.badParameter(`The validity of ${String(validity.validityMonths)} months is not valid; it must be a whole number of months, at least 1.`);
  }
  return { notBefore: validity.notBefore, notAfter: addMonths(validity.notBefore, validity.validityMonths) };
}

/** Calendar months in UTC; a day past the end of the target month becomes its last day (31 January + 1 month = 28 or 29 February). */
export function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}
