// The cryptographic operations of Azure Key Vault's keys API (encrypt, decrypt, wrapKey, unwrapKey, sign, verify)
// over a key's private material. Pure and synchronous: no I/O, nothing logged; errors never carry a value or key.
// RSA private operations take ~1 ms of CPU, so callers run them off the event loop (performance-facts.md §2.3).
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  privateEncrypt,
  publicDecrypt,
  publicEncrypt,
  randomBytes,
  timingSafeEqual,
  type CipherGCMTypes,
  type KeyObject,
} from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { errors } from '../../errors.js';
import type { Curve, KeyMaterial, KeyOperation, SoftwareKeyType } from './key-material.js';

// ---------------------------------------------------------------------------------------------------------------
// The algorithm table

/** Which pair of key operations an algorithm serves: encrypt/decrypt, wrapKey/unwrapKey or sign/verify. */
export type OperationFamily = 'encrypt' | 'wrap' | 'sign';

/** The `key_ops` entries each family needs, in (forward, reverse) order. */
export const FAMILY_OPERATIONS: Readonly<Record<OperationFamily, readonly [KeyOperation, KeyOperation]>> = {
  encrypt: ['encrypt', 'decrypt'],
  wrap: ['wrapKey', 'unwrapKey'],
  sign: ['sign', 'verify'],
};

type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface AlgorithmSpec {
  /** RSA algorithms serve both encrypt and wrap, as in Azure. */
  readonly families: readonly OperationFamily[];
  readonly kty: SoftwareKeyType;
  /** EC algorithms: the one curve the key must be on. */
  readonly crv?: Curve;
  /** AES algorithms: the exact oct key length. */
  readonly keyBytes?: number;
  /** The hash of OAEP, of the signature scheme, or of HMAC. */
  readonly hash?: HashName;
  /** RS*, PS*, ES*: the length of the digest the caller hands over. */
  readonly digestBytes?: number;
}

const rsaCipher = (hash?: HashName): AlgorithmSpec => ({ families: ['encrypt', 'wrap'], kty: 'RSA', ...(hash && { hash }) });
const aes = (family: OperationFamily, bits: number): AlgorithmSpec => ({ families: [family], kty: 'oct', keyBytes: bits / 8 });
const rsaSign = (bits: 256 | 384 | 512): AlgorithmSpec => ({ families: ['sign'], kty: 'RSA', hash: `sha${bits}`, digestBytes: bits / 8 });
const ecSign = (crv: Curve, bits: 256 | 384 | 512): AlgorithmSpec => ({ families: ['sign'], kty: 'EC', crv, hash: `sha${bits}`, digestBytes: bits / 8 });
const hmac = (bits: 256 | 384 | 512): AlgorithmSpec => ({ families: ['sign'], kty: 'oct', hash: `sha${bits}` });

/**
 * Every algorithm this server performs, by Azure's wire name. Not here, and so refused: `RSNULL` (reserved),
 * `CKM_AES_KEY_WRAP` and `CKM_AES_KEY_WRAP_PAD` (Managed HSM names).
 */
export const ALGORITHMS = {
  'RSA-OAEP': rsaCipher('sha1'),
  'RSA-OAEP-256': rsaCipher('sha256'),
  RSA1_5: rsaCipher(),
  A128GCM: aes('encrypt', 128),
  A192GCM: aes('encrypt', 192),
  A256GCM: aes('encrypt', 256),
  A128CBC: aes('encrypt', 128),
  A192CBC: aes('encrypt', 192),
  A256CBC: aes('encrypt', 256),
  A128CBCPAD: aes('encrypt', 128),
  A192CBCPAD: aes('encrypt', 192),
  A256CBCPAD: aes('encrypt', 256),
  A128KW: aes('wrap', 128),
  A192KW: aes('wrap', 192),
  A256KW: aes('wrap', 256),
  RS256: rsaSign(256),
  RS384: rsaSign(384),
  RS512: rsaSign(512),
  PS256: rsaSign(256),
  PS384: rsaSign(384),
  PS512: rsaSign(512),
  ES256: ecSign('P-256', 256),
  ES256K: ecSign('P-256K', 256),
  ES384: ecSign('P-384', 384),
  ES512: ecSign('P-521', 512),
  HS256: hmac(256),
  HS384: hmac(384),
  HS512: hmac(512),
} as const satisfies Record<string, AlgorithmSpec>;

export type Algorithm = keyof typeof ALGORITHMS;

export function isAlgorithm(alg: string): alg is Algorithm {
  return Object.hasOwn(ALGORITHMS, alg);
}

const familyNoun: Record<OperationFamily, string> = { encrypt: 'encryption', wrap: 'key wrap', sign: 'signature' };

/** Checks that `alg` exists, belongs to `family` and fits the key (type, curve, AES key length). */
function resolve(alg: string, family: OperationFamily, material: KeyMaterial): AlgorithmSpec {
  const spec: AlgorithmSpec | undefined = isAlgorithm(alg) ? ALGORITHMS[alg] : undefined;
  if (!spec || !spec.families.includes(family)) throw errors.badParameter(`'${alg}' is not a supported ${familyNoun[family]} algorithm.`);
  if (spec.kty !== material.kty) throw errors.badParameter(`The algorithm '${alg}' cannot be used with a key of type '${material.kty}'.`);
  if (spec.crv && material.kty === 'EC' && spec.crv !== material.crv) {
    throw errors.badParameter(`The algorithm '${alg}' needs a key on curve '${spec.crv}'; this key is on '${material.crv}'.`);
  }
  if (spec.keyBytes && material.kty === 'oct') {
    const keyBytes = Buffer.from(material.k, 'base64url').length;
    if (keyBytes !== spec.keyBytes) {
      throw errors.badParameter(`The algorithm '${alg}' needs a ${spec.keyBytes * 8}-bit key; this key has ${keyBytes * 8} bits.`);
    }
  }
  return spec;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared checks and messages

// One message for every failed decryption or unwrap, whatever the cause (tag, padding, integrity check), so a
// caller learns nothing about the plaintext from which check failed.
const notDecryptable = () => errors.badParameter('The value could not be decrypted with this key and algorithm.');

const rsa1_5Refused = () =>
  // Divergence: Azure decrypts RSA1_5. Node 20 refuses PKCS#1 v1.5 private decryption (CVE-2023-46809, Marvin),
  // and unpadding in JS would reopen the timing oracle, so the server refuses rather than risk it.
  errors.badParameter('RSA1_5 decryption is disabled on this server (CVE-2023-46809, the Marvin attack); use RSA-OAEP-256.');

/** Parameters that do not apply to an algorithm are refused rather than silently ignored. */
function refuseParameters(alg: string, given: Record<string, Buffer | undefined>): void {
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined) throw errors.badParameter(`The '${name}' parameter does not apply to '${alg}' here.`);
  }
}

function requireLength(name: string, value: Buffer | undefined, bytes: number, alg: string): Buffer {
  if (value === undefined) throw errors.badParameter(`The '${name}' parameter is required for '${alg}'.`);
  if (value.length !== bytes) throw errors.badParameter(`The '${name}' parameter must be ${bytes} bytes for '${alg}'.`);
  return value;
}

function checkDigest(alg: string, spec: AlgorithmSpec, digest: Buffer): void {
  if (spec.digestBytes !== undefined && digest.length !== spec.digestBytes) {
    throw errors.badParameter(`The digest for '${alg}' must be ${spec.digestBytes} bytes long; the given digest length is ${digest.length}.`);
  }
}

function equalConstantTime(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

// ---------------------------------------------------------------------------------------------------------------
// Key objects

// Importing an RSA JWK costs more than the operation's bookkeeping; remember it per material object.
const rsaKeys = new WeakMap<KeyMaterial, { privateKey: KeyObject; publicKey: KeyObject; modulusBytes: number; modulusBits: number }>();

function rsaKey(material: Extract<KeyMaterial, { kty: 'RSA' }>) {
  let key = rsaKeys.get(material);
  if (!key) {
    const privateKey = createPrivateKey({ key: material.jwk, format: 'jwk' });
    const modulusBits = privateKey.asymmetricKeyDetails?.modulusLength ?? Buffer.from(material.jwk.n, 'base64url').length * 8;
    key = { privateKey, publicKey: createPublicKey(privateKey), modulusBits, modulusBytes: Math.ceil(modulusBits / 8) };
    rsaKeys.set(material, key);
  }
  return key;
}

const octKey = (material: Extract<KeyMaterial, { kty: 'oct' }>) => Buffer.from(material.k, 'base64url');

// ---------------------------------------------------------------------------------------------------------------
// RSA encryption (encrypt/decrypt and wrapKey/unwrapKey share it)

const hashBytes: Record<HashName, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

function rsaEncrypt(material: Extract<KeyMaterial, { kty: 'RSA' }>, alg: string, spec: AlgorithmSpec, plaintext: Buffer): Buffer {
  const { publicKey, modulusBytes, modulusBits } = rsaKey(material);
  // RFC 8017 §7.1.1 and §7.2.1: at most k − 2hLen − 2 bytes for OAEP, k − 11 for PKCS#1 v1.5.
  const maxBytes = spec.hash ? modulusBytes - 2 * hashBytes[spec.hash] - 2 : modulusBytes - 11;
  if (plaintext.length > maxBytes) {
    throw errors.badParameter(`The value is ${plaintext.length} bytes; '${alg}' with this ${modulusBits}-bit key takes at most ${maxBytes} bytes.`);
  }
  return spec.hash
    ? publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: spec.hash }, plaintext)
    : publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, plaintext);
}

function rsaDecrypt(material: Extract<KeyMaterial, { kty: 'RSA' }>, alg: string, spec: AlgorithmSpec, ciphertext: Buffer): Buffer {
  if (!spec.hash) throw rsa1_5Refused();
  const { privateKey, modulusBytes } = rsaKey(material);
  if (ciphertext.length !== modulusBytes) throw errors.badParameter(`The value for '${alg}' must be ${modulusBytes} bytes for this key.`);
  try {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: spec.hash }, ciphertext);
  } catch {
    throw notDecryptable();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// encrypt / decrypt

export interface EncryptInput {
  alg: string;
  plaintext: Buffer;
  iv?: Buffer | undefined;
  aad?: Buffer | undefined;
}

export interface EncryptResult {
  result: Buffer;
  iv?: Buffer;
  tag?: Buffer;
  aad?: Buffer;
}

export interface DecryptInput {
  alg: string;
  ciphertext: Buffer;
  iv?: Buffer | undefined;
  aad?: Buffer | undefined;
  tag?: Buffer | undefined;
}

const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
const AES_BLOCK_BYTES = 16;

type AesMode = 'gcm' | 'cbc' | 'cbc-pad';
const aesMode = (alg: string): AesMode => (alg.endsWith('GCM') ? 'gcm' : alg.endsWith('CBCPAD') ? 'cbc-pad' : 'cbc');
// resolve() has checked the key length, so these name ciphers node has.
const gcmCipher = (keyBytes: number) => `aes-${keyBytes * 8}-gcm` as CipherGCMTypes;
const cbcCipher = (keyBytes: number) => `aes-${keyBytes * 8}-cbc`;

export function encrypt(material: KeyMaterial, input: EncryptInput): EncryptResult {
  const { alg, plaintext, iv, aad } = input;
  const spec = resolve(alg, 'encrypt', material);
  if (material.kty === 'RSA') {
    refuseParameters(alg, { iv, aad });
    return { result: rsaEncrypt(material, alg, spec, plaintext) };
  }
  if (material.kty !== 'oct') throw errors.badParameter(`The algorithm '${alg}' cannot be used with a key of type '${material.kty}'.`);
  const key = octKey(material);
  const mode = aesMode(alg);
  if (mode === 'gcm') {
    // Azure generates the IV for AES-GCM (the SDK's CryptographyClient notes "the service must generate the IV"),
    // so a caller can never make the server reuse a nonce under a key.
    if (iv !== undefined) throw errors.badParameter(`The 'iv' parameter must not be set for '${alg}' encryption: the server generates the IV.`);
    const gcmIv = randomBytes(GCM_IV_BYTES);
    const cipher = createCipheriv(gcmCipher(key.length), key, gcmIv, { authTagLength: GCM_TAG_BYTES });
    if (aad !== undefined) cipher.setAAD(aad);
    const result = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { result, iv: gcmIv, tag: cipher.getAuthTag(), ...(aad !== undefined && { aad }) };
  }
  refuseParameters(alg, { aad });
  const cbcIv = requireLength('iv', iv, AES_BLOCK_BYTES, alg);
  if (mode === 'cbc' && (plaintext.length === 0 || plaintext.length % AES_BLOCK_BYTES !== 0)) {
    throw errors.badParameter(`The value for '${alg}' (no padding) must be a non-empty multiple of ${AES_BLOCK_BYTES} bytes; use '${alg}PAD' otherwise.`);
  }
  const cipher = createCipheriv(cbcCipher(key.length), key, cbcIv);
  cipher.setAutoPadding(mode === 'cbc-pad'); // CBCPAD is PKCS#7, node's default padding
  return { result: Buffer.concat([cipher.update(plaintext), cipher.final()]), iv: cbcIv };
}

export function decrypt(material: KeyMaterial, input: DecryptInput): Buffer {
  const { alg, ciphertext, iv, aad, tag } = input;
  const spec = resolve(alg, 'encrypt', material);
  if (material.kty === 'RSA') {
    refuseParameters(alg, { iv, aad, tag });
    return rsaDecrypt(material, alg, spec, ciphertext);
  }
  if (material.kty !== 'oct') throw errors.badParameter(`The algorithm '${alg}' cannot be used with a key of type '${material.kty}'.`);
  const key = octKey(material);
  const mode = aesMode(alg);
  if (mode === 'gcm') {
    const gcmIv = requireLength('iv', iv, GCM_IV_BYTES, alg);
    // Only full-length tags: node would otherwise accept a truncated tag and weaken the check.
    const gcmTag = requireLength('tag', tag, GCM_TAG_BYTES, alg);
    const decipher = createDecipheriv(gcmCipher(key.length), key, gcmIv, { authTagLength: GCM_TAG_BYTES });
    decipher.setAuthTag(gcmTag);
    if (aad !== undefined) decipher.setAAD(aad);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw notDecryptable();
    }
  }
  refuseParameters(alg, { aad, tag });
  const cbcIv = requireLength('iv', iv, AES_BLOCK_BYTES, alg);
  if (ciphertext.length === 0 || ciphertext.length % AES_BLOCK_BYTES !== 0) {
    throw errors.badParameter(`The value for '${alg}' must be a non-empty multiple of ${AES_BLOCK_BYTES} bytes.`);
  }
  const decipher = createDecipheriv(cbcCipher(key.length), key, cbcIv);
  decipher.setAutoPadding(mode === 'cbc-pad');
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw notDecryptable();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// wrapKey / unwrapKey

// RFC 3394 §2.2.3.1: the default initial value of AES key wrap.
const KW_DEFAULT_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');
const KW_BLOCK_BYTES = 8;

const kwCipher = (keyBytes: number) => `id-aes${keyBytes * 8}-wrap`;

export function wrapKey(material: KeyMaterial, input: { alg: string; key: Buffer }): Buffer {
  const { alg, key: keyToWrap } = input;
  const spec = resolve(alg, 'wrap', material);
  if (material.kty === 'RSA') return rsaEncrypt(material, alg, spec, keyToWrap);
  if (material.kty !== 'oct') throw errors.badParameter(`The algorithm '${alg}' cannot be used with a key of type '${material.kty}'.`);
  // RFC 3394 §2: the key data is n ≥ 2 blocks of 64 bits.
  if (keyToWrap.length < 2 * KW_BLOCK_BYTES || keyToWrap.length % KW_BLOCK_BYTES !== 0) {
    throw errors.badParameter(`The key to wrap with '${alg}' must be a multiple of ${KW_BLOCK_BYTES} bytes and at least ${2 * KW_BLOCK_BYTES} bytes.`);
  }
  const kek = octKey(material);
  const cipher = createCipheriv(kwCipher(kek.length), kek, KW_DEFAULT_IV);
  return Buffer.concat([cipher.update(keyToWrap), cipher.final()]);
}

export function unwrapKey(material: KeyMaterial, input: { alg: string; wrapped: Buffer }): Buffer {
  const { alg, wrapped } = input;
  const spec = resolve(alg, 'wrap', material);
  if (material.kty === 'RSA') return rsaDecrypt(material, alg, spec, wrapped);
  if (material.kty !== 'oct') throw errors.badParameter(`The algorithm '${alg}' cannot be used with a key of type '${material.kty}'.`);
  if (wrapped.length < 3 * KW_BLOCK_BYTES || wrapped.length % KW_BLOCK_BYTES !== 0) {
    throw errors.badParameter(`The value to unwrap with '${alg}' must be a multiple of ${KW_BLOCK_BYTES} bytes and at least ${3 * KW_BLOCK_BYTES} bytes.`);
  }
  const kek = octKey(material);
  const decipher = createDecipheriv(kwCipher(kek.length), kek, KW_DEFAULT_IV);
  try {
    return Buffer.concat([decipher.update(wrapped), decipher.final()]); // fails when the integrity check value differs
  } catch {
    throw notDecryptable();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// RSASSA-PKCS1-v1_5 over a digest (RFC 8017 §8.2, §9.2): the service builds DigestInfo ‖ digest

const DIGEST_INFO_PREFIX: Partial<Record<HashName, Buffer>> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

function digestInfo(hash: HashName, digest: Buffer): Buffer {
  const prefix = DIGEST_INFO_PREFIX[hash];
  if (!prefix) throw errors.badParameter(`No DigestInfo for '${hash}'.`); // unreachable: RS* use SHA-2 only
  return Buffer.concat([prefix, digest]);
}

// ---------------------------------------------------------------------------------------------------------------
// EMSA-PSS (RFC 8017 §9.1) over a digest, with MGF1 on the same hash and a salt as long as the hash (RFC 7518 §3.5).
// Node has no API that signs a given digest with PSS (performance-facts.md §2.4); the RSA operation itself stays
// in OpenSSL (RSA_NO_PADDING).

/** MGF1 (RFC 8017 §B.2.1): T = Hash(seed ‖ C(0)) ‖ Hash(seed ‖ C(1)) ‖ …, cut to `length` bytes. */
function mgf1(hash: HashName, seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0, produced = 0; produced < length; counter++, produced += hashBytes[hash]) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xorInPlace(target: Buffer, mask: Buffer): void {
  for (const [i, m] of mask.entries()) target[i] = (target[i] ?? 0) ^ m;
}

/** H = Hash(0x00 × 8 ‖ mHash ‖ salt), steps 5–6 of §9.1.1 and 12–13 of §9.1.2. */
const pssHash = (hash: HashName, mHash: Buffer, salt: Buffer) => createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();

/** EMSA-PSS-ENCODE (§9.1.1) for emBits = modBits − 1; returns EM of emLen = ⌈emBits/8⌉ bytes. */
function emsaPssEncode(hash: HashName, mHash: Buffer, emBits: number): Buffer {
  const hLen = hashBytes[hash];
  const sLen = hLen;
  const emLen = Math.ceil(emBits / 8);
  // Step 3: the key must be large enough for hash, salt and the two fixed bytes.
  if (emLen < hLen + sLen + 2) throw errors.badParameter('The key is too small for this PSS algorithm.');
  const salt = randomBytes(sLen); // step 4
  const h = pssHash(hash, mHash, salt); // steps 5–6
  // Steps 7–8: DB = PS (zeros) ‖ 0x01 ‖ salt, of emLen − hLen − 1 bytes.
  const db = Buffer.alloc(emLen - hLen - 1);
  db[emLen - sLen - hLen - 2] = 0x01;
  salt.copy(db, emLen - sLen - hLen - 1);
  xorInPlace(db, mgf1(hash, h, db.length)); // steps 9–10: maskedDB = DB ⊕ MGF(H)
  db[0] = (db[0] ?? 0) & (0xff >>> (8 * emLen - emBits)); // step 11: clear the leftmost 8·emLen − emBits bits
  return Buffer.concat([db, h, Buffer.from([0xbc])]); // step 12: EM = maskedDB ‖ H ‖ 0xbc
}

/** EMSA-PSS-VERIFY (§9.1.2); `em` is exactly emLen bytes. */
function emsaPssVerify(hash: HashName, mHash: Buffer, em: Buffer, emBits: number): boolean {
  const hLen = hashBytes[hash];
  const sLen = hLen;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < hLen + sLen + 2) return false; // step 3
  if (em[emLen - 1] !== 0xbc) return false; // step 4
  const maskedDb = em.subarray(0, emLen - hLen - 1); // step 5
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const unusedBits = 8 * emLen - emBits;
  if (((maskedDb[0] ?? 0) & ~(0xff >>> unusedBits) & 0xff) !== 0) return false; // step 6
  const db = Buffer.from(maskedDb);
  xorInPlace(db, mgf1(hash, h, db.length)); // steps 7–8
  db[0] = (db[0] ?? 0) & (0xff >>> unusedBits); // step 9
  // Step 10: the leftmost emLen − hLen − sLen − 2 bytes are zero, the next is 0x01.
  const psLen = emLen - hLen - sLen - 2;
  if (!db.subarray(0, psLen).every((byte) => byte === 0) || db[psLen] !== 0x01) return false;
  const salt = db.subarray(db.length - sLen); // step 11
  return equalConstantTime(h, pssHash(hash, mHash, salt)); // steps 12–14
}

// ---------------------------------------------------------------------------------------------------------------
// ECDSA over a digest: node:crypto always hashes the input, so the curve arithmetic comes from @noble/curves.

const curves = { 'P-256': p256, 'P-256K': secp256k1, 'P-384': p384, 'P-521': p521 } as const;

// ---------------------------------------------------------------------------------------------------------------
// sign / verify

export function sign(material: KeyMaterial, input: { alg: string; digest: Buffer }): Buffer {
  const { alg, digest } = input;
  const spec = resolve(alg, 'sign', material);
  checkDigest(alg, spec, digest);
  const hash = spec.hash ?? 'sha256';
  switch (material.kty) {
    case 'RSA': {
      const { privateKey, modulusBits, modulusBytes } = rsaKey(material);
      if (alg.startsWith('RS')) return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo(hash, digest));
      // RSASSA-PSS-SIGN (§8.1.1): EM as a k-byte integer, then the raw private operation s = m^d mod n.
      const em = emsaPssEncode(hash, digest, modulusBits - 1);
      const m = Buffer.concat([Buffer.alloc(modulusBytes - em.length), em]);
      return privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, m);
    }
    case 'EC': {
      const secretKey = Buffer.from(material.jwk.d, 'base64url');
      // Compact r ‖ s, each as long as the curve order: Key Vault's signature format. Hedged nonces (RFC 6979 plus
      // fresh randomness) so a fault or a bad RNG alone cannot leak the key.
      return Buffer.from(curves[material.crv].sign(digest, secretKey, { prehash: false, extraEntropy: true }));
    }
    case 'oct':
      // HS*: the HMAC of the bytes the caller sends.
      return createHmac(hash, octKey(material)).update(digest).digest();
  }
}

/** True when `signature` is valid for `digest`; a malformed signature is simply not valid. */
export function verify(material: KeyMaterial, input: { alg: string; digest: Buffer; signature: Buffer }): boolean {
  const { alg, digest, signature } = input;
  const spec = resolve(alg, 'sign', material);
  checkDigest(alg, spec, digest);
  const hash = spec.hash ?? 'sha256';
  switch (material.kty) {
    case 'RSA': {
      const { publicKey, modulusBits, modulusBytes } = rsaKey(material);
      if (signature.length !== modulusBytes) return false;
      try {
        if (alg.startsWith('RS')) {
          const recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
          return equalConstantTime(recovered, digestInfo(hash, digest));
        }
        // RSASSA-PSS-VERIFY (§8.1.2): m = s^e mod n as k bytes; EM is its last emLen bytes, the rest must be zero.
        const m = publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature);
        const emLen = Math.ceil((modulusBits - 1) / 8);
        if (!m.subarray(0, m.length - emLen).every((byte) => byte === 0)) return false;
        return emsaPssVerify(hash, digest, m.subarray(m.length - emLen), modulusBits - 1);
      } catch {
        return false; // s ≥ n, or not a PKCS#1 v1.5 block
      }
    }
    case 'EC': {
      const curve = curves[material.crv];
      if (signature.length !== curve.lengths.signature) return false;
      const publicKey = Buffer.concat([Buffer.from([0x04]), Buffer.from(material.jwk.x, 'base64url'), Buffer.from(material.jwk.y, 'base64url')]);
      try {
        // lowS: false accepts the high-S half too, as OpenSSL and other signers produce it.
        return curve.verify(signature, digest, publicKey, { prehash: false, lowS: false });
      } catch {
        return false;
      }
    }
    case 'oct':
      return equalConstantTime(createHmac(hash, octKey(material)).update(digest).digest(), signature);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// One entry point for every operation, so a worker thread and the event loop run the same code

export type KeyOperationRequest =
  | { op: 'encrypt'; alg: string; plaintext: Buffer; iv?: Buffer | undefined; aad?: Buffer | undefined }
  | { op: 'decrypt'; alg: string; ciphertext: Buffer; iv?: Buffer | undefined; aad?: Buffer | undefined; tag?: Buffer | undefined }
  | { op: 'wrapKey'; alg: string; key: Buffer }
  | { op: 'unwrapKey'; alg: string; wrapped: Buffer }
  | { op: 'sign'; alg: string; digest: Buffer }
  | { op: 'verify'; alg: string; digest: Buffer; signature: Buffer };

/** `result` for every operation but verify, which answers `valid`. */
export type KeyOperationOutcome = { result: Buffer; iv?: Buffer; tag?: Buffer; aad?: Buffer } | { valid: boolean };

export function performKeyOperation(material: KeyMaterial, request: KeyOperationRequest): KeyOperationOutcome {
  switch (request.op) {
    case 'encrypt':
      return encrypt(material, request);
    case 'decrypt':
      return { result: decrypt(material, request) };
    case 'wrapKey':
      return { result: wrapKey(material, request) };
    case 'unwrapKey':
      return { result: unwrapKey(material, request) };
    case 'sign':
      return { result: sign(material, request) };
    case 'verify':
      return { valid: verify(material, request) };
  }
}

/**
 * Whether an operation costs enough CPU to leave the event loop: RSA private-key operations (~1 ms at 2048 bits,
 * ~10 ms at 4096) and all EC arithmetic (@noble/curves: ~1 ms to sign, ~5 ms to verify on P-256). RSA public-key
 * operations and AES/HMAC take tens of microseconds, less than a hand-off to a thread.
 */
export function isCpuHeavy(kty: SoftwareKeyType, op: KeyOperationRequest['op']): boolean {
  if (kty === 'EC') return true;
  if (kty === 'RSA') return op === 'decrypt' || op === 'unwrapKey' || op === 'sign';
  return false;
}
