import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type JsonWebKey as NodeJsonWebKey } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { CofferError } from '../../errors.js';
import { CURVES, type Curve, type KeyMaterial } from './key-material.js';
import {
  deserializeMaterial,
  generateKeyMaterial,
  importJsonWebKey,
  privateKeyObject,
  publicKeyObject,
  publicParts,
  serializeMaterial,
} from './jwk.js';

const RSA_SIZES = [2048, 3072, 4096] as const;
const OCT_SIZES = [128, 192, 256] as const;
const nodeCurve: Record<Curve, string> = { 'P-256': 'P-256', 'P-256K': 'secp256k1', 'P-384': 'P-384', 'P-521': 'P-521' };
const opensslCurve: Record<Curve, string> = { 'P-256': 'prime256v1', 'P-256K': 'secp256k1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };
const message = Buffer.from('the quick brown fox');

// RSA generation is the slow part of this suite: each size is generated once, in parallel on the thread pool.
const rsa = new Map<number, KeyMaterial>();
before(async () => {
  const generated = await Promise.all(RSA_SIZES.map((size) => generateKeyMaterial({ kty: 'RSA', size })));
  RSA_SIZES.forEach((size, i) => rsa.set(size, generated[i]!));
});

/** A node-exported private JWK of this curve with Azure's curve name, as an Azure client would send it. */
function ecJwk(crv: Curve): Record<string, unknown> {
  const jwk = generateKeyPairSync('ec', { namedCurve: nodeCurve[crv] }).privateKey.export({ format: 'jwk' });
  return { ...jwk, crv };
}

function rsaJwk(size: number): Record<string, unknown> {
  const material = rsa.get(size);
  assert.ok(material?.kty === 'RSA');
  return { ...material.jwk };
}

function assertSignsAndVerifies(material: KeyMaterial): void {
  const signature = sign('sha256', message, privateKeyObject(material));
  assert.equal(verify('sha256', message, publicKeyObject(material), signature), true);
  assert.equal(verify('sha256', Buffer.from('another message'), publicKeyObject(material), signature), false);
}

/** Asserts a 400 BadParameter CofferError whose message carries none of the input's base64url member values. */
function assertBadParameter(input: unknown, pattern?: RegExp): void {
  let caught: unknown;
  try {
    importJsonWebKey(input);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CofferError, `expected a CofferError, got ${String(caught)}`);
  assert.equal(caught.code, 'BadParameter');
  assert.equal(caught.status, 400);
  if (pattern) assert.match(caught.message, pattern);
  if (typeof input === 'object' && input !== null) {
    for (const [name, value] of Object.entries(input)) {
      if (typeof value === 'string' && !['kty', 'crv'].includes(name)) {
        assert.ok(!caught.message.includes(value), `message contains the value of '${name}'`);
      }
    }
  }
}

describe('generateKeyMaterial', () => {
  for (const size of RSA_SIZES) {
    it(`makes an RSA-${size} key that round-trips and signs`, () => {
      const material = rsa.get(size)!;
      assert.ok(material.kty === 'RSA');
      const restored = deserializeMaterial(serializeMaterial(material));
      assert.deepEqual(restored, material);
      assertSignsAndVerifies(restored);
      assert.equal(publicKeyObject(restored).asymmetricKeyDetails?.modulusLength, size);
      assert.deepEqual(publicParts(restored), { kty: 'RSA', n: material.jwk.n, e: 'AQAB' });
    });
  }

  for (const crv of CURVES) {
    it(`makes an EC ${crv} key that round-trips and signs`, async () => {
      const material = await generateKeyMaterial({ kty: 'EC', crv });
      assert.ok(material.kty === 'EC');
      assert.equal(material.crv, crv);
      const restored = deserializeMaterial(serializeMaterial(material));
      assert.deepEqual(restored, material);
      assertSignsAndVerifies(restored);
      assert.equal(publicKeyObject(restored).asymmetricKeyDetails?.namedCurve, opensslCurve[crv]);
      assert.deepEqual(publicParts(restored), { kty: 'EC', crv, x: material.jwk.x, y: material.jwk.y });
    });
  }

  for (const size of OCT_SIZES) {
    it(`makes an oct-${size} key that round-trips`, async () => {
      const material = await generateKeyMaterial({ kty: 'oct', size });
      assert.ok(material.kty === 'oct');
      assert.equal(Buffer.from(material.k, 'base64url').length, size / 8);
      assert.deepEqual(deserializeMaterial(serializeMaterial(material)), material);
      assert.deepEqual(publicParts(material), { kty: 'oct' });
      assert.throws(() => privateKeyObject(material), (error) => error instanceof Error && !(error instanceof CofferError));
      assert.throws(() => publicKeyObject(material));
    });
  }

  it('makes fresh material each time', async () => {
    assert.notDeepEqual(await generateKeyMaterial({ kty: 'oct', size: 256 }), await generateKeyMaterial({ kty: 'oct', size: 256 }));
    assert.notDeepEqual(await generateKeyMaterial({ kty: 'EC', crv: 'P-256' }), await generateKeyMaterial({ kty: 'EC', crv: 'P-256' }));
  });

  it('accepts public exponent 3', async () => {
    const material = await generateKeyMaterial({ kty: 'RSA', size: 2048, publicExponent: 3 });
    assert.ok(material.kty === 'RSA');
    assert.equal(material.jwk.e, 'Aw');
    assertSignsAndVerifies(material);
  });

  it('refuses unsupported public exponents, sizes and curves with BadParameter', async () => {
    const specs = [
      ...[1, 2, 4, 65536, -3, 1.5, 2 ** 31 + 1, Number.NaN].map((publicExponent) => ({ kty: 'RSA', size: 2048, publicExponent })),
      { kty: 'RSA', size: 1024 },
      { kty: 'EC', crv: 'P-192' },
      { kty: 'oct', size: 512 },
    ] as unknown as Parameters<typeof generateKeyMaterial>[0][];
    for (const spec of specs) {
      await assert.rejects(generateKeyMaterial(spec), (error) => error instanceof CofferError && error.code === 'BadParameter' && error.status === 400);
    }
  });

  it('does not block the event loop while generating RSA', async () => {
    let turns = 0;
    let done = false;
    const spin = () => {
      turns++;
      if (!done) setImmediate(spin);
    };
    setImmediate(spin);
    await generateKeyMaterial({ kty: 'RSA', size: 2048 });
    done = true;
    assert.ok(turns > 1, `the event loop turned ${turns} times`);
  });
});

describe('importJsonWebKey', () => {
  for (const size of RSA_SIZES) {
    it(`imports an RSA-${size} key exported by node`, () => {
      const jwk = rsaJwk(size);
      const material = importJsonWebKey(jwk);
      assert.deepEqual(material, { kty: 'RSA', jwk });
      assertSignsAndVerifies(material);
    });
  }

  for (const crv of CURVES) {
    it(`imports an EC ${crv} key exported by node`, () => {
      const jwk = ecJwk(crv);
      const material = importJsonWebKey(jwk);
      assert.deepEqual(material, { kty: 'EC', crv, jwk: { ...jwk, crv: nodeCurve[crv] } });
      assert.deepEqual(publicParts(material), { kty: 'EC', crv, x: jwk.x, y: jwk.y });
      assertSignsAndVerifies(material);
      // A signature made by the imported key verifies under the caller's own public key.
      const callerPublicKey = createPublicKey({ key: { kty: 'EC', crv: nodeCurve[crv], x: jwk.x as string, y: jwk.y as string }, format: 'jwk' });
      assert.equal(verify('sha256', message, callerPublicKey, sign('sha256', message, privateKeyObject(material))), true);
    });
  }

  it('imports oct keys of 16, 24 and 32 bytes', () => {
    for (const bytes of [16, 24, 32]) {
      const k = randomBytes(bytes).toString('base64url');
      assert.deepEqual(importJsonWebKey({ kty: 'oct', k }), { kty: 'oct', k });
    }
  });

  it('validates -HSM types like their software type and returns the software type', () => {
    assert.equal(importJsonWebKey({ ...rsaJwk(2048), kty: 'RSA-HSM' }).kty, 'RSA');
    assert.equal(importJsonWebKey({ ...ecJwk('P-384'), kty: 'EC-HSM' }).kty, 'EC');
    assert.equal(importJsonWebKey({ kty: 'oct-HSM', k: randomBytes(32).toString('base64url') }).kty, 'oct');
    assertBadParameter({ ...rsaJwk(2048), kty: 'RSA-HSM', d: undefined });
    assertBadParameter({ kty: 'oct-HSM', k: randomBytes(8).toString('base64url') });
  });

  it('ignores kid, key_ops and other members', () => {
    const jwk = rsaJwk(2048);
    const material = importJsonWebKey({ ...jwk, kid: 'https://v.vault.azure.net/keys/k/1', key_ops: ['sign'], alg: 'RS256', ext: true });
    assert.deepEqual(material, { kty: 'RSA', jwk });
  });

  it('refuses what is not a JWK object', () => {
    for (const input of [null, undefined, 'RSA', 42, [], [rsaJwk(2048)]]) assertBadParameter(input, /JSON Web Key/);
  });

  it('refuses unknown or missing key types', () => {
    assertBadParameter({ ...rsaJwk(2048), kty: 'RSA-PSS' }, /'RSA-PSS' is not supported/);
    assertBadParameter({ ...rsaJwk(2048), kty: 'rsa' }, /kty/);
    assertBadParameter({ ...rsaJwk(2048), kty: undefined }, /kty/);
    assertBadParameter({ ...rsaJwk(2048), kty: 3 }, /kty/);
    assertBadParameter({ kty: 'OKP', crv: 'Ed25519', x: randomBytes(32).toString('base64url') }, /kty/);
  });

  it('refuses a public-only RSA key with a message saying the private key is needed', () => {
    const { n, e } = rsaJwk(2048);
    assertBadParameter({ kty: 'RSA', n, e }, /only public members.*private key/);
  });

  it('refuses RSA and EC keys missing a member', () => {
    for (const name of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi']) {
      assertBadParameter({ ...rsaJwk(2048), [name]: undefined }, new RegExp(`missing the member '${name}'`));
    }
    for (const name of ['x', 'y', 'd']) {
      assertBadParameter({ ...ecJwk('P-256'), [name]: undefined }, new RegExp(`missing the member '${name}'`));
    }
    assertBadParameter({ ...ecJwk('P-256'), crv: undefined }, /crv/);
    assertBadParameter({ kty: 'oct' }, /missing the member 'k'/);
  });

  it('refuses members that are not base64url', () => {
    const jwk = rsaJwk(2048);
    const d = jwk.d as string;
    for (const bad of [`${d.slice(0, -1)}+`, `${d.slice(0, -1)}/`, `${d}=`, ` ${d}`, `${d.slice(0, 10)}.${d.slice(11)}`, 42]) {
      assertBadParameter({ ...jwk, d: bad }, /'d' is not valid base64url/);
    }
    assertBadParameter({ ...ecJwk('P-256'), x: 'A+B/' }, /'x' is not valid base64url/);
    assertBadParameter({ kty: 'oct', k: `${randomBytes(32).toString('base64')}==` }, /'k'/);
    // A final character whose unused bits are set decodes to the same bytes, but is not the canonical encoding.
    assertBadParameter({ kty: 'oct', k: 'AAAAAAAAAAAAAAAAAAAAAB' }, /'k' is not valid base64url/);
  });

  it('refuses RSA moduli of other sizes', () => {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
    assertBadParameter(jwk, /1024 bits.*2048, 3072 or 4096/);
  });

  it('refuses RSA members taken from another key', () => {
    const jwk = rsaJwk(2048);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    for (const name of ['n', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const) {
      assertBadParameter({ ...jwk, [name]: other[name] }, /consistent key/);
    }
    assertBadParameter({ ...jwk, e: 'Aw' }, /consistent key/);
    assertBadParameter({ ...jwk, p: jwk.q, q: jwk.p }, /consistent key/);
  });

  it('refuses EC coordinates whose length does not match the curve', () => {
    const p384 = ecJwk('P-384');
    assertBadParameter({ ...p384, crv: 'P-256' }, /P-256 key must each be 32 bytes/);
    const p256 = ecJwk('P-256');
    assertBadParameter({ ...p256, crv: 'P-521' }, /66 bytes/);
    assertBadParameter({ ...p256, x: Buffer.from(p256.x as string, 'base64url').subarray(1).toString('base64url') }, /32 bytes/);
    assertBadParameter({ ...p256, y: Buffer.concat([Buffer.of(0), Buffer.from(p256.y as string, 'base64url')]).toString('base64url') }, /32 bytes/);
    assertBadParameter({ ...p256, d: randomBytes(33).toString('base64url') }, /at most 32 bytes/);
  });

  it('refuses unsupported curves, including JOSE names Azure does not use', () => {
    assertBadParameter({ ...ecJwk('P-256K'), crv: 'secp256k1' }, /'secp256k1' is not supported/);
    assertBadParameter({ ...ecJwk('P-256'), crv: 'P-192' }, /crv/);
  });

  it('refuses EC keys whose members do not belong together', () => {
    for (const crv of CURVES) {
      const jwk = ecJwk(crv);
      const other = ecJwk(crv);
      assertBadParameter({ ...jwk, d: other.d }, /consistent key/);
      assertBadParameter({ ...jwk, x: other.x }, /consistent key/);
    }
    // A P-256 key presented as P-256K has the right lengths but is not a point on secp256k1.
    assertBadParameter({ ...ecJwk('P-256'), crv: 'P-256K' }, /consistent key/);
  });

  it('refuses oct keys of other lengths', () => {
    for (const bytes of [1, 8, 15, 20, 33, 64]) {
      assertBadParameter({ kty: 'oct', k: randomBytes(bytes).toString('base64url') }, /16, 24 or 32 bytes/);
    }
  });
});

describe('privateKeyObject / publicKeyObject', () => {
  it('gives the public key node derives from the private key', () => {
    for (const material of [rsa.get(2048)!, importJsonWebKey(ecJwk('P-256K'))]) {
      const derived = privateKeyObject(material).export({ format: 'jwk' }) as NodeJsonWebKey;
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicMembers } = derived;
      assert.deepEqual(publicKeyObject(material).export({ format: 'jwk' }), publicMembers);
      assert.equal(publicKeyObject(material).type, 'public');
      assert.equal(privateKeyObject(material).type, 'private');
    }
  });
});

describe('serializeMaterial / deserializeMaterial', () => {
  it('refuses malformed bytes with a plain Error that quotes nothing', () => {
    const material = rsa.get(2048)!;
    const sealed = serializeMaterial(material).toString();
    for (const bytes of [
      Buffer.from(sealed.slice(0, -5)),
      Buffer.from('null'),
      Buffer.from('{"kty":"RSA"}'),
      Buffer.from('{"kty":"EC","crv":"secp256k1","jwk":{"x":"a","y":"b","d":"c"}}'),
      Buffer.from('{"kty":"oct"}'),
      Buffer.from('{"kty":"OKP","k":"a"}'),
    ]) {
      assert.throws(
        () => deserializeMaterial(bytes),
        (error) => error instanceof Error && !(error instanceof CofferError) && material.kty === 'RSA' && !error.message.includes(material.jwk.d.slice(-8)),
      );
    }
  });
});
