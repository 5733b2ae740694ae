// A certificate with its private key in the two containers Key Vault speaks: PKCS#12 (`application/x-pkcs12`) and PEM
// (`application/x-pem-file`). Pure functions; error messages never carry key material or a password.
import * as asn1js from 'asn1js';
import { X509Certificate, createDecipheriv, createHash, createPrivateKey, hash, webcrypto, type KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import { CofferError, errors } from '../../errors.js';
import { privateKeyObject } from '../keys/jwk.js';
import type { Curve, KeyMaterial } from '../keys/key-material.js';
import { publicKeyMatches } from './x509.js';

/** A certificate, the chain that vouches for it (leaf's issuer first) and the leaf's private key. */
export interface CertificateBundle {
  material: KeyMaterial;
  certDer: Buffer;
  chainDers: Buffer[];
}

/**
 * The password does not open the PFX (or the encrypted PEM key). A 400 BadParameter with Azure's message, so it renders as
 * Azure's refusal as it is; the class lets callers (audit, tests) tell a wrong password from a damaged file, which Azure does not.
 */
export class IncorrectPasswordError extends CofferError {
  constructor(message: string) {
    super(400, 'BadParameter', message);
    this.name = 'IncorrectPasswordError';
  }
}

const OID = {
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  pbes2: '1.2.840.113549.1.5.13',
} as const;
// AES-128/192/256-CBC, the PBES2 schemes WebCrypto can decrypt (OpenSSL 3's default is AES-256-CBC).
const AES_CBC_OIDS = ['2.16.840.1.101.3.4.1.2', '2.16.840.1.101.3.4.1.22', '2.16.840.1.101.3.4.1.42'];
const MAC_DIGEST_OIDS = ['1.3.14.3.2.26', '2.16.840.1.101.3.4.2.1', '2.16.840.1.101.3.4.2.2', '2.16.840.1.101.3.4.2.3'];
// The legacy PKCS#12 PBE schemes (RFC 7292 Appendix C): SHA-1 and the PKCS#12 KDF derive the key and IV, then a 64-bit
// block cipher in CBC mode. Windows' TripleDES-SHA1 export writes 3DES for key and certificates; OpenSSL 1.x's default
// and `openssl pkcs12 -legacy` write 3DES for the key and 40-bit RC2 for the certificates. Azure reads them, so we do.
// keyLength is in bytes; RC2's effective key bits are the key's bits.
const LEGACY_PBE: Record<string, { cipher: '3des' | 'rc2'; keyLength: number }> = {
  '1.2.840.113549.1.12.1.3': { cipher: '3des', keyLength: 24 }, // pbeWithSHAAnd3-KeyTripleDES-CBC
  '1.2.840.113549.1.12.1.4': { cipher: '3des', keyLength: 16 }, // pbeWithSHAAnd2-KeyTripleDES-CBC
  '1.2.840.113549.1.12.1.5': { cipher: 'rc2', keyLength: 16 }, // pbeWithSHAAnd128BitRC2-CBC
  '1.2.840.113549.1.12.1.6': { cipher: 'rc2', keyLength: 5 }, // pbeWithSHAAnd40BitRC2-CBC
};
// The RC4 schemes of Appendix C: a stream cipher without padding, so a wrong password would decrypt to garbage unnoticed
// in a file without a MAC. No exporter in use writes them; they stay refused.
const LEGACY_RC4: Record<string, string> = {
  '1.2.840.113549.1.12.1.1': 'pbeWithSHAAnd128BitRC4',
  '1.2.840.113549.1.12.1.2': 'pbeWithSHAAnd40BitRC4',
};
// OpenSSL 3's default iteration count for `openssl pkcs12 -export`, for the key, the certificates and the MAC.
const ITERATIONS = 2048;
// Azure's answer (400 BadParameter) both to a PFX it cannot parse and to a wrong or missing PFX password: it does not tell them apart.
const PFX_UNREADABLE = 'The specified PKCS#12 X.509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format.';
const PEM_PASSWORD_INCORRECT = 'The private key is encrypted and the password is missing or incorrect.';
const OPENSSL_CURVES: Record<string, Curve> = { prime256v1: 'P-256', secp256k1: 'P-256K', secp384r1: 'P-384', secp521r1: 'P-521' };

// Passed to each pkijs call instead of setting pkijs's process-wide engine.
const engine = new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: webcrypto as unknown as pkijs.CryptoEngineParameters['crypto'] });

/**
 * A PFX as Key Vault's certificate secret holds it: the key as a PKCS8ShroudedKeyBag (PBES2, PBKDF2-HMAC-SHA256,
 * AES-256-CBC), the leaf then the chain as CertBags, the leaf and key paired by localKeyId, and an HMAC-SHA256 MAC: what
 * OpenSSL 3 writes by default. Readers that predate PBES2 in PKCS#12 (old Windows and Java releases) cannot open it.
 * Without a password, key and MAC use the empty password, which OpenSSL (`-passin pass:`) and node's `tls` (no passphrase)
 * read as "no password". With a password the certificates are encrypted too, as OpenSSL 3 does.
 */
export async function toPkcs12(opts: CertificateBundle & { password?: string }): Promise<Buffer> {
  if (!publicKeyMatches(opts.certDer, opts.material)) throw new Error('The key material does not belong to the certificate.');
  const password = passwordBytes(opts.password);
  const pbes2 = { password, contentEncryptionAlgorithm: { name: 'AES-CBC', length: 256 }, hmacHashAlgorithm: 'SHA-256', iterationCount: ITERATIONS };
  // OpenSSL's choice of localKeyId: the SHA-1 of the certificate. Windows pairs key and certificate by it.
  const localKeyId = () => [
    new pkijs.Attribute({ type: OID.localKeyId, values: [new asn1js.OctetString({ valueHex: createHash('sha1').update(opts.certDer).digest() })] }),
  ];

  // Encrypted as bytes rather than through PKCS8ShroudedKeyBag.makeInternalValues, which parses the key first and knows no secp256k1.
  const encryptedKey = new pkijs.EncryptedData();
  await encryptedKey.encrypt({ ...pbes2, contentToEncrypt: arrayBuffer(privateKeyObject(opts.material).export({ type: 'pkcs8', format: 'der' })) }, engine);
  const keyBag = new pkijs.PKCS8ShroudedKeyBag({
    encryptionAlgorithm: encryptedKey.encryptedContentInfo.contentEncryptionAlgorithm,
    encryptedData: encryptedKey.encryptedContentInfo.encryptedContent,
  });
  const keyContents = new pkijs.SafeContents({
    safeBags: [new pkijs.SafeBag({ bagId: OID.pkcs8ShroudedKeyBag, bagValue: keyBag, bagAttributes: localKeyId() })],
  });
  const certContents = new pkijs.SafeContents({
    safeBags: [opts.certDer, ...opts.chainDers].map(
      (der, index) =>
        new pkijs.SafeBag({
          bagId: OID.certBag,
          // The DER as given: re-encoding a parsed certificate could change bytes its signature covers.
          bagValue: new pkijs.CertBag({ certId: OID.x509Certificate, certValue: new asn1js.OctetString({ valueHex: der }) }),
          ...(index === 0 ? { bagAttributes: localKeyId() } : {}),
        }),
    ),
  });

  const encryptCertificates = (opts.password ?? '') !== '';
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    parsedValue: {
      safeContents: [
        { privacyMode: encryptCertificates ? 1 : 0, value: certContents },
        { privacyMode: 0, value: keyContents },
      ],
    },
  });
  await authenticatedSafe.makeInternalValues({ safeContents: [encryptCertificates ? pbes2 : {}, {}] }, engine);
  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe } });
  await pfx.makeInternalValues({ password, iterations: ITERATIONS, pbkdf2HashAlgorithm: 'SHA-256', hmacHashAlgorithm: 'SHA-256' }, engine);
  return Buffer.from(pfx.toSchema().toBER(false));
}

/**
 * Reads a PFX: OpenSSL 3's default (PBES2 with AES-CBC, SHA-256 MAC), ours, the legacy 3DES and RC2 schemes of Windows'
 * TripleDES-SHA1 export, OpenSSL 1.x and `openssl pkcs12 -legacy` (SHA-1 MAC), unencrypted key bags, and files without a
 * MAC. A wrong password throws IncorrectPasswordError; RC4 and anything else unreadable throw BadParameter. The leaf is the
 * certificate of the private key; the chain is every other certificate, in file order.
 */
export async function fromPkcs12(der: Buffer, password?: string): Promise<CertificateBundle> {
  const passwordBuffer = passwordBytes(password);
  let pfx: pkijs.PFX;
  let authenticatedSafe: pkijs.AuthenticatedSafe;
  try {
    pfx = pkijs.PFX.fromBER(arrayBuffer(der));
    if (pfx.authSafe.contentType !== OID.data) {
      throw errors.badParameter('The PFX uses public-key integrity protection, which is not supported. Export it with a password-based MAC.');
    }
    // Parsing first and checking the MAC second tells a damaged file from a wrong password.
    await pfx.parseInternalValues({ password: passwordBuffer, checkIntegrity: false }, engine);
    authenticatedSafe = pfx.parsedValue?.authenticatedSafe as pkijs.AuthenticatedSafe;
    if (!authenticatedSafe) throw new Error('no authenticated safe');
  } catch (error) {
    if (error instanceof CofferError) throw error;
    throw notPkcs12();
  }
  // pkijs checks SHA-1 MACs (every legacy file's) as it does SHA-2 ones: HMAC keyed by the PKCS#12 KDF with ID 3.
  if (pfx.macData) {
    if (!MAC_DIGEST_OIDS.includes(pfx.macData.mac.digestAlgorithm.algorithmId)) {
      throw errors.badParameter('The PFX integrity MAC uses a digest other than SHA-1 or SHA-2, which is not supported.');
    }
    const intact = await pfx.parseInternalValues({ password: passwordBuffer, checkIntegrity: true }, engine).then(
      () => true,
      () => false,
    );
    if (!intact) throw new IncorrectPasswordError(PFX_UNREADABLE);
  }

  const encryptedContents = new Map<pkijs.ContentInfo, pkijs.EncryptedContentInfo>();
  for (const content of authenticatedSafe.safeContents) {
    if (content.contentType === OID.data) continue;
    if (content.contentType !== OID.encryptedData) {
      throw errors.badParameter('The PFX holds certificate-encrypted (enveloped) contents, which are not supported. Export it with a password.');
    }
    // From a copy: asn1js marks a schema it has matched.
    let info: pkijs.EncryptedContentInfo;
    try {
      info = pkijs.EncryptedData.fromBER(content.content.toBER(false)).encryptedContentInfo;
    } catch {
      throw notPkcs12();
    }
    // Every algorithm is checked before anything is decrypted, so an unsupported one is not taken for a wrong password.
    assertSupportedEncryption(info.contentEncryptionAlgorithm);
    encryptedContents.set(content, info);
  }
  // Decrypted here rather than by AuthenticatedSafe.parseInternalValues: pkijs decrypts PBES2 only.
  const safeContents: pkijs.SafeContents[] = [];
  for (const content of authenticatedSafe.safeContents) {
    const info = encryptedContents.get(content);
    if (info) {
      // The algorithm was checked above: a failure to decrypt (or garbage after "decrypting") is a wrong password.
      try {
        safeContents.push(pkijs.SafeContents.fromBER(arrayBuffer(await decrypt(info, password))));
      } catch {
        throw new IncorrectPasswordError(PFX_UNREADABLE);
      }
    } else {
      try {
        safeContents.push(pkijs.SafeContents.fromBER((content.content as asn1js.OctetString).getValue()));
      } catch {
        // Not encrypted, so the contents themselves are unreadable (pkijs cannot parse an unencrypted secp256k1 key bag, for one).
        throw errors.badParameter('The contents of the PFX could not be read.');
      }
    }
  }

  const keys: KeyObject[] = [];
  const certificates: Buffer[] = [];
  for (const value of safeContents) {
    for (const bag of value.safeBags) {
      if (bag.bagId === OID.keyBag) {
        keys.push(loadPkcs8(Buffer.from((bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER(false)), false));
      } else if (bag.bagId === OID.pkcs8ShroudedKeyBag) {
        keys.push(loadPkcs8(await decryptShroudedKey(bag.bagValue as pkijs.PKCS8ShroudedKeyBag, password), true));
      } else if (bag.bagId === OID.certBag) {
        const certBag = bag.bagValue as pkijs.CertBag;
        if (certBag.certId === OID.x509Certificate) certificates.push(Buffer.from((certBag.certValue as asn1js.OctetString).valueBlock.valueHexView));
      }
      // CRLs, secrets and nested SafeContents carry nothing Key Vault keeps.
    }
  }
  return assemble(keys, certificates, 'PFX');
}

/** Key Vault's PEM secret: the PKCS#8 private key first, then the leaf certificate, then its chain. */
export function toPem(bundle: CertificateBundle): string {
  if (!publicKeyMatches(bundle.certDer, bundle.material)) throw new Error('The key material does not belong to the certificate.');
  const key = privateKeyObject(bundle.material).export({ type: 'pkcs8', format: 'pem' }) as string;
  return key + [bundle.certDer, ...bundle.chainDers].map((der) => new X509Certificate(der).toString()).join('');
}

/**
 * Reads a PEM file holding one private key and its certificates, in any order: PKCS#8 ("PRIVATE KEY"), PKCS#1
 * ("RSA PRIVATE KEY"), SEC1 ("EC PRIVATE KEY") or encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY", with `password`).
 * Divergence: Azure accepts PKCS#8 only and refuses Windows line endings, both with 400 "The specified PEM X.509 certificate
 * content is in an unexpected format. Please check if certificate is in valid PEM format."; both are read here, since
 * nothing is lost by reading them.
 */
export function fromPem(text: string, password?: string): CertificateBundle {
  const keys: KeyObject[] = [];
  const certificates: Buffer[] = [];
  for (const match of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)) {
    const [block, label] = match as unknown as [string, string];
    if (label === 'CERTIFICATE') {
      try {
        certificates.push(new X509Certificate(block).raw);
      } catch {
        throw errors.badParameter('A CERTIFICATE block of the PEM is not a valid X.509 certificate.');
      }
    } else if (label.endsWith('PRIVATE KEY')) {
      // "ENCRYPTED PRIVATE KEY" is encrypted PKCS#8; a PKCS#1 or SEC1 key encrypted by OpenSSL 1.x carries a Proc-Type header.
      const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(block);
      try {
        keys.push(createPrivateKey({ key: block, format: 'pem', ...(encrypted ? { passphrase: password ?? '' } : {}) }));
      } catch {
        if (encrypted) throw new IncorrectPasswordError(PEM_PASSWORD_INCORRECT);
        throw errors.badParameter(`The ${label} block of the PEM is not a valid private key.`);
      }
    }
    // Other blocks (EC PARAMETERS, CERTIFICATE REQUEST…) say nothing the certificate needs.
  }
  return assemble(keys, certificates, 'PEM');
}

function assemble(keys: KeyObject[], certificates: Buffer[], container: 'PFX' | 'PEM'): CertificateBundle {
  if (keys.length === 0) throw errors.badParameter(`The ${container} has no private key. Key Vault imports a certificate together with its private key.`);
  if (keys.length > 1) throw errors.badParameter(`The ${container} has ${keys.length} private keys; import one certificate and its key at a time.`);
  const material = materialFromKeyObject(keys[0]!);
  if (certificates.length === 0) throw errors.badParameter(`The ${container} has no certificate.`);
  const leafIndex = certificates.findIndex((der) => publicKeyMatches(der, material));
  if (leafIndex < 0) throw errors.badParameter(`No certificate in the ${container} belongs to its private key.`);
  return { material, certDer: certificates[leafIndex]!, chainDers: certificates.filter((_, index) => index !== leafIndex) };
}

function assertSupportedEncryption(algorithm: pkijs.AlgorithmIdentifier): void {
  const rc4 = LEGACY_RC4[algorithm.algorithmId];
  if (rc4) {
    throw errors.badParameter(
      `The PFX is encrypted with the legacy algorithm ${rc4}, which is not supported. Export it again with AES-256 (OpenSSL 3: 'openssl pkcs12 -export' without '-legacy'; Windows: AES256-SHA256).`,
    );
  }
  if (LEGACY_PBE[algorithm.algorithmId]) {
    legacyPbeParams(algorithm);
    return;
  }
  let scheme: string | undefined;
  if (algorithm.algorithmId === OID.pbes2) {
    try {
      scheme = pkijs.PBES2Params.fromBER(algorithm.algorithmParams.toBER(false)).encryptionScheme.algorithmId;
    } catch {
      throw notPkcs12();
    }
  }
  if (!scheme || !AES_CBC_OIDS.includes(scheme)) {
    throw errors.badParameter('The PFX is encrypted with an algorithm other than PBES2 with AES-CBC, which is not supported. Export it again with AES-256.');
  }
}

async function decryptShroudedKey(bag: pkijs.PKCS8ShroudedKeyBag, password: string | undefined): Promise<Buffer> {
  assertSupportedEncryption(bag.encryptionAlgorithm);
  const info = new pkijs.EncryptedContentInfo({ contentType: OID.data, contentEncryptionAlgorithm: bag.encryptionAlgorithm, encryptedContent: bag.encryptedData });
  try {
    return await decrypt(info, password);
  } catch {
    throw new IncorrectPasswordError(PFX_UNREADABLE);
  }
}

/** Decrypts with an algorithm assertSupportedEncryption let through; throws (with no detail) on a wrong password. */
async function decrypt(info: pkijs.EncryptedContentInfo, password: string | undefined): Promise<Buffer> {
  const legacy = LEGACY_PBE[info.contentEncryptionAlgorithm.algorithmId];
  if (!legacy) return Buffer.from(await new pkijs.EncryptedData({ encryptedContentInfo: info }).decrypt({ password: passwordBytes(password) }, engine));

  const { salt, iterations } = legacyPbeParams(info.contentEncryptionAlgorithm);
  // getEncryptedContent joins the pieces of a constructed (BER) OCTET STRING, which Windows writes.
  const ciphertext = Buffer.from(info.getEncryptedContent());
  if (ciphertext.length === 0 || ciphertext.length % 8 !== 0) throw new Error('not whole blocks');
  const key = pkcs12Kdf(password ?? '', salt, iterations, 1, legacy.keyLength);
  const iv = pkcs12Kdf(password ?? '', salt, iterations, 2, 8);
  let padded: Buffer;
  if (legacy.cipher === '3des') {
    // Two-key 3DES is three-key 3DES with K3 = K1. Padding is checked below, the same way for both ciphers.
    const decipher = createDecipheriv('des-ede3-cbc', legacy.keyLength === 16 ? Buffer.concat([key, key.subarray(0, 8)]) : key, iv).setAutoPadding(false);
    padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } else {
    // node's OpenSSL 3 has RC2 only in its legacy provider, which node does not load: node-forge's RC2 instead. Loaded on
    // first use, as only RC2 files need it and it is large.
    const { default: forge } = await import('node-forge');
    const decipher = forge.rc2.createDecryptionCipher(forge.util.createBuffer(key.toString('binary')), legacy.keyLength * 8);
    decipher.start(forge.util.createBuffer(iv.toString('binary')));
    decipher.update(forge.util.createBuffer(ciphertext.toString('binary')));
    // forge's own padding check accepts malformed padding; `() => true` leaves it to the strict check below.
    if (!decipher.finish(() => true)) throw new Error('not whole blocks');
    padded = Buffer.from(decipher.output.getBytes(), 'binary');
  }
  // PKCS#7 padding: 1 to 8 bytes, each the count. A wrong password leaves garbage that fails this check 255 times in 256;
  // the rest fails later, as SafeContents or a PKCS#8 key that does not parse.
  const count = padded[padded.length - 1]!;
  if (count < 1 || count > 8 || !padded.subarray(padded.length - count).every((byte) => byte === count)) throw new Error('bad padding');
  return padded.subarray(0, padded.length - count);
}

/** The pkcs-12PbeParams of a legacy scheme (RFC 7292 Appendix C): SEQUENCE { salt OCTET STRING, iterations INTEGER }. */
function legacyPbeParams(algorithm: pkijs.AlgorithmIdentifier): { salt: Buffer; iterations: number } {
  const params: unknown = algorithm.algorithmParams;
  const schema = new asn1js.Sequence({ value: [new asn1js.OctetString({ name: 'salt' }), new asn1js.Integer({ name: 'iterations' })] });
  const matched = params instanceof asn1js.BaseBlock ? asn1js.compareSchema(params, params, schema) : undefined;
  if (!matched?.verified) throw notPkcs12();
  const salt = Buffer.from((matched.result.salt as asn1js.OctetString).valueBlock.valueHexView);
  const iterations = Number((matched.result.iterations as asn1js.Integer).toBigInt());
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw notPkcs12();
  return { salt, iterations };
}

/**
 * The PKCS#12 key derivation of RFC 7292 Appendix B.2 with SHA-1, as the legacy schemes and the SHA-1 MAC use it: `id` 1
 * derives a cipher key, 2 an IV, 3 a MAC key. The password is taken as Appendix B.1 says: a BMPString (UTF-16 big-endian)
 * with a two-byte zero terminator, so '' is two zero bytes, as OpenSSL 3 and Windows encode an empty password.
 */
export function pkcs12Kdf(password: string, salt: Uint8Array, iterations: number, id: 1 | 2 | 3, length: number): Buffer {
  const u = 20; // SHA-1's output length
  const v = 64; // SHA-1's block length
  const bmp = Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
  // D: v bytes of the ID. I: the salt, then the password, each repeated to a whole number of v-byte blocks.
  const D = Buffer.alloc(v, id);
  const repeated = (bytes: Uint8Array) => {
    const out = Buffer.alloc(v * Math.ceil(bytes.length / v));
    for (let i = 0; i < out.length; i++) out[i] = bytes[i % bytes.length]!;
    return out;
  };
  const I = Buffer.concat([repeated(salt), repeated(bmp)]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    // A = SHA-1^iterations(D || I).
    let A = hash('sha1', Buffer.concat([D, I]), 'buffer');
    for (let round = 1; round < iterations; round++) A = hash('sha1', A, 'buffer');
    blocks.push(A);
    // B = A repeated to v bytes; each v-byte block I_j of I becomes (I_j + B + 1) mod 2^(8v), big-endian.
    const B = repeated(A);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** `decrypted`: the bytes came out of a password-based decryption, so unreadable bytes mean a wrong password (padding matched by chance). */
function loadPkcs8(der: Buffer, decrypted: boolean): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    if (decrypted) throw new IncorrectPasswordError(PFX_UNREADABLE);
    throw errors.badParameter('The private key in the PFX is not a valid PKCS#8 key.');
  }
}

/** The KeyMaterial shape of key-material.ts for an RSA or EC private key. */
function materialFromKeyObject(key: KeyObject): KeyMaterial {
  // Only RSA and EC keys are exported: node cannot write every key type (DSA, DH) as a JWK.
  if (key.asymmetricKeyType === 'rsa') {
    const jwk = key.export({ format: 'jwk' });
    if (typeof jwk.n === 'string' && typeof jwk.e === 'string' && typeof jwk.d === 'string') return { kty: 'RSA', jwk: { ...jwk, n: jwk.n, e: jwk.e, d: jwk.d } };
  }
  const namedCurve = key.asymmetricKeyDetails?.namedCurve;
  const crv = key.asymmetricKeyType === 'ec' && namedCurve ? OPENSSL_CURVES[namedCurve] : undefined;
  if (crv) {
    const jwk = key.export({ format: 'jwk' });
    if (typeof jwk.x === 'string' && typeof jwk.y === 'string' && typeof jwk.d === 'string') return { kty: 'EC', crv, jwk: { ...jwk, x: jwk.x, y: jwk.y, d: jwk.d } };
  }
  const curve = namedCurve ? ` on curve '${namedCurve}'` : '';
  throw errors.badParameter(
    `The private key is of type '${key.asymmetricKeyType ?? 'unknown'}'${curve}; Key Vault certificates use RSA keys or EC keys on P-256, P-256K, P-384 or P-521.`,
  );
}

function notPkcs12(): CofferError {
  return errors.badParameter(PFX_UNREADABLE);
}

/** The password as UTF-8 bytes: PBES2 uses them as they are, and pkijs turns them into the BMPString the PKCS#12 MAC key derivation uses. */
function passwordBytes(password: string | undefined): ArrayBuffer {
  return arrayBuffer(Buffer.from(password ?? '', 'utf8'));
}

function arrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
