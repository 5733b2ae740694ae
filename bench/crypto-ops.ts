// The raw operations behind the key scenarios' baseline: what node:crypto does for one Key Vault key operation,
// with nothing around it (no HTTP, JSON, auth, storage or audit). Each mirrors the calls Coffer makes in
// src/domain/keys/key-operations.ts on the same key type and size and the same input sizes as the scenario's
// request body (the inputs below are shared with bench/scenarios.ts). bench/crypto-baseline.ts runs one of them in
// a tight loop on worker threads.
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  privateEncrypt,
  publicDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';

/** The fixed inputs of the key scenarios, sent by wrk to Coffer and fed to the raw operations. */
export const DIGEST = Buffer.from('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'hex'); // SHA-256("test"), 32 bytes
export const KEY_TO_WRAP = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex'); // an AES-256 key, 32 bytes
export const PLAINTEXT = Buffer.alloc(1024, 'Coffer benchmark plaintext. '); // 1 KiB

/** DigestInfo(SHA-256) prefix (RFC 8017 §9.2 note 1): RS256 over a digest is privateEncrypt(prefix ‖ digest). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');
/** RFC 3394 §2.2.3.1 default IV, as Coffer uses it. */
const KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');
const RSA_OAEP_256 = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;

/** Key material and inputs made once in the baseline process and handed to each thread (structured-cloneable). */
export interface Prepared {
  privatePem?: string;
  publicPem?: string;
  /** EC: the private scalar, for @noble/curves. */
  d?: Uint8Array;
  /** AES key. */
  k?: Uint8Array;
  /** The input of a consuming operation: wrapped key, ciphertext, iv, tag, made with this key. */
  input?: Uint8Array;
  iv?: Uint8Array;
  tag?: Uint8Array;
}

export interface RawOp {
  /** What runs, for the report. */
  description: string;
  prepare(): Prepared;
  /** Returns the operation as a closure; `check` runs it once and verifies its output, throwing if wrong. */
  make(prepared: Prepared): { run(): unknown; check(): void };
}

const buf = (bytes: Uint8Array | undefined) => {
  if (bytes === undefined) throw new Error('raw crypto: input missing from the prepared data');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};

function rsaPair(): Prepared {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

function keys(prepared: Prepared): { privateKey: KeyObject; publicKey: KeyObject } {
  const privateKey = createPrivateKey(prepared.privatePem!);
  return { privateKey, publicKey: prepared.publicPem ? createPublicKey(prepared.publicPem) : createPublicKey(privateKey) };
}

function expectEqual(actual: Buffer, expected: Buffer, what: string): void {
  if (!actual.equals(expected)) throw new Error(`raw crypto self-check failed: ${what}`);
}

const kwWrap = (kek: Buffer, data: Buffer) => {
  const cipher = createCipheriv('id-aes256-wrap', kek, KW_IV);
  return Buffer.concat([cipher.update(data), cipher.final()]);
};

function gcmEncrypt(key: Buffer, plaintext: Buffer): { result: Buffer; iv: Buffer; tag: Buffer } {
  // As Coffer: a fresh 96-bit IV per encryption, a 128-bit tag.
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  const result = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { result, iv, tag: cipher.getAuthTag() };
}

export const RAW_OPS = {
  'rs256-sign': {
    description: 'RSA-2048 RS256 over a 32-byte digest: privateEncrypt(PKCS#1 v1.5, DigestInfo ‖ digest), as Coffer',
    prepare: rsaPair,
    make(prepared) {
      const { privateKey, publicKey } = keys(prepared);
      const run = () => privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, DIGEST]));
      return {
        run,
        check: () => expectEqual(publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, run()), Buffer.concat([SHA256_DIGEST_INFO, DIGEST]), 'RS256 signature'),
      };
    },
  },
  'es256-sign': {
    description:
      'EC P-256 ES256: crypto.sign("sha256", 32-byte message, ieee-p1363). node:crypto cannot sign a given digest with ECDSA, ' +
      'so this signs the 32 bytes as a message (one extra SHA-256 of 32 bytes, well under 1 µs): the closest raw operation',
    prepare() {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
    },
    make(prepared) {
      const { privateKey, publicKey } = keys(prepared);
      const run = () => sign('sha256', DIGEST, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return {
        run,
        check: () => {
          if (!verify('sha256', DIGEST, { key: publicKey, dsaEncoding: 'ieee-p1363' }, run())) throw new Error('raw crypto self-check failed: ES256 signature');
        },
      };
    },
  },
  'es256-sign-noble': {
    description: 'EC P-256 ES256 over the 32-byte digest with @noble/curves p256.sign(digest, d, {prehash: false, extraEntropy: true}): the call Coffer makes',
    prepare() {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const d = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
      return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, d };
    },
    make(prepared) {
      const d = buf(prepared.d);
      const { publicKey } = keys(prepared);
      const run = () => p256.sign(DIGEST, d, { prehash: false, extraEntropy: true });
      return {
        run,
        check: () => {
          // Checked with noble against the public point (node:crypto would hash the digest again).
          const jwk = publicKey.export({ format: 'jwk' });
          const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
          if (!p256.verify(run(), DIGEST, point, { prehash: false })) throw new Error('raw crypto self-check failed: noble ES256 signature');
        },
      };
    },
  },
  'rsa-oaep-256-wrap': {
    description: 'RSA-2048 RSA-OAEP-256 of a 32-byte key: publicEncrypt(OAEP, SHA-256)',
    prepare: rsaPair,
    make(prepared) {
      const { privateKey, publicKey } = keys(prepared);
      const run = () => publicEncrypt({ key: publicKey, ...RSA_OAEP_256 }, KEY_TO_WRAP);
      return { run, check: () => expectEqual(privateDecrypt({ key: privateKey, ...RSA_OAEP_256 }, run()), KEY_TO_WRAP, 'RSA-OAEP-256 wrap') };
    },
  },
  'rsa-oaep-256-unwrap': {
    description: 'RSA-2048 RSA-OAEP-256 unwrap of a 32-byte key: privateDecrypt(OAEP, SHA-256)',
    prepare() {
      const pair = rsaPair();
      return { ...pair, input: publicEncrypt({ key: createPublicKey(pair.publicPem!), ...RSA_OAEP_256 }, KEY_TO_WRAP) };
    },
    make(prepared) {
      const { privateKey } = keys(prepared);
      const wrapped = buf(prepared.input);
      const run = () => privateDecrypt({ key: privateKey, ...RSA_OAEP_256 }, wrapped);
      return { run, check: () => expectEqual(run(), KEY_TO_WRAP, 'RSA-OAEP-256 unwrap') };
    },
  },
  'a256kw-wrap': {
    description: 'A256KW (RFC 3394) of a 32-byte key: createCipheriv("id-aes256-wrap"), update, final',
    prepare: () => ({ k: randomBytes(32) }),
    make(prepared) {
      const kek = buf(prepared.k);
      const run = () => kwWrap(kek, KEY_TO_WRAP);
      return {
        run,
        check: () => {
          const decipher = createDecipheriv('id-aes256-wrap', kek, KW_IV);
          expectEqual(Buffer.concat([decipher.update(run()), decipher.final()]), KEY_TO_WRAP, 'A256KW wrap');
        },
      };
    },
  },
  'a256kw-unwrap': {
    description: 'A256KW (RFC 3394) unwrap of a 32-byte key: createDecipheriv("id-aes256-wrap"), update, final (integrity check)',
    prepare() {
      const k = randomBytes(32);
      return { k, input: kwWrap(k, KEY_TO_WRAP) };
    },
    make(prepared) {
      const kek = buf(prepared.k);
      const wrapped = buf(prepared.input);
      const run = () => {
        const decipher = createDecipheriv('id-aes256-wrap', kek, KW_IV);
        return Buffer.concat([decipher.update(wrapped), decipher.final()]);
      };
      return { run, check: () => expectEqual(run(), KEY_TO_WRAP, 'A256KW unwrap') };
    },
  },
  'a256gcm-encrypt': {
    description: 'A256GCM of 1 KiB: randomBytes(12) IV, createCipheriv("aes-256-gcm"), update, final, getAuthTag',
    prepare: () => ({ k: randomBytes(32) }),
    make(prepared) {
      const key = buf(prepared.k);
      const run = () => gcmEncrypt(key, PLAINTEXT);
      return {
        run,
        check: () => {
          const { result, iv, tag } = run();
          const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
          decipher.setAuthTag(tag);
          expectEqual(Buffer.concat([decipher.update(result), decipher.final()]), PLAINTEXT, 'A256GCM encrypt');
        },
      };
    },
  },
  'rsa-2048-keygen-sign': {
    description:
      'RSA-2048 key generation, generateKeyPairSync("rsa", {modulusLength: 2048, publicExponent: 65537}), then one RS256 signature with the new key ' +
      'over a 32-byte digest (privateEncrypt(PKCS#1 v1.5, DigestInfo ‖ digest), the signature of a self-signed certificate): the cryptographic core of a certificate',
    prepare: () => ({}),
    make() {
      const run = () => {
        const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
        return { publicKey, signature: privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, DIGEST])) };
      };
      return {
        run,
        check: () => {
          const { publicKey, signature } = run();
          if (publicKey.asymmetricKeyDetails?.modulusLength !== 2048) throw new Error('raw crypto self-check failed: RSA key size');
          expectEqual(publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature), Buffer.concat([SHA256_DIGEST_INFO, DIGEST]), 'RS256 signature with a new key');
        },
      };
    },
  },
  'a256gcm-decrypt': {
    description: 'A256GCM decryption of 1 KiB: createDecipheriv("aes-256-gcm"), setAuthTag, update, final (tag check)',
    prepare() {
      const k = randomBytes(32);
      const { result, iv, tag } = gcmEncrypt(k, PLAINTEXT);
      return { k, input: result, iv, tag };
    },
    make(prepared) {
      const key = buf(prepared.k);
      const [ciphertext, iv, tag] = [buf(prepared.input), buf(prepared.iv), buf(prepared.tag)];
      const run = () => {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      };
      return { run, check: () => expectEqual(run(), PLAINTEXT, 'A256GCM decrypt') };
    },
  },
} satisfies Record<string, RawOp>;

export type RawOpName = keyof typeof RAW_OPS;

/** One measured run of bench/crypto-baseline.ts, over all its threads. */
export interface CryptoRun {
  ops: number;
  /** The longest thread's measured time, µs. */
  durationUs: number;
  /** Sum over threads of ops ÷ that thread's time. */
  opsPerSec: number;
  /** Time of one operation (no queueing: each thread runs one at a time), µs. */
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
  /** Mean and standard deviation of the time of one operation, µs (the spread of RSA key generation sets the sampling noise of the certificate scenario). */
  meanUs?: number;
  stdUs?: number;
}

export const isRawOp = (name: string): name is RawOpName => Object.hasOwn(RAW_OPS, name);
