import assert from 'node:assert/strict';
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { describe, it } from 'node:test';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { CofferError } from '../../errors.js';
import type { Curve, KeyMaterial } from './key-material.js';
import { ALGORITHMS, FAMILY_OPERATIONS, decrypt, encrypt, isAlgorithm, sign, unwrapKey, verify, wrapKey } from './key-operations.js';

// Keys are made once: RSA-2048 generation alone takes ~0.3 s.

function rsaMaterial(privateKey: KeyObject): KeyMaterial {
  const jwk = privateKey.export({ format: 'jwk' });
  assert.ok(jwk.n && jwk.e && jwk.d);
  return { kty: 'RSA', jwk: { ...jwk, n: jwk.n, e: jwk.e, d: jwk.d } };
}

function ecMaterial(privateKey: KeyObject, crv: Curve): KeyMaterial {
  const jwk = privateKey.export({ format: 'jwk' });
  assert.ok(jwk.x && jwk.y && jwk.d);
  return { kty: 'EC', crv, jwk: { ...jwk, x: jwk.x, y: jwk.y, d: jwk.d } };
}

const octMaterial = (key: Buffer): KeyMaterial => ({ kty: 'oct', k: key.toString('base64url') });

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaKey = rsaMaterial(rsa.privateKey);

const nodeCurve: Record<Curve, string> = { 'P-256': 'prime256v1', 'P-256K': 'secp256k1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };
const ec = Object.fromEntries(
  (Object.keys(nodeCurve) as Curve[]).map((crv) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: nodeCurve[crv] });
    return [crv, { privateKey, publicKey, material: ecMaterial(privateKey, crv) }];
  }),
) as Record<Curve, { privateKey: KeyObject; publicKey: KeyObject; material: KeyMaterial }>;

const octBytes = { 128: randomBytes(16), 192: randomBytes(24), 256: randomBytes(32) };
const oct = { 128: octMaterial(octBytes[128]), 192: octMaterial(octBytes[192]), 256: octMaterial(octBytes[256]) };

const message = Buffer.from('The quick brown fox jumps over the lazy dog');
const digestOf = (hash: string) => createHash(hash).update(message).digest();

/** Runs fn and checks it throws Azure's 400 BadParameter, optionally with a message matching `pattern`. */
function assertBadParameter(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CofferError, `expected a CofferError, got ${String(error)}`);
    assert.equal(error.code, 'BadParameter');
    assert.equal(error.status, 400);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

const flipLastBit = (value: Buffer) => {
  const copy = Buffer.from(value);
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 1;
  return copy;
};

describe('ALGORITHMS', () => {
  it('describes each algorithm with its families and key type', () => {
    assert.deepEqual(ALGORITHMS['RSA-OAEP-256'].families, ['encrypt', 'wrap']);
    assert.deepEqual(ALGORITHMS.A256GCM, { families: ['encrypt'], kty: 'oct', keyBytes: 32 });
    assert.deepEqual(ALGORITHMS.A128KW.families, ['wrap']);
    assert.equal(ALGORITHMS.ES256K.crv, 'P-256K');
    assert.equal(ALGORITHMS.PS384.digestBytes, 48);
    assert.deepEqual(FAMILY_OPERATIONS.wrap, ['wrapKey', 'unwrapKey']);
    assert.ok(isAlgorithm('HS512'));
    assert.ok(!isAlgorithm('RSNULL'));
    assert.ok(!isAlgorithm('toString'));
  });
});

describe('sign and verify: RSASSA-PKCS1-v1_5 (RS*)', () => {
  for (const [alg, hash] of [['RS256', 'sha256'], ['RS384', 'sha384'], ['RS512', 'sha512']] as const) {
    it(`${alg} over a digest equals node's signature over the message, and each verifies the other`, () => {
      const signature = sign(rsaKey, { alg, digest: digestOf(hash) });
      assert.equal(signature.length, 256);
      assert.ok(nodeVerify(hash, message, rsa.publicKey, signature));
      const nodeSignature = nodeSign(hash, message, rsa.privateKey);
      assert.deepEqual(signature, nodeSignature); // PKCS#1 v1.5 is deterministic
      assert.equal(verify(rsaKey, { alg, digest: digestOf(hash), signature: nodeSignature }), true);
      assert.equal(verify(rsaKey, { alg, digest: digestOf(hash), signature: flipLastBit(nodeSignature) }), false);
      assert.equal(verify(rsaKey, { alg, digest: flipLastBit(digestOf(hash)), signature: nodeSignature }), false);
      assert.equal(verify(rsaKey, { alg, digest: digestOf(hash), signature: nodeSignature.subarray(1) }), false);
    });
  }
});

describe('sign and verify: RSASSA-PSS (PS*)', () => {
  for (const [alg, hash, saltLength] of [['PS256', 'sha256', 32], ['PS384', 'sha384', 48], ['PS512', 'sha512', 64]] as const) {
    it(`${alg} signatures verify in node, and node's verify here`, () => {
      const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength };
      const signature = sign(rsaKey, { alg, digest: digestOf(hash) });
      assert.equal(signature.length, 256);
      assert.ok(nodeVerify(hash, message, { key: rsa.publicKey, ...pss }, signature));
      assert.notDeepEqual(sign(rsaKey, { alg, digest: digestOf(hash) }), signature); // salted
      const nodeSignature = nodeSign(hash, message, { key: rsa.privateKey, ...pss });
      assert.equal(verify(rsaKey, { alg, digest: digestOf(hash), signature: nodeSignature }), true);
      assert.equal(verify(rsaKey, { alg, digest: digestOf(hash), signature: flipLastBit(nodeSignature) }), false);
      assert.equal(verify(rsaKey, { alg, digest: flipLastBit(digestOf(hash)), signature }), false);
      // A signature value ≥ n is not a signature.
      assert.equal(verify(rsaKey, { alg, digest: digestOf(hash), signature: Buffer.alloc(256, 0xff) }), false);
    });
  }

  it('does not accept a PKCS#1 v1.5 signature as PSS', () => {
    const signature = sign(rsaKey, { alg: 'RS256', digest: digestOf('sha256') });
    assert.equal(verify(rsaKey, { alg: 'PS256', digest: digestOf('sha256'), signature }), false);
  });
});

describe('sign and verify: ECDSA (ES*)', () => {
  const cases = [
    ['ES256', 'P-256', 'sha256', 64, p256],
    ['ES256K', 'P-256K', 'sha256', 64, secp256k1],
    ['ES384', 'P-384', 'sha384', 96, p384],
    ['ES512', 'P-521', 'sha512', 132, p521],
  ] as const;
  for (const [alg, crv, hash, length, curve] of cases) {
    const key = ec[crv];
    it(`${alg} signs a digest as raw r‖s that node verifies over the message, and verifies node's signatures`, () => {
      const signature = sign(key.material, { alg, digest: digestOf(hash) });
      assert.equal(signature.length, length);
      assert.ok(nodeVerify(hash, message, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature));
      for (let i = 0; i < 4; i++) {
        const nodeSignature = nodeSign(hash, message, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
        assert.equal(verify(key.material, { alg, digest: digestOf(hash), signature: nodeSignature }), true);
      }
      assert.equal(verify(key.material, { alg, digest: digestOf(hash), signature: flipLastBit(signature) }), false);
      assert.equal(verify(key.material, { alg, digest: flipLastBit(digestOf(hash)), signature }), false);
      assert.equal(verify(key.material, { alg, digest: digestOf(hash), signature: signature.subarray(1) }), false);
    });

    it(`${alg} verifies a high-S signature, as OpenSSL does`, () => {
      const signature = sign(key.material, { alg, digest: digestOf(hash) });
      const half = length / 2;
      const order = curve.Point.Fn.ORDER;
      const s = BigInt(`0x${signature.subarray(half).toString('hex')}`);
      const otherS = Buffer.from((order - s).toString(16).padStart(half * 2, '0'), 'hex');
      const highS = Buffer.concat([signature.subarray(0, half), otherS]);
      assert.ok(nodeVerify(hash, message, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, highS));
      assert.equal(verify(key.material, { alg, digest: digestOf(hash), signature: highS }), true);
    });
  }
});

describe('sign and verify: HMAC (HS*)', () => {
  for (const [alg, hash] of [['HS256', 'sha256'], ['HS384', 'sha384'], ['HS512', 'sha512']] as const) {
    it(`${alg} is the HMAC of the given bytes`, () => {
      const signature = sign(oct[256], { alg, digest: message });
      assert.deepEqual(signature, createHmac(hash, octBytes[256]).update(message).digest());
      assert.equal(verify(oct[256], { alg, digest: message, signature }), true);
      assert.equal(verify(oct[256], { alg, digest: message, signature: flipLastBit(signature) }), false);
      assert.equal(verify(oct[256], { alg, digest: message, signature: signature.subarray(1) }), false);
    });
  }
});

describe('sign and verify: bad input', () => {
  it('refuses a digest of the wrong length', () => {
    assertBadParameter(() => sign(rsaKey, { alg: 'RS256', digest: digestOf('sha384') }), /digest.*length/);
    assertBadParameter(() => sign(rsaKey, { alg: 'PS512', digest: digestOf('sha256') }), /digest.*length/);
    assertBadParameter(() => sign(ec['P-384'].material, { alg: 'ES384', digest: digestOf('sha256') }), /digest.*length/);
    assertBadParameter(
      () => verify(ec['P-256'].material, { alg: 'ES256', digest: Buffer.alloc(31), signature: Buffer.alloc(64) }),
      /digest.*length/,
    );
  });

  it('refuses an algorithm that does not fit the key type', () => {
    assertBadParameter(() => sign(ec['P-256'].material, { alg: 'RS256', digest: digestOf('sha256') }), /type 'EC'/);
    assertBadParameter(() => sign(rsaKey, { alg: 'ES256', digest: digestOf('sha256') }), /type 'RSA'/);
    assertBadParameter(() => sign(rsaKey, { alg: 'HS256', digest: message }), /type 'RSA'/);
    assertBadParameter(() => encrypt(ec['P-256'].material, { alg: 'RSA-OAEP-256', plaintext: message }), /type 'EC'/);
    assertBadParameter(() => wrapKey(oct[256], { alg: 'RSA-OAEP', key: randomBytes(32) }), /type 'oct'/);
  });

  it('refuses an EC algorithm on another curve', () => {
    assertBadParameter(() => sign(ec['P-384'].material, { alg: 'ES256', digest: digestOf('sha256') }), /curve 'P-256'.*'P-384'/);
    assertBadParameter(() => sign(ec['P-256'].material, { alg: 'ES256K', digest: digestOf('sha256') }), /curve/);
    assertBadParameter(() => verify(ec['P-256K'].material, { alg: 'ES256', digest: digestOf('sha256'), signature: Buffer.alloc(64) }), /curve/);
  });

  it('refuses unknown algorithms and algorithms of another operation', () => {
    assertBadParameter(() => sign(rsaKey, { alg: 'RS1', digest: digestOf('sha1') }), /'RS1' is not a supported signature algorithm/);
    assertBadParameter(() => sign(rsaKey, { alg: 'RSNULL', digest: digestOf('sha256') }), /not a supported/);
    assertBadParameter(() => sign(rsaKey, { alg: 'RSA-OAEP', digest: digestOf('sha256') }), /not a supported signature/);
    assertBadParameter(() => encrypt(rsaKey, { alg: 'RS256', plaintext: message }), /not a supported encryption/);
    assertBadParameter(() => encrypt(oct[128], { alg: 'A128KW', plaintext: message }), /not a supported encryption/);
    assertBadParameter(() => wrapKey(oct[128], { alg: 'A128GCM', key: randomBytes(16) }), /not a supported key wrap/);
  });
});

describe('encrypt and decrypt: RSA', () => {
  for (const [alg, oaepHash] of [['RSA-OAEP', 'sha1'], ['RSA-OAEP-256', 'sha256']] as const) {
    it(`${alg} ciphertexts decrypt in node, and node's decrypt here`, () => {
      const { result } = encrypt(rsaKey, { alg, plaintext: message });
      assert.equal(result.length, 256);
      const padding = constants.RSA_PKCS1_OAEP_PADDING;
      assert.deepEqual(privateDecrypt({ key: rsa.privateKey, padding, oaepHash }, result), message);
      const nodeCiphertext = publicEncrypt({ key: rsa.publicKey, padding, oaepHash }, message);
      assert.deepEqual(decrypt(rsaKey, { alg, ciphertext: nodeCiphertext }), message);
      assertBadParameter(() => decrypt(rsaKey, { alg, ciphertext: flipLastBit(nodeCiphertext) }), /could not be decrypted/);
    });
  }

  it('RSA-OAEP-256 does not decrypt an RSA-OAEP (SHA-1) ciphertext', () => {
    const { result } = encrypt(rsaKey, { alg: 'RSA-OAEP', plaintext: message });
    assertBadParameter(() => decrypt(rsaKey, { alg: 'RSA-OAEP-256', ciphertext: result }), /could not be decrypted/);
  });

  it('RSA1_5 encrypts a PKCS#1 v1.5 block (checked with the raw RSA operation) and refuses to decrypt', () => {
    const { result } = encrypt(rsaKey, { alg: 'RSA1_5', plaintext: message });
    // RFC 8017 §7.2.1: EM = 0x00 ‖ 0x02 ‖ PS (non-zero, ≥ 8 bytes) ‖ 0x00 ‖ M.
    const em = privateDecrypt({ key: rsa.privateKey, padding: constants.RSA_NO_PADDING }, result);
    assert.equal(em[0], 0x00);
    assert.equal(em[1], 0x02);
    const separator = em.indexOf(0x00, 2);
    assert.ok(separator >= 10);
    assert.deepEqual(em.subarray(separator + 1), message);
    assertBadParameter(() => decrypt(rsaKey, { alg: 'RSA1_5', ciphertext: result }), /RSA1_5 decryption is disabled.*CVE-2023-46809/);
    assertBadParameter(() => unwrapKey(rsaKey, { alg: 'RSA1_5', wrapped: result }), /RSA1_5 decryption is disabled/);
  });

  it('refuses plaintext longer than the padding allows', () => {
    // RSA-2048: k = 256; OAEP-SHA-256 k − 66 = 190, OAEP-SHA-1 k − 42 = 214, PKCS#1 v1.5 k − 11 = 245.
    for (const [alg, max] of [['RSA-OAEP-256', 190], ['RSA-OAEP', 214], ['RSA1_5', 245]] as const) {
      assert.equal(encrypt(rsaKey, { alg, plaintext: Buffer.alloc(max, 7) }).result.length, 256);
      assertBadParameter(() => encrypt(rsaKey, { alg, plaintext: Buffer.alloc(max + 1, 7) }), new RegExp(`at most ${max} bytes`));
      assertBadParameter(() => wrapKey(rsaKey, { alg, key: Buffer.alloc(max + 1, 7) }), new RegExp(`at most ${max} bytes`));
    }
  });

  it('refuses a ciphertext that is not one modulus long, and symmetric parameters', () => {
    assertBadParameter(() => decrypt(rsaKey, { alg: 'RSA-OAEP-256', ciphertext: Buffer.alloc(255) }), /256 bytes/);
    assertBadParameter(() => encrypt(rsaKey, { alg: 'RSA-OAEP-256', plaintext: message, iv: randomBytes(16) }), /'iv'/);
  });
});

describe('wrapKey and unwrapKey: RSA', () => {
  it('RSA-OAEP-256 wraps a key node unwraps, and unwraps what node wraps', () => {
    const key = randomBytes(32);
    const options = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };
    const wrapped = wrapKey(rsaKey, { alg: 'RSA-OAEP-256', key });
    assert.deepEqual(privateDecrypt({ key: rsa.privateKey, ...options }, wrapped), key);
    const nodeWrapped = publicEncrypt({ key: createPublicKey(rsa.privateKey), ...options }, key);
    assert.deepEqual(unwrapKey(rsaKey, { alg: 'RSA-OAEP-256', wrapped: nodeWrapped }), key);
  });
});

describe('encrypt and decrypt: AES-GCM', () => {
  for (const bits of [128, 192, 256] as const) {
    const alg = `A${bits}GCM`;
    const cipherName = `aes-${bits}-gcm` as const;
    it(`${alg} interoperates with node's ${cipherName}`, () => {
      const aad = Buffer.from('header');
      const out = encrypt(oct[bits], { alg, plaintext: message, aad });
      assert.equal(out.iv?.length, 12);
      assert.equal(out.tag?.length, 16);
      assert.deepEqual(out.aad, aad);
      assert.ok(out.iv && out.tag);
      const decipher = createDecipheriv(cipherName, octBytes[bits], out.iv);
      decipher.setAAD(aad);
      decipher.setAuthTag(out.tag);
      assert.deepEqual(Buffer.concat([decipher.update(out.result), decipher.final()]), message);

      const iv = randomBytes(12);
      const cipher = createCipheriv(cipherName, octBytes[bits], iv);
      const ciphertext = Buffer.concat([cipher.update(message), cipher.final()]);
      const tag = cipher.getAuthTag();
      assert.deepEqual(decrypt(oct[bits], { alg, ciphertext, iv, tag }), message);
      assertBadParameter(() => decrypt(oct[bits], { alg, ciphertext, iv, tag: flipLastBit(tag) }), /^The value could not be decrypted/);
      assertBadParameter(() => decrypt(oct[bits], { alg, ciphertext: flipLastBit(ciphertext), iv, tag }), /^The value could not be decrypted/);
      assertBadParameter(() => decrypt(oct[bits], { alg, ciphertext, iv, tag, aad }), /^The value could not be decrypted/);
    });
  }

  it('generates a fresh IV and refuses one from the caller', () => {
    const first = encrypt(oct[256], { alg: 'A256GCM', plaintext: message });
    const second = encrypt(oct[256], { alg: 'A256GCM', plaintext: message });
    assert.notDeepEqual(first.iv, second.iv);
    assert.equal(first.aad, undefined);
    assertBadParameter(() => encrypt(oct[256], { alg: 'A256GCM', plaintext: message, iv: randomBytes(12) }), /'iv'.*server generates/);
  });

  it('needs a 12-byte IV and a full 16-byte tag to decrypt', () => {
    const out = encrypt(oct[256], { alg: 'A256GCM', plaintext: message });
    assertBadParameter(() => decrypt(oct[256], { alg: 'A256GCM', ciphertext: out.result, tag: out.tag }), /'iv'.*required/);
    assertBadParameter(() => decrypt(oct[256], { alg: 'A256GCM', ciphertext: out.result, iv: out.iv }), /'tag'.*required/);
    assertBadParameter(() => decrypt(oct[256], { alg: 'A256GCM', ciphertext: out.result, iv: out.iv, tag: out.tag?.subarray(0, 12) }), /16 bytes/);
  });

  it('refuses a key of the wrong length', () => {
    assertBadParameter(() => encrypt(oct[128], { alg: 'A256GCM', plaintext: message }), /256-bit key; this key has 128 bits/);
    assertBadParameter(() => encrypt(oct[256], { alg: 'A128CBCPAD', plaintext: message, iv: randomBytes(16) }), /128-bit key/);
    assertBadParameter(() => wrapKey(oct[192], { alg: 'A256KW', key: randomBytes(32) }), /256-bit key/);
  });
});

describe('encrypt and decrypt: AES-CBC', () => {
  for (const bits of [128, 192, 256] as const) {
    const cipherName = `aes-${bits}-cbc`;
    it(`A${bits}CBC (no padding) and A${bits}CBCPAD (PKCS#7) equal node's ${cipherName}`, () => {
      const iv = randomBytes(16);
      const blocks = randomBytes(48);
      const raw = createCipheriv(cipherName, octBytes[bits], iv).setAutoPadding(false);
      const expectedRaw = Buffer.concat([raw.update(blocks), raw.final()]);
      const out = encrypt(oct[bits], { alg: `A${bits}CBC`, plaintext: blocks, iv });
      assert.deepEqual(out.result, expectedRaw);
      assert.deepEqual(out.iv, iv);
      assert.deepEqual(decrypt(oct[bits], { alg: `A${bits}CBC`, ciphertext: expectedRaw, iv }), blocks);

      const padded = createCipheriv(cipherName, octBytes[bits], iv);
      const expectedPadded = Buffer.concat([padded.update(message), padded.final()]);
      assert.deepEqual(encrypt(oct[bits], { alg: `A${bits}CBCPAD`, plaintext: message, iv }).result, expectedPadded);
      assert.deepEqual(decrypt(oct[bits], { alg: `A${bits}CBCPAD`, ciphertext: expectedPadded, iv }), message);
    });
  }

  it('refuses unpadded CBC plaintext that is not whole blocks, a missing IV and a broken padding', () => {
    const iv = randomBytes(16);
    assertBadParameter(() => encrypt(oct[256], { alg: 'A256CBC', plaintext: Buffer.alloc(17), iv }), /multiple of 16/);
    assertBadParameter(() => encrypt(oct[256], { alg: 'A256CBCPAD', plaintext: message }), /'iv'.*required/);
    assertBadParameter(() => encrypt(oct[256], { alg: 'A256CBCPAD', plaintext: message, iv: Buffer.alloc(12) }), /16 bytes/);
    assertBadParameter(() => decrypt(oct[256], { alg: 'A256CBC', ciphertext: Buffer.alloc(20), iv }), /multiple of 16/);
    // A last block that ends in 0x00 is never valid PKCS#7 padding.
    const raw = createCipheriv('aes-256-cbc', octBytes[256], iv).setAutoPadding(false);
    const badPadding = Buffer.concat([raw.update(Buffer.alloc(16)), raw.final()]);
    assertBadParameter(() => decrypt(oct[256], { alg: 'A256CBCPAD', ciphertext: badPadding, iv }), /^The value could not be decrypted/);
    assertBadParameter(() => encrypt(oct[256], { alg: 'A256CBCPAD', plaintext: message, iv, aad: message }), /'aad'/);
  });
});

describe('wrapKey and unwrapKey: AES key wrap', () => {
  const defaultIv = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');
  for (const bits of [128, 192, 256] as const) {
    it(`A${bits}KW equals node's id-aes${bits}-wrap and unwraps it`, () => {
      const key = randomBytes(32);
      const cipher = createCipheriv(`id-aes${bits}-wrap`, octBytes[bits], defaultIv);
      const expected = Buffer.concat([cipher.update(key), cipher.final()]);
      const wrapped = wrapKey(oct[bits], { alg: `A${bits}KW`, key });
      assert.deepEqual(wrapped, expected);
      assert.equal(wrapped.length, 40);
      assert.deepEqual(unwrapKey(oct[bits], { alg: `A${bits}KW`, wrapped }), key);
      assertBadParameter(() => unwrapKey(oct[bits], { alg: `A${bits}KW`, wrapped: flipLastBit(wrapped) }), /^The value could not be decrypted/);
    });
  }

  it('matches the RFC 3394 §4.6 test vector (256 bits of key data with a 256-bit KEK)', () => {
    const kek = octMaterial(Buffer.from('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F', 'hex'));
    const keyData = Buffer.from('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F', 'hex');
    const ciphertext = Buffer.from('28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21', 'hex');
    assert.deepEqual(wrapKey(kek, { alg: 'A256KW', key: keyData }), ciphertext);
    assert.deepEqual(unwrapKey(kek, { alg: 'A256KW', wrapped: ciphertext }), keyData);
  });

  it('refuses key data that is not whole 64-bit blocks or shorter than two', () => {
    assertBadParameter(() => wrapKey(oct[256], { alg: 'A256KW', key: randomBytes(20) }), /multiple of 8/);
    assertBadParameter(() => wrapKey(oct[256], { alg: 'A256KW', key: randomBytes(8) }), /at least 16/);
    assertBadParameter(() => unwrapKey(oct[256], { alg: 'A256KW', wrapped: randomBytes(16) }), /at least 24/);
  });
});
