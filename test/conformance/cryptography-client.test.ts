// CryptographyClient (@azure/keyvault-keys) against a real Coffer: every algorithm, with the halves the SDK does
// locally (RSA encrypt/wrapKey/verifyData with a KeyVaultKey, AES-CBCPAD with a local JWK) meeting the halves the
// server does, and node:crypto checking both sides with keys whose private members the test knows. Then Azure's
// rules (key_ops, enabled, nbf/exp), bad input that changes nothing, and the versionless remote operation.
import assert from 'node:assert/strict';
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign as cryptoSign,
  verify as cryptoVerify,
  type JsonWebKey as NodeJwk,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CryptographyClient, type JsonWebKey, type KeyClient, type KeyVaultKey } from '@azure/keyvault-keys';
import { startServer, uniqueName, type RawResponse, type TestServer } from '../support/start-server.js';

const apiVersion = '7.5';
const q = `?api-version=${apiVersion}`;
const ALL_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'] as const;
const KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');
const CURVES = [
  { crv: 'P-256', node: 'P-256', alg: 'ES256', hash: 'sha256', signatureBytes: 64 },
  { crv: 'P-256K', node: 'secp256k1', alg: 'ES256K', hash: 'sha256', signatureBytes: 64 },
  { crv: 'P-384', node: 'P-384', alg: 'ES384', hash: 'sha384', signatureBytes: 96 },
  { crv: 'P-521', node: 'P-521', alg: 'ES512', hash: 'sha512', signatureBytes: 132 },
] as const;
const RSA_SIGNATURES = [
  { alg: 'RS256', hash: 'sha256', pss: false },
  { alg: 'RS384', hash: 'sha384', pss: false },
  { alg: 'RS512', hash: 'sha512', pss: false },
  { alg: 'PS256', hash: 'sha256', pss: true },
  { alg: 'PS384', hash: 'sha384', pss: true },
  { alg: 'PS512', hash: 'sha512', pss: true },
] as const;
const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;

/** A validator for assert.rejects: the RestError a client sees (the keys SDK carries no innererror). */
function azureError(status: number, code: string, messagePattern?: RegExp) {
  return (error: any) => {
    assert.equal(error?.statusCode, status, `status of ${error}`);
    assert.equal(error.code, code);
    if (messagePattern) assert.match(error.message, messagePattern);
    return true;
  };
}

function assertRawError(response: RawResponse, status: number, code: string, innerCode: string | undefined, context: string): void {
  assert.equal(response.status, status, `${context}: ${response.text}`);
  assert.equal(response.json?.error?.code, code, context);
  if (innerCode !== undefined) assert.equal(response.json.error.innererror?.code, innerCode, context);
}

const b64u = (bytes: Uint8Array | Buffer): string => Buffer.from(bytes).toString('base64url');
const fromB64u = (text: string): Buffer => Buffer.from(text, 'base64url');
const digestOf = (hash: string, data: Buffer): Buffer => createHash(hash).update(data).digest();

/** A node:crypto JWK as the SDK's JsonWebKey (bytes), with Azure's curve names. */
function sdkJwk(jwk: NodeJwk, keyOps?: string[]): JsonWebKey {
  const out: Record<string, unknown> = { kty: jwk.kty };
  for (const member of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'x', 'y'] as const) {
    if (typeof jwk[member] === 'string') out[member] = fromB64u(jwk[member]);
  }
  if (jwk.crv !== undefined) out.crv = jwk.crv === 'secp256k1' ? 'P-256K' : jwk.crv;
  if (keyOps) out.keyOps = keyOps;
  return out as JsonWebKey;
}

/** The RSA primitive m = c^d mod n, for checking RSA1_5 ciphertexts that Node 20 will not decrypt (CVE-2023-46809). */
function rsaRawDecrypt(jwk: NodeJwk, ciphertext: Buffer): Buffer {
  const big = (text: string) => BigInt(`0x${fromB64u(text).toString('hex')}`);
  const n = big(jwk.n!);
  let base = BigInt(`0x${ciphertext.toString('hex')}`) % n;
  let exponent = big(jwk.d!);
  let result = 1n;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % n;
    exponent >>= 1n;
    base = (base * base) % n;
  }
  const bytes = fromB64u(jwk.n!).length;
  return Buffer.from(result.toString(16).padStart(bytes * 2, '0'), 'hex');
}

/** EME-PKCS1-v1_5 decoding (RFC 8017 §7.2.2): 00 02 PS(≥ 8 non-zero) 00 M. */
function pkcs1v15Unpad(em: Buffer): Buffer {
  assert.equal(em[0], 0x00);
  assert.equal(em[1], 0x02);
  const separator = em.indexOf(0x00, 2);
  assert.ok(separator >= 10, 'at least 8 bytes of padding');
  return em.subarray(separator + 1);
}

describe('CryptographyClient', () => {
  let server: TestServer;
  let keys: KeyClient;
  let token: string;

  const raw = (method: string, pathAndQuery: string, body?: unknown) =>
    server.request(method, `${server.vaultUrl()}${pathAndQuery}`, { token, ...(body === undefined ? {} : { body }) });
  /** POST /keys/NAME/VERSION/OPERATION (VERSION may be empty: the latest). */
  const op = (name: string, version: string, operation: string, body: unknown) => raw('POST', `/keys/${name}/${version}/${operation}${q}`, body);

  /** A CryptographyClient that records the requests it sends, to tell local work from remote. */
  function recordingClient(key: string | KeyVaultKey): { crypto: CryptographyClient; requests: string[] } {
    const requests: string[] = [];
    const policy = {
      name: 'record-requests',
      sendRequest: (request: { method: string; url: string }, next: (request: any) => Promise<any>) => {
        requests.push(`${request.method} ${new URL(request.url).pathname}`);
        return next(request);
      },
    };
    const crypto = new CryptographyClient(key as any, server.credential(), {
      disableChallengeResourceVerification: true,
      agent: server.agent,
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [{ policy, position: 'perCall' }],
    } as any);
    return { crypto, requests };
  }

  /** Imported keys whose private members the test knows. */
  let rsa: { jwk: NodeJwk; key: KeyVaultKey; privateKey: KeyObject; publicKey: KeyObject };
  const ec = new Map<string, { jwk: NodeJwk; key: KeyVaultKey; publicKey: KeyObject; privateKey: KeyObject }>();
  const oct = new Map<number, { k: Buffer; key: KeyVaultKey }>();

  before(async () => {
    let rsaPair: { privateKey: KeyObject; publicKey: KeyObject };
    [server, rsaPair] = await Promise.all([startServer(), promisify(generateKeyPair)('rsa', { modulusLength: 2048 })]);
    keys = server.keyClient();
    token = await server.adminToken();

    const rsaJwk = rsaPair.privateKey.export({ format: 'jwk' });
    const imports: Array<Promise<unknown>> = [
      keys.importKey(uniqueName('rsa'), sdkJwk(rsaJwk)).then((key) => (rsa = { jwk: rsaJwk, key, ...rsaPair })),
    ];
    for (const { crv, node } of CURVES) {
      const pair = generateKeyPairSync('ec', { namedCurve: node });
      const jwk = pair.privateKey.export({ format: 'jwk' });
      imports.push(keys.importKey(uniqueName('ec'), sdkJwk(jwk)).then((key) => ec.set(crv, { jwk, key, ...pair })));
    }
    for (const bits of [128, 192, 256] as const) {
      const k = randomBytes(bits / 8);
      imports.push(keys.importKey(uniqueName('oct'), { kty: 'oct', k, keyOps: [...ALL_OPS] }).then((key) => oct.set(bits, { k, key })));
    }
    await Promise.all(imports);
  });
  after(() => server.dispose());

  describe('RSA encryption: RSA-OAEP, RSA-OAEP-256 and RSA1_5', () => {
    it('RSA-OAEP: the client encrypts locally with the public key, the server decrypts', async () => {
      const { crypto, requests } = recordingClient(rsa.key);
      const plaintext = randomBytes(100);
      const encrypted = await crypto.encrypt({ algorithm: 'RSA-OAEP', plaintext });
      assert.equal(requests.length, 0, 'RSA-OAEP encryption with a KeyVaultKey is local');
      assert.equal(encrypted.keyID, rsa.key.id);
      const decrypted = await crypto.decrypt({ algorithm: 'RSA-OAEP', ciphertext: encrypted.result });
      assert.ok(requests.includes(`POST /keys/${rsa.key.name}/${rsa.key.properties.version}/decrypt`), requests.join(', '));
      assert.deepEqual(Buffer.from(decrypted.result), plaintext);
      // node:crypto agrees: it decrypts the local ciphertext with the known private key (OAEP, SHA-1).
      assert.deepEqual(privateDecrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, encrypted.result), plaintext);
    });

    it('RSA-OAEP: the server encrypts, node:crypto decrypts; node:crypto encrypts, the server decrypts', async () => {
      const plaintext = randomBytes(64);
      const response = await op(rsa.key.name, rsa.key.properties.version!, 'encrypt', { alg: 'RSA-OAEP', value: b64u(plaintext) });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.kid, rsa.key.id);
      assert.equal(fromB64u(response.json.value).length, 256);
      assert.deepEqual(privateDecrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, fromB64u(response.json.value)), plaintext);

      const ciphertext = publicEncrypt({ key: rsa.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, plaintext);
      const decrypted = await server.cryptographyClient(rsa.key).decrypt({ algorithm: 'RSA-OAEP', ciphertext });
      assert.deepEqual(Buffer.from(decrypted.result), plaintext);
    });

    it('RSA-OAEP-256: the server does both halves for the SDK, and interoperates with node:crypto', async () => {
      const { crypto, requests } = recordingClient(rsa.key);
      const plaintext = randomBytes(190); // the OAEP-SHA-256 maximum for 2048 bits
      const encrypted = await crypto.encrypt({ algorithm: 'RSA-OAEP-256', plaintext });
      assert.ok(requests.some((r) => r.endsWith('/encrypt')), 'the SDK has no local RSA-OAEP-256');
      assert.deepEqual(privateDecrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, encrypted.result), plaintext);
      assert.deepEqual(Buffer.from((await crypto.decrypt({ algorithm: 'RSA-OAEP-256', ciphertext: encrypted.result })).result), plaintext);

      const ciphertext = publicEncrypt({ key: rsa.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, plaintext);
      assert.deepEqual(Buffer.from((await crypto.decrypt({ algorithm: 'RSA-OAEP-256', ciphertext })).result), plaintext);
      // The wrong OAEP hash does not decrypt: the algorithms are really different.
      await assert.rejects(crypto.decrypt({ algorithm: 'RSA-OAEP', ciphertext }), azureError(400, 'BadParameter'));
    });

    it('RSA-OAEP and RSA-OAEP-256 wrapKey/unwrapKey: local or remote wrap, server unwrap, node:crypto in between', async () => {
      const { crypto, requests } = recordingClient(rsa.key);
      const cek = randomBytes(32);
      const wrappedLocally = await crypto.wrapKey('RSA-OAEP', cek);
      assert.equal(requests.length, 0, 'RSA-OAEP wrapKey with a KeyVaultKey is local');
      assert.deepEqual(Buffer.from((await crypto.unwrapKey('RSA-OAEP', wrappedLocally.result)).result), cek);
      assert.ok(requests.some((r) => r.endsWith('/unwrapkey')));

      const wrapped256 = await crypto.wrapKey('RSA-OAEP-256', cek);
      assert.ok(requests.some((r) => r.endsWith('/wrapkey')));
      assert.deepEqual(privateDecrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped256.result), cek);
      assert.deepEqual(Buffer.from((await crypto.unwrapKey('RSA-OAEP-256', wrapped256.result)).result), cek);

      const byNode = publicEncrypt({ key: rsa.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, cek);
      assert.deepEqual(Buffer.from((await crypto.unwrapKey('RSA-OAEP', byNode)).result), cek);
    });

    it('RSA1_5: the client and the server encrypt and wrap (checked with the RSA primitive), the SDK locally', async () => {
      const { crypto, requests } = recordingClient(rsa.key);
      const plaintext = randomBytes(245); // k − 11 for 2048 bits
      const local = await crypto.encrypt({ algorithm: 'RSA1_5', plaintext });
      const localWrap = await crypto.wrapKey('RSA1_5', plaintext.subarray(0, 32));
      assert.equal(requests.length, 0, 'RSA1_5 encrypt and wrapKey with a KeyVaultKey are local');
      assert.deepEqual(pkcs1v15Unpad(rsaRawDecrypt(rsa.jwk, Buffer.from(local.result))), plaintext);
      assert.deepEqual(pkcs1v15Unpad(rsaRawDecrypt(rsa.jwk, Buffer.from(localWrap.result))), plaintext.subarray(0, 32));

      for (const operation of ['encrypt', 'wrapkey']) {
        const response = await op(rsa.key.name, '', operation, { alg: 'RSA1_5', value: b64u(plaintext.subarray(0, 48)) });
        assert.equal(response.status, 200, `${operation}: ${response.text}`);
        assert.deepEqual(pkcs1v15Unpad(rsaRawDecrypt(rsa.jwk, fromB64u(response.json.value))), plaintext.subarray(0, 48));
      }
    });

    it('RSA1_5: decrypt and unwrapKey are refused with 400 BadParameter naming CVE-2023-46809 (Divergence: Azure decrypts)', async () => {
      const crypto = server.cryptographyClient(rsa.key);
      const ciphertext = (await crypto.encrypt({ algorithm: 'RSA1_5', plaintext: Buffer.from('marvin') })).result;
      await assert.rejects(crypto.decrypt({ algorithm: 'RSA1_5', ciphertext }), azureError(400, 'BadParameter', /CVE-2023-46809/));
      await assert.rejects(crypto.unwrapKey('RSA1_5', ciphertext), azureError(400, 'BadParameter', /CVE-2023-46809/));
      for (const operation of ['decrypt', 'unwrapkey']) {
        const response = await op(rsa.key.name, rsa.key.properties.version!, operation, { alg: 'RSA1_5', value: b64u(ciphertext) });
        assertRawError(response, 400, 'BadParameter', undefined, `RSA1_5 ${operation}`);
        assert.match(response.json.error.message, /CVE-2023-46809/);
        assert.equal(response.text.includes('marvin'), false);
      }
    });
  });

  describe('AES-GCM: A128GCM, A192GCM, A256GCM', () => {
    for (const bits of [128, 192, 256] as const) {
      it(`A${bits}GCM: the server makes the IV, authenticates the aad, and interoperates with node:crypto`, async () => {
        const { k, key } = oct.get(bits)!;
        const crypto = server.cryptographyClient(key);
        const algorithm = `A${bits}GCM` as const;
        const plaintext = randomBytes(77);
        const aad = randomBytes(20);
        const encrypted = await crypto.encrypt({ algorithm, plaintext, additionalAuthenticatedData: aad });
        assert.equal(encrypted.iv?.length, 12);
        assert.equal(encrypted.authenticationTag?.length, 16);
        assert.deepEqual(Buffer.from(encrypted.additionalAuthenticatedData!), aad);
        assert.equal(encrypted.result.length, plaintext.length);

        const decipher = createDecipheriv(`aes-${bits}-gcm` as 'aes-256-gcm', k, encrypted.iv!);
        decipher.setAAD(aad);
        decipher.setAuthTag(Buffer.from(encrypted.authenticationTag!));
        assert.deepEqual(Buffer.concat([decipher.update(encrypted.result), decipher.final()]), plaintext);

        const decrypted = await crypto.decrypt({ algorithm, ciphertext: encrypted.result, iv: encrypted.iv!, authenticationTag: encrypted.authenticationTag!, additionalAuthenticatedData: aad });
        assert.deepEqual(Buffer.from(decrypted.result), plaintext);

        const second = await crypto.encrypt({ algorithm, plaintext, additionalAuthenticatedData: aad });
        assert.notDeepEqual(Buffer.from(second.iv!), Buffer.from(encrypted.iv!), 'a fresh IV every time');

        // node:crypto encrypts with its own IV; the server decrypts.
        const iv = randomBytes(12);
        const cipher = createCipheriv(`aes-${bits}-gcm` as 'aes-256-gcm', k, iv);
        cipher.setAAD(aad);
        const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
        const fromNode = await crypto.decrypt({ algorithm, ciphertext, iv, authenticationTag: cipher.getAuthTag(), additionalAuthenticatedData: aad });
        assert.deepEqual(Buffer.from(fromNode.result), plaintext);
      });
    }

    it('refuses a wrong tag, wrong aad or truncated tag with 400 BadParameter', async () => {
      const { key } = oct.get(256)!;
      const crypto = server.cryptographyClient(key);
      const aad = Buffer.from('context');
      const encrypted = await crypto.encrypt({ algorithm: 'A256GCM', plaintext: Buffer.from('authenticated'), additionalAuthenticatedData: aad });
      const tag = Buffer.from(encrypted.authenticationTag!);
      const badTag = Buffer.from(tag);
      badTag[0] = badTag[0]! ^ 1;
      const base = { algorithm: 'A256GCM' as const, ciphertext: encrypted.result, iv: encrypted.iv! };
      await assert.rejects(crypto.decrypt({ ...base, authenticationTag: badTag, additionalAuthenticatedData: aad }), azureError(400, 'BadParameter'));
      await assert.rejects(crypto.decrypt({ ...base, authenticationTag: tag, additionalAuthenticatedData: Buffer.from('other') }), azureError(400, 'BadParameter'));
      await assert.rejects(crypto.decrypt({ ...base, authenticationTag: tag.subarray(0, 12), additionalAuthenticatedData: aad }), azureError(400, 'BadParameter'));
      await assert.rejects(crypto.decrypt({ ...base, authenticationTag: tag }), azureError(400, 'BadParameter'));
    });

    it("refuses a caller's IV for GCM encryption with 400 BadParameter", async () => {
      const { key } = oct.get(128)!;
      const response = await op(key.name, '', 'encrypt', { alg: 'A128GCM', value: b64u(Buffer.from('x')), iv: b64u(randomBytes(12)) });
      assertRawError(response, 400, 'BadParameter', undefined, 'GCM with iv');
      assert.match(response.json.error.message, /iv/i);
      await assert.rejects(
        server.cryptographyClient(key).encrypt({ algorithm: 'A128GCM', plaintext: Buffer.from('x'), iv: randomBytes(12) } as any),
        azureError(400, 'BadParameter'),
      );
    });

    it('refuses an algorithm whose size does not match the key with 400 BadParameter', async () => {
      const crypto = server.cryptographyClient(oct.get(256)!.key);
      await assert.rejects(crypto.encrypt({ algorithm: 'A128GCM', plaintext: Buffer.from('x') }), azureError(400, 'BadParameter'));
      await assert.rejects(crypto.encrypt({ algorithm: 'A192CBCPAD', plaintext: Buffer.from('x'), iv: randomBytes(16) }), azureError(400, 'BadParameter'));
    });
  });

  describe('AES-CBC: A128CBC, A192CBC, A256CBC and the CBCPAD variants', () => {
    for (const bits of [128, 192, 256] as const) {
      it(`A${bits}CBC and A${bits}CBCPAD with the caller's IV match node:crypto both ways`, async () => {
        const { k, key } = oct.get(bits)!;
        const crypto = server.cryptographyClient(key);
        const iv = randomBytes(16);

        const blocks = randomBytes(48);
        const cbc = await crypto.encrypt({ algorithm: `A${bits}CBC`, plaintext: blocks, iv });
        assert.deepEqual(Buffer.from(cbc.iv!), iv);
        const nodeCbc = createCipheriv(`aes-${bits}-cbc`, k, iv).setAutoPadding(false);
        assert.deepEqual(Buffer.from(cbc.result), Buffer.concat([nodeCbc.update(blocks), nodeCbc.final()]));
        assert.deepEqual(Buffer.from((await crypto.decrypt({ algorithm: `A${bits}CBC`, ciphertext: cbc.result, iv })).result), blocks);

        const odd = randomBytes(37);
        const padded = await crypto.encrypt({ algorithm: `A${bits}CBCPAD`, plaintext: odd, iv });
        assert.equal(padded.result.length, 48);
        const nodePad = createCipheriv(`aes-${bits}-cbc`, k, iv);
        assert.deepEqual(Buffer.from(padded.result), Buffer.concat([nodePad.update(odd), nodePad.final()]));
        const nodeDecipher = createDecipheriv(`aes-${bits}-cbc`, k, iv);
        assert.deepEqual(Buffer.concat([nodeDecipher.update(padded.result), nodeDecipher.final()]), odd);
        assert.deepEqual(Buffer.from((await crypto.decrypt({ algorithm: `A${bits}CBCPAD`, ciphertext: padded.result, iv })).result), odd);
      });
    }

    it('A256CBCPAD: a local-JWK client encrypts on its own, the server decrypts, and back', async () => {
      const { k, key } = oct.get(256)!;
      const local = new CryptographyClient({ kty: 'oct', k, keyOps: ['encrypt', 'decrypt'] });
      const plaintext = Buffer.from('local half, remote half');
      const iv = randomBytes(16);
      const encrypted = await local.encrypt({ algorithm: 'A256CBCPAD', plaintext, iv });
      const remote = server.cryptographyClient(key);
      assert.deepEqual(Buffer.from((await remote.decrypt({ algorithm: 'A256CBCPAD', ciphertext: encrypted.result, iv })).result), plaintext);
      const fromServer = await remote.encrypt({ algorithm: 'A256CBCPAD', plaintext, iv: encrypted.iv! });
      assert.deepEqual(Buffer.from(fromServer.result), Buffer.from(encrypted.result), 'same key, IV and plaintext: same ciphertext');
      assert.deepEqual(Buffer.from((await local.decrypt({ algorithm: 'A256CBCPAD', ciphertext: fromServer.result, iv })).result), plaintext);
    });

    it('refuses CBC without an IV, with a 15-byte IV, or with a partial block, with 400 BadParameter', async () => {
      const { key } = oct.get(128)!;
      for (const [label, body] of [
        ['no iv', { alg: 'A128CBCPAD', value: b64u(Buffer.from('x')) }],
        ['15-byte iv', { alg: 'A128CBCPAD', value: b64u(Buffer.from('x')), iv: b64u(randomBytes(15)) }],
        ['partial block without padding', { alg: 'A128CBC', value: b64u(randomBytes(17)), iv: b64u(randomBytes(16)) }],
        ['aad with CBC', { alg: 'A128CBC', value: b64u(randomBytes(16)), iv: b64u(randomBytes(16)), aad: b64u(Buffer.from('a')) }],
      ] as const) {
        assertRawError(await op(key.name, '', 'encrypt', body), 400, 'BadParameter', undefined, label);
      }
      const badPadding = await op(key.name, '', 'decrypt', { alg: 'A128CBCPAD', value: b64u(randomBytes(32)), iv: b64u(randomBytes(16)) });
      // A random block decrypts to valid PKCS#7 padding about 1 time in 256; retrying once keeps the test exact.
      if (badPadding.status === 200) assertRawError(await op(key.name, '', 'decrypt', { alg: 'A128CBCPAD', value: b64u(randomBytes(32)), iv: b64u(randomBytes(16)) }), 400, 'BadParameter', undefined, 'bad padding');
      else assertRawError(badPadding, 400, 'BadParameter', undefined, 'bad padding');
    });
  });

  describe('AES key wrap: A128KW, A192KW, A256KW', () => {
    for (const bits of [128, 192, 256] as const) {
      it(`A${bits}KW wraps exactly as RFC 3394 (node:crypto) and unwraps node's output`, async () => {
        const { k, key } = oct.get(bits)!;
        const crypto = server.cryptographyClient(key);
        const cek = randomBytes(32);
        const wrapped = await crypto.wrapKey(`A${bits}KW`, cek);
        const cipher = createCipheriv(`id-aes${bits}-wrap`, k, KW_IV);
        const expected = Buffer.concat([cipher.update(cek), cipher.final()]);
        assert.deepEqual(Buffer.from(wrapped.result), expected);
        assert.deepEqual(Buffer.from((await crypto.unwrapKey(`A${bits}KW`, expected)).result), cek);
      });
    }

    it('refuses a corrupted wrapped key and a key that is not whole 64-bit blocks with 400 BadParameter', async () => {
      const crypto = server.cryptographyClient(oct.get(256)!.key);
      const wrapped = Buffer.from((await crypto.wrapKey('A256KW', randomBytes(16))).result);
      wrapped[3] = wrapped[3]! ^ 0x80;
      await assert.rejects(crypto.unwrapKey('A256KW', wrapped), azureError(400, 'BadParameter'));
      await assert.rejects(crypto.wrapKey('A256KW', randomBytes(20)), azureError(400, 'BadParameter'));
      await assert.rejects(crypto.wrapKey('A256KW', randomBytes(8)), azureError(400, 'BadParameter'));
    });
  });

  describe('RSA signatures: RS256, RS384, RS512, PS256, PS384, PS512', () => {
    for (const { alg, hash, pss } of RSA_SIGNATURES) {
      it(`${alg}: the server signs the digest, node:crypto verifies it, and the server verifies node's signature`, async () => {
        const crypto = server.cryptographyClient(rsa.key);
        const data = randomBytes(300);
        const digest = digestOf(hash, data);
        const nodeKey = (key: KeyObject) => (pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[hash] } : key);

        const signed = await crypto.sign(alg, digest);
        assert.equal(signed.result.length, 256);
        assert.equal(signed.keyID, rsa.key.id);
        assert.equal(cryptoVerify(hash, data, nodeKey(rsa.publicKey), signed.result), true, 'node:crypto verifies the server signature');
        assert.equal((await crypto.verify(alg, digest, signed.result)).result, true);

        const byNode = cryptoSign(hash, data, nodeKey(rsa.privateKey));
        assert.equal((await crypto.verify(alg, digest, byNode)).result, true, 'the server verifies a node:crypto signature');

        const tampered = Buffer.from(signed.result);
        tampered[10] = tampered[10]! ^ 1;
        assert.equal((await crypto.verify(alg, digest, tampered)).result, false);
        assert.equal((await crypto.verify(alg, digestOf(hash, randomBytes(5)), signed.result)).result, false);
        if (pss) {
          const again = await crypto.sign(alg, digest);
          assert.notDeepEqual(Buffer.from(again.result), Buffer.from(signed.result), 'PSS signatures are salted');
        } else {
          assert.deepEqual(Buffer.from((await crypto.sign(alg, digest)).result), Buffer.from(signed.result), 'PKCS#1 v1.5 signatures are deterministic');
        }
      });
    }

    it('RS256/384/512: signData goes to the server, verifyData runs locally, and they agree', async () => {
      for (const { alg, hash } of RSA_SIGNATURES.filter((s) => !s.pss)) {
        const { crypto, requests } = recordingClient(rsa.key);
        const data = randomBytes(64);
        const signed = await crypto.signData(alg, data);
        assert.ok(requests.some((r) => r.endsWith('/sign')), `${alg} signData is remote`);
        assert.equal(cryptoVerify(hash, data, rsa.publicKey, signed.result), true);
        const count = requests.length;
        assert.equal((await crypto.verifyData(alg, data, signed.result)).result, true);
        assert.equal((await crypto.verifyData(alg, Buffer.concat([data, Buffer.from([0])]), signed.result)).result, false);
        assert.equal(requests.length, count, `${alg} verifyData with a KeyVaultKey is local`);
        // And the other way: a node:crypto signature checks out locally and on the server.
        const byNode = cryptoSign(hash, data, rsa.privateKey);
        assert.equal((await crypto.verifyData(alg, data, byNode)).result, true);
        assert.equal((await crypto.verify(alg, digestOf(hash, data), byNode)).result, true);
      }
    });
  });

  describe('EC signatures: ES256 (P-256), ES256K (P-256K), ES384 (P-384), ES512 (P-521)', () => {
    for (const { crv, alg, hash, signatureBytes } of CURVES) {
      it(`${alg}: an r‖s signature that node:crypto verifies as IEEE P1363, and the server verifies node's`, async () => {
        const { key, publicKey, privateKey } = ec.get(crv)!;
        const { crypto, requests } = recordingClient(key);
        const data = randomBytes(200);
        const digest = digestOf(hash, data);
        const signed = await crypto.sign(alg, digest);
        assert.equal(signed.result.length, signatureBytes);
        assert.equal(cryptoVerify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signed.result), true);
        assert.equal((await crypto.verify(alg, digest, signed.result)).result, true);
        assert.ok(requests.some((r) => r.endsWith('/verify')), 'the SDK verifies EC on the server');

        const byNode = cryptoSign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
        assert.equal((await crypto.verify(alg, digest, byNode)).result, true);
        assert.equal((await crypto.verifyData(alg, data, byNode)).result, true);
        const signedData = await crypto.signData(alg, data);
        assert.equal(cryptoVerify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signedData.result), true);

        const tampered = Buffer.from(signed.result);
        tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
        assert.equal((await crypto.verify(alg, digest, tampered)).result, false);
        assert.equal((await crypto.verify(alg, digest, signed.result.subarray(1))).result, false, 'a short signature is not valid');
      });
    }
  });

  describe('HMAC: HS256, HS384, HS512 on oct keys', () => {
    // The SDK's sign/verify pass HS* through to the server; its signData/verifyData cannot (they hash with
    // ES/PS/RS names only), so these tests use sign/verify and raw HTTP.
    for (const [alg, hash] of [['HS256', 'sha256'], ['HS384', 'sha384'], ['HS512', 'sha512']] as const) {
      it(`${alg}: the server's MAC equals node:crypto's HMAC over the value, and verifies`, async () => {
        const { k, key } = oct.get(256)!;
        const crypto = server.cryptographyClient(key);
        const value = digestOf(hash, randomBytes(30));
        const signed = await crypto.sign(alg, value);
        assert.deepEqual(Buffer.from(signed.result), createHmac(hash, k).update(value).digest());
        assert.equal((await crypto.verify(alg, value, signed.result)).result, true);
        assert.equal((await crypto.verify(alg, value, randomBytes(HASH_BYTES[hash]))).result, false);

        const response = await op(key.name, '', 'sign', { alg, value: b64u(value) });
        assert.equal(response.status, 200, response.text);
        assert.equal(response.json.value, createHmac(hash, k).update(value).digest('base64url'));
      });
    }

    it('refuses HS256 on an RSA or EC key with 400, and on an oct key without sign in key_ops with 403', async () => {
      for (const key of [rsa.key, ec.get('P-256')!.key]) {
        assertRawError(await op(key.name, '', 'sign', { alg: 'HS256', value: b64u(randomBytes(32)) }), 400, 'BadParameter', undefined, `HS256 on ${key.keyType}`);
      }
      const plain = await keys.createOctKey(uniqueName('octnosign'));
      assertRawError(await op(plain.name, '', 'sign', { alg: 'HS256', value: b64u(randomBytes(32)) }), 403, 'Forbidden', 'KeyOperationForbidden', 'HS256 without sign');
    });
  });

  describe("Azure's rules", () => {
    it("enforces key_ops: a key made for 'sign' signs, and refuses verify, encrypt, decrypt, wrapKey and unwrapKey with 403", async () => {
      const key = await keys.createRsaKey(uniqueName('signonly'), { keyOps: ['sign'] });
      const digest = randomBytes(32);
      const signed = await op(key.name, '', 'sign', { alg: 'RS256', value: b64u(digest) });
      assert.equal(signed.status, 200, signed.text);
      const refused: Array<[string, unknown]> = [
        ['verify', { alg: 'RS256', digest: b64u(digest), value: signed.json.value }],
        ['encrypt', { alg: 'RSA-OAEP-256', value: b64u(Buffer.from('x')) }],
        ['decrypt', { alg: 'RSA-OAEP-256', value: b64u(randomBytes(256)) }],
        ['wrapkey', { alg: 'RSA-OAEP-256', value: b64u(randomBytes(32)) }],
        ['unwrapkey', { alg: 'RSA-OAEP-256', value: b64u(randomBytes(256)) }],
      ];
      for (const [operation, body] of refused) {
        assertRawError(await op(key.name, key.properties.version!, operation, body), 403, 'Forbidden', 'KeyOperationForbidden', operation);
      }
      // Granting verify later takes effect at once.
      await keys.updateKeyProperties(key.name, key.properties.version!, { keyOps: ['sign', 'verify'] });
      const verified = await op(key.name, '', 'verify', { alg: 'RS256', digest: b64u(digest), value: signed.json.value });
      assert.equal(verified.status, 200, verified.text);
      assert.equal(verified.json.value, true);
    });

    it('refuses every operation on a disabled key with 403 Forbidden, innererror KeyDisabled, and works again once enabled', async () => {
      const [rsaKey, ecKey, octKey] = await Promise.all([
        keys.createRsaKey(uniqueName('disrsa')),
        keys.createEcKey(uniqueName('disec')),
        keys.createOctKey(uniqueName('disoct'), { keyOps: [...ALL_OPS] }),
      ]);
      const digest = randomBytes(32);
      const made = {
        ciphertext: (await op(rsaKey.name, '', 'encrypt', { alg: 'RSA-OAEP-256', value: b64u(Buffer.from('before')) })).json.value,
        wrapped: (await op(rsaKey.name, '', 'wrapkey', { alg: 'RSA-OAEP-256', value: b64u(randomBytes(32)) })).json.value,
        rsaSignature: (await op(rsaKey.name, '', 'sign', { alg: 'PS256', value: b64u(digest) })).json.value,
        ecSignature: (await op(ecKey.name, '', 'sign', { alg: 'ES256', value: b64u(digest) })).json.value,
        gcm: (await op(octKey.name, '', 'encrypt', { alg: 'A256GCM', value: b64u(Buffer.from('before')) })).json,
      };
      for (const key of [rsaKey, ecKey, octKey]) await keys.updateKeyProperties(key.name, key.properties.version!, { enabled: false });

      const attempts: Array<[string, string, unknown]> = [
        [rsaKey.name, 'encrypt', { alg: 'RSA-OAEP-256', value: b64u(Buffer.from('x')) }],
        [rsaKey.name, 'decrypt', { alg: 'RSA-OAEP-256', value: made.ciphertext }],
        [rsaKey.name, 'wrapkey', { alg: 'RSA-OAEP-256', value: b64u(randomBytes(32)) }],
        [rsaKey.name, 'unwrapkey', { alg: 'RSA-OAEP-256', value: made.wrapped }],
        [rsaKey.name, 'sign', { alg: 'PS256', value: b64u(digest) }],
        [rsaKey.name, 'verify', { alg: 'PS256', digest: b64u(digest), value: made.rsaSignature }],
        [ecKey.name, 'sign', { alg: 'ES256', value: b64u(digest) }],
        [ecKey.name, 'verify', { alg: 'ES256', digest: b64u(digest), value: made.ecSignature }],
        [octKey.name, 'encrypt', { alg: 'A256GCM', value: b64u(Buffer.from('x')) }],
        [octKey.name, 'decrypt', { alg: 'A256GCM', value: made.gcm.value, iv: made.gcm.iv, tag: made.gcm.tag }],
        [octKey.name, 'wrapkey', { alg: 'A256KW', value: b64u(randomBytes(16)) }],
        [octKey.name, 'sign', { alg: 'HS256', value: b64u(digest) }],
      ];
      for (const [name, operation, body] of attempts) {
        const response = await op(name, '', operation, body);
        assertRawError(response, 403, 'Forbidden', 'KeyDisabled', `${operation} on disabled ${name}`);
        assert.equal(response.text.includes('before'), false);
      }
      // Through a client that still holds the key as it was (enabled), the server's refusal is what stops it.
      const stale = server.cryptographyClient(rsaKey);
      await assert.rejects(stale.decrypt({ algorithm: 'RSA-OAEP-256', ciphertext: fromB64u(made.ciphertext) }), azureError(403, 'Forbidden'));
      await assert.rejects(stale.sign('PS256', digest), azureError(403, 'Forbidden'));

      await keys.updateKeyProperties(rsaKey.name, rsaKey.properties.version!, { enabled: true });
      const decrypted = await stale.decrypt({ algorithm: 'RSA-OAEP-256', ciphertext: fromB64u(made.ciphertext) });
      assert.equal(Buffer.from(decrypted.result).toString(), 'before');
    });

    /** Makes ciphertext, a wrapped key and a signature with each kind of key while it is valid. */
    async function producedWhileValid() {
      const [rsaKey, ecKey, octKey] = await Promise.all([
        keys.createRsaKey(uniqueName('vrsa')),
        keys.createEcKey(uniqueName('vec'), { curve: 'P-384' }),
        keys.createOctKey(uniqueName('voct'), { keyOps: [...ALL_OPS] }),
      ]);
      const rsaClient = server.cryptographyClient(rsaKey);
      const octClient = server.cryptographyClient(octKey);
      const digest = randomBytes(32);
      const ecDigest = randomBytes(48);
      const cek = randomBytes(32);
      return {
        keys: [rsaKey, ecKey, octKey],
        rsaClient,
        ecClient: server.cryptographyClient(ecKey),
        octClient,
        digest,
        ecDigest,
        cek,
        rsaCiphertext: (await rsaClient.encrypt({ algorithm: 'RSA-OAEP-256', plaintext: Buffer.from('sealed while valid') })).result,
        rsaWrapped: (await rsaClient.wrapKey('RSA-OAEP-256', cek)).result,
        rsaSignature: (await rsaClient.sign('RS256', digest)).result,
        ecSignature: (await server.cryptographyClient(ecKey).sign('ES384', ecDigest)).result,
        gcm: await octClient.encrypt({ algorithm: 'A256GCM', plaintext: Buffer.from('sealed while valid') }),
        octWrapped: (await octClient.wrapKey('A256KW', cek)).result,
        mac: (await octClient.sign('HS256', digest)).result,
      };
    }

    /** Consuming operations still work; producing ones are refused with 403 and the given inner code. */
    async function assertOnlyConsumingWork(made: Awaited<ReturnType<typeof producedWhileValid>>, innerCode: string) {
      // The clients hold the keys as they were created (no nbf/exp), so the server alone decides.
      const { rsaClient, ecClient, octClient, digest, ecDigest, cek } = made;
      assert.equal(Buffer.from((await rsaClient.decrypt({ algorithm: 'RSA-OAEP-256', ciphertext: made.rsaCiphertext })).result).toString(), 'sealed while valid');
      assert.deepEqual(Buffer.from((await rsaClient.unwrapKey('RSA-OAEP-256', made.rsaWrapped)).result), cek);
      assert.equal((await rsaClient.verify('RS256', digest, made.rsaSignature)).result, true);
      assert.equal((await ecClient.verify('ES384', ecDigest, made.ecSignature)).result, true);
      const { result, iv, authenticationTag } = made.gcm;
      assert.equal(Buffer.from((await octClient.decrypt({ algorithm: 'A256GCM', ciphertext: result, iv: iv!, authenticationTag: authenticationTag! })).result).toString(), 'sealed while valid');
      assert.deepEqual(Buffer.from((await octClient.unwrapKey('A256KW', made.octWrapped)).result), cek);
      assert.equal((await octClient.verify('HS256', digest, made.mac)).result, true);

      await assert.rejects(rsaClient.encrypt({ algorithm: 'RSA-OAEP-256', plaintext: Buffer.from('x') }), azureError(403, 'Forbidden'));
      await assert.rejects(rsaClient.wrapKey('RSA-OAEP-256', cek), azureError(403, 'Forbidden'));
      await assert.rejects(rsaClient.sign('RS256', digest), azureError(403, 'Forbidden'));
      await assert.rejects(ecClient.sign('ES384', ecDigest), azureError(403, 'Forbidden'));
      await assert.rejects(octClient.encrypt({ algorithm: 'A256GCM', plaintext: Buffer.from('x') }), azureError(403, 'Forbidden'));
      await assert.rejects(octClient.wrapKey('A256KW', cek), azureError(403, 'Forbidden'));
      await assert.rejects(octClient.sign('HS256', digest), azureError(403, 'Forbidden'));
      const [rsaKey, ecKey, octKey] = made.keys as [KeyVaultKey, KeyVaultKey, KeyVaultKey];
      for (const [name, operation, body] of [
        [rsaKey.name, 'encrypt', { alg: 'RSA-OAEP', value: b64u(Buffer.from('x')) }],
        [rsaKey.name, 'wrapkey', { alg: 'RSA-OAEP', value: b64u(cek) }],
        [rsaKey.name, 'sign', { alg: 'PS512', value: b64u(randomBytes(64)) }],
        [ecKey.name, 'sign', { alg: 'ES384', value: b64u(ecDigest) }],
        [octKey.name, 'encrypt', { alg: 'A256CBCPAD', value: b64u(Buffer.from('x')), iv: b64u(randomBytes(16)) }],
        [octKey.name, 'wrapkey', { alg: 'A256KW', value: b64u(cek) }],
      ] as const) {
        assertRawError(await op(name, '', operation, body), 403, 'Forbidden', innerCode, `${operation} on ${name}`);
      }
      const verified = await op(rsaKey.name, '', 'verify', { alg: 'RS256', digest: b64u(digest), value: b64u(made.rsaSignature) });
      assert.equal(verified.status, 200, verified.text);
      assert.equal(verified.json.value, true);
    }

    it('after exp: decrypt, unwrapKey and verify still work; encrypt, wrapKey and sign answer 403 KeyExpired', async () => {
      const made = await producedWhileValid();
      const past = Math.floor(Date.now() / 1000) - 60;
      for (const key of made.keys) {
        const response = await raw('PATCH', `/keys/${key.name}/${key.properties.version}${q}`, { attributes: { exp: past } });
        assert.equal(response.status, 200, response.text);
        assert.equal(response.json.attributes.exp, past);
      }
      await assertOnlyConsumingWork(made, 'KeyExpired');
    });

    it('before nbf: decrypt, unwrapKey and verify still work; encrypt, wrapKey and sign answer 403 KeyNotYetValid', async () => {
      const made = await producedWhileValid();
      const future = new Date((Math.floor(Date.now() / 1000) + 86_400) * 1000);
      for (const key of made.keys) {
        const updated = await keys.updateKeyProperties(key.name, key.properties.version!, { notBefore: future });
        assert.equal(updated.properties.notBefore?.getTime(), future.getTime());
      }
      await assertOnlyConsumingWork(made, 'KeyNotYetValid');
    });

    it('treats a key inside its nbf..exp window as valid', async () => {
      const now = Math.floor(Date.now() / 1000);
      const key = await keys.createEcKey(uniqueName('window'), { notBefore: new Date((now - 60) * 1000), expiresOn: new Date((now + 3600) * 1000) });
      const digest = randomBytes(32);
      const signed = await server.cryptographyClient(key).sign('ES256', digest);
      assert.equal((await server.cryptographyClient(key).verify('ES256', digest, signed.result)).result, true);
    });
  });

  describe('bad input answers 400 BadParameter and changes nothing', () => {
    /** The key's bundle and version count, to show that refused requests left it as it was. */
    async function snapshot(name: string) {
      const got = await raw('GET', `/keys/${name}${q}`);
      const versions = await raw('GET', `/keys/${name}/versions${q}`);
      return { bundle: got.json, versions: versions.json.value.length };
    }

    it('refuses a digest of the wrong length for RS*, PS* and ES*', async () => {
      const before = await snapshot(rsa.key.name);
      for (const [key, alg, bytes] of [
        [rsa.key, 'RS256', 20],
        [rsa.key, 'RS256', 48],
        [rsa.key, 'PS384', 32],
        [rsa.key, 'RS512', 0],
        [ec.get('P-256')!.key, 'ES256', 33],
        [ec.get('P-256')!.key, 'ES256', 64],
        [ec.get('P-521')!.key, 'ES512', 32],
      ] as const) {
        const digest = randomBytes(bytes);
        assertRawError(await op(key.name, '', 'sign', { alg, value: b64u(digest) }), 400, 'BadParameter', undefined, `${alg} sign, ${bytes} bytes`);
        assertRawError(await op(key.name, '', 'verify', { alg, digest: b64u(digest), value: b64u(randomBytes(64)) }), 400, 'BadParameter', undefined, `${alg} verify, ${bytes} bytes`);
      }
      await assert.rejects(server.cryptographyClient(rsa.key).sign('RS256', randomBytes(31)), azureError(400, 'BadParameter'));
      assert.deepEqual(await snapshot(rsa.key.name), before);
    });

    it('refuses unknown algorithms and algorithms of another key type, curve or operation', async () => {
      const p256 = ec.get('P-256')!.key;
      const oct256 = oct.get(256)!.key;
      const cases: Array<[KeyVaultKey, string, unknown]> = [
        [rsa.key, 'sign', { alg: 'RS999', value: b64u(randomBytes(32)) }],
        [rsa.key, 'sign', { alg: 'RSNULL', value: b64u(randomBytes(32)) }],
        [rsa.key, 'sign', { alg: '', value: b64u(randomBytes(32)) }],
        [rsa.key, 'sign', { alg: 'rs256', value: b64u(randomBytes(32)) }],
        [rsa.key, 'encrypt', { alg: 'RSA-OAEP-512', value: b64u(Buffer.from('x')) }],
        [rsa.key, 'wrapkey', { alg: 'CKM_AES_KEY_WRAP', value: b64u(randomBytes(16)) }],
        [rsa.key, 'sign', { alg: 'ES256', value: b64u(randomBytes(32)) }],
        [rsa.key, 'encrypt', { alg: 'A256GCM', value: b64u(Buffer.from('x')) }],
        [rsa.key, 'sign', { alg: 'RSA-OAEP', value: b64u(randomBytes(32)) }],
        [rsa.key, 'encrypt', { alg: 'RS256', value: b64u(Buffer.from('x')) }],
        [p256, 'sign', { alg: 'RS256', value: b64u(randomBytes(32)) }],
        [p256, 'sign', { alg: 'ES384', value: b64u(randomBytes(48)) }],
        [p256, 'sign', { alg: 'ES256K', value: b64u(randomBytes(32)) }],
        [p256, 'verify', { alg: 'ES512', digest: b64u(randomBytes(64)), value: b64u(randomBytes(132)) }],
        [oct256, 'encrypt', { alg: 'RSA-OAEP', value: b64u(Buffer.from('x')) }],
        [oct256, 'encrypt', { alg: 'A256KW', value: b64u(randomBytes(16)) }],
        [oct256, 'wrapkey', { alg: 'A256GCM', value: b64u(randomBytes(16)) }],
        [oct256, 'wrapkey', { alg: 'A128KW', value: b64u(randomBytes(16)) }],
        [oct256, 'sign', { alg: 'ES256', value: b64u(randomBytes(32)) }],
      ];
      for (const [key, operation, body] of cases) {
        assertRawError(await op(key.name, '', operation, body), 400, 'BadParameter', undefined, `${operation} ${JSON.stringify(body).slice(0, 40)} on ${key.keyType}`);
      }
      await assert.rejects(server.cryptographyClient(rsa.key).sign('ES256', randomBytes(32)), azureError(400, 'BadParameter'));
      await assert.rejects(server.cryptographyClient(p256).sign('RS256', randomBytes(32)), azureError(400, 'BadParameter'));
      await assert.rejects(server.cryptographyClient(p256).sign('ES384', randomBytes(48)), azureError(400, 'BadParameter'));
    });

    it('refuses RSA plaintext one byte over the limit of each padding, and takes it at the limit', async () => {
      for (const [alg, limit] of [['RSA-OAEP', 214], ['RSA-OAEP-256', 190], ['RSA1_5', 245]] as const) {
        for (const operation of ['encrypt', 'wrapkey']) {
          const atLimit = await op(rsa.key.name, '', operation, { alg, value: b64u(randomBytes(limit)) });
          assert.equal(atLimit.status, 200, `${alg} ${operation} of ${limit} bytes: ${atLimit.text}`);
          assertRawError(await op(rsa.key.name, '', operation, { alg, value: b64u(randomBytes(limit + 1)) }), 400, 'BadParameter', undefined, `${alg} ${operation} of ${limit + 1} bytes`);
        }
      }
      await assert.rejects(server.cryptographyClient(rsa.key).encrypt({ algorithm: 'RSA-OAEP-256', plaintext: randomBytes(191) }), azureError(400, 'BadParameter'));
    });

    it('refuses malformed base64url in value, digest, iv, aad and tag', async () => {
      const oct256 = oct.get(256)!.key;
      const bad = ['not base64!', 'ab$cd', 'abc=def', '😀'];
      for (const value of bad) {
        assertRawError(await op(rsa.key.name, '', 'sign', { alg: 'RS256', value }), 400, 'BadParameter', undefined, `sign value ${value}`);
        assertRawError(await op(rsa.key.name, '', 'encrypt', { alg: 'RSA-OAEP', value }), 400, 'BadParameter', undefined, `encrypt value ${value}`);
        assertRawError(await op(rsa.key.name, '', 'verify', { alg: 'RS256', digest: value, value: b64u(randomBytes(256)) }), 400, 'BadParameter', undefined, `verify digest ${value}`);
        assertRawError(await op(oct256.name, '', 'encrypt', { alg: 'A256CBCPAD', value: 'AAAA', iv: value }), 400, 'BadParameter', undefined, `iv ${value}`);
        assertRawError(await op(oct256.name, '', 'encrypt', { alg: 'A256GCM', value: 'AAAA', aad: value }), 400, 'BadParameter', undefined, `aad ${value}`);
        assertRawError(await op(oct256.name, '', 'decrypt', { alg: 'A256GCM', value: 'AAAA', iv: b64u(randomBytes(12)), tag: value }), 400, 'BadParameter', undefined, `tag ${value}`);
      }
      for (const body of [{ value: 'AAAA' }, { alg: 'RS256' }, { alg: 5, value: 'AAAA' }, { alg: 'RS256', value: 5 }]) {
        assertRawError(await op(rsa.key.name, '', 'sign', body), 400, 'BadParameter', undefined, `sign ${JSON.stringify(body)}`);
      }
    });

    /** A fresh RSA key's JWK, plus another one for members that belong to a different key. */
    const otherRsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

    it('refuses malformed JWKs on import, names no key material, and stores nothing (nor a new version)', async () => {
      const good = rsa.jwk;
      const other = otherRsa();
      const p256 = ec.get('P-256')!.jwk;
      const offCurve = { ...p256, y: b64u(Buffer.from(fromB64u(p256.y!).map((byte, i) => (i === 31 ? byte ^ 1 : byte)))) };
      const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
      const { n: _n, ...missingN } = good;
      const smallRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
      const badJwks: Array<[string, unknown]> = [
        ['RSA without n', missingN],
        ['RSA with d but no p, q or CRT members', { kty: 'RSA', n: good.n, e: good.e, d: good.d }],
        ['RSA with public members only', { kty: 'RSA', n: good.n, e: good.e }],
        ['RSA with dp of another key', { ...good, dp: other.dp }],
        ['RSA with p and q of another key', { ...good, p: other.p, q: other.q }],
        ['RSA with d of another key', { ...good, d: other.d }],
        ['RSA of 1024 bits', smallRsa],
        ['RSA with padded base64 n', { ...good, n: `${Buffer.from(good.n!, 'base64url').toString('base64')}` }],
        ['RSA with a numeric e', { ...good, e: 65537 }],
        ['EC point not on the curve', offCurve],
        ['EC d of another key', { ...p256, d: otherEc.d }],
        ['EC on an unknown curve', { ...p256, crv: 'P-192' }],
        ['EC with node curve name secp256k1', { ...ec.get('P-256K')!.jwk, crv: 'secp256k1' }],
        ['EC with a short x', { ...p256, x: b64u(fromB64u(p256.x!).subarray(1)) }],
        ['EC without d', { kty: 'EC', crv: 'P-256', x: p256.x, y: p256.y }],
        ['kty RSA2', { ...good, kty: 'RSA2' }],
        ['kty OKP', { kty: 'OKP', crv: 'Ed25519', x: b64u(randomBytes(32)), d: b64u(randomBytes(32)) }],
        ['no kty', { n: good.n, e: good.e, d: good.d }],
        ['oct of 20 bytes', { kty: 'oct', k: b64u(randomBytes(20)) }],
        ['oct without k', { kty: 'oct' }],
        ['oct with RSA members as kty oct', { ...good, kty: 'oct' }],
        ['key_ops with an unknown value', { ...good, key_ops: ['sign', 'teleport'] }],
        ['key_ops a string', { ...good, key_ops: 'sign' }],
      ];
      const existing = uniqueName('impbad');
      await keys.importKey(existing, sdkJwk(p256));
      const before = await snapshot(existing);
      const secrets = [good.d, good.p, good.q, good.dp, good.dq, good.qi, other.d, other.p, other.dp, p256.d, otherEc.d] as string[];
      for (const [label, key] of badJwks) {
        const name = uniqueName('impbad');
        for (const target of [name, existing]) {
          const response = await raw('PUT', `/keys/${target}${q}`, { key });
          assertRawError(response, 400, 'BadParameter', undefined, label);
          for (const secret of secrets) assert.equal(response.text.includes(secret), false, `${label}: key material in the error`);
        }
        assertRawError(await raw('GET', `/keys/${name}${q}`), 404, 'KeyNotFound', undefined, `${label} stored nothing`);
      }
      for (const body of [{ key: 'RSA' }, { key: [good] }, {}, { key: good, attributes: { exp: -1 } }]) {
        assertRawError(await raw('PUT', `/keys/${existing}${q}`, body), 400, 'BadParameter', undefined, JSON.stringify(body).slice(0, 60));
      }
      assert.deepEqual(await snapshot(existing), before);
    });

    it('refuses key_ops with an unknown value on create and update, and changes nothing', async () => {
      for (const body of [{ kty: 'EC', key_ops: ['sign', 'teleport'] }, { kty: 'RSA', key_ops: ['Encrypt'] }, { kty: 'oct', key_ops: 'encrypt' }, { kty: 'RSA', key_ops: [5] }]) {
        const name = uniqueName('opsbad');
        assertRawError(await raw('POST', `/keys/${name}/create${q}`, body), 400, 'BadParameter', undefined, JSON.stringify(body));
        assertRawError(await raw('GET', `/keys/${name}${q}`), 404, 'KeyNotFound', undefined, `${JSON.stringify(body)} stored nothing`);
      }
      const key = await keys.createEcKey(uniqueName('opsupd'));
      const before = await snapshot(key.name);
      await assert.rejects(keys.updateKeyProperties(key.name, key.properties.version!, { keyOps: ['sign', 'fly' as any] }), azureError(400, 'BadParameter'));
      assertRawError(await raw('PATCH', `/keys/${key.name}/${key.properties.version}${q}`, { key_ops: ['verify', 'decrypt-all'], tags: { changed: 'yes' } }), 400, 'BadParameter', undefined, 'PATCH');
      assert.deepEqual(await snapshot(key.name), before);
    });
  });

  describe('the remote operation without a version (CryptographyClient from https://HOST/keys/NAME)', () => {
    it('sends /keys/NAME//sign, which the server runs with the latest version, even one made after the client', async () => {
      const name = uniqueName('latest');
      const first = await keys.createRsaKey(name);
      const { crypto, requests } = recordingClient(`${server.vaultUrl()}/keys/${name}`);
      const data = randomBytes(32);
      const digest = digestOf('sha256', data);
      const signed = await crypto.sign('RS256', digest);
      assert.ok(requests.includes(`POST /keys/${name}//sign`), requests.join(', '));
      assert.equal(signed.keyID, first.id);
      const firstPublic = createPublicKey({ key: { kty: 'RSA', n: b64u(first.key!.n!), e: b64u(first.key!.e!) }, format: 'jwk' });
      assert.equal(cryptoVerify('sha256', data, firstPublic, signed.result), true);

      const second = await keys.createRsaKey(name);
      const again = await crypto.sign('RS256', digest);
      const secondPublic = createPublicKey({ key: { kty: 'RSA', n: b64u(second.key!.n!), e: b64u(second.key!.e!) }, format: 'jwk' });
      assert.equal(cryptoVerify('sha256', data, secondPublic, again.result), true, 'the empty version is the newest version');
      assert.equal(cryptoVerify('sha256', data, firstPublic, again.result), false);

      for (const path of [`/keys/${name}//sign`, `/keys/${name}/sign`]) {
        const response = await raw('POST', `${path}${q}`, { alg: 'RS256', value: b64u(digest) });
        assert.equal(response.status, 200, `${path}: ${response.text}`);
        assert.equal(response.json.kid, second.id, `${path} answers the latest kid`);
      }
    });

    it('runs all six operations through /keys/NAME//OPERATION and answers the latest kid', async () => {
      const name = uniqueName('six');
      await keys.createRsaKey(name);
      const latest = await keys.createRsaKey(name);
      const digest = randomBytes(32);
      const encrypted = await op(name, '', 'encrypt', { alg: 'RSA-OAEP-256', value: b64u(Buffer.from('six')) });
      const wrapped = await op(name, '', 'wrapkey', { alg: 'RSA-OAEP', value: b64u(randomBytes(16)) });
      const signed = await op(name, '', 'sign', { alg: 'PS256', value: b64u(digest) });
      const decrypted = await op(name, '', 'decrypt', { alg: 'RSA-OAEP-256', value: encrypted.json.value });
      const unwrapped = await op(name, '', 'unwrapkey', { alg: 'RSA-OAEP', value: wrapped.json.value });
      const verified = await op(name, '', 'verify', { alg: 'PS256', digest: b64u(digest), value: signed.json.value });
      for (const [label, response] of Object.entries({ encrypted, wrapped, signed, decrypted, unwrapped })) {
        assert.equal(response.status, 200, `${label}: ${response.text}`);
        assert.equal(response.json.kid, latest.id, label);
      }
      assert.equal(fromB64u(decrypted.json.value).toString(), 'six');
      assert.equal(verified.status, 200, verified.text);
      assert.equal(verified.json.value, true);

      const viaSdk = recordingClient(`${server.vaultUrl()}/keys/${name}`);
      const result = await viaSdk.crypto.decrypt({ algorithm: 'RSA-OAEP-256', ciphertext: fromB64u(encrypted.json.value) });
      assert.equal(Buffer.from(result.result).toString(), 'six');
      assert.ok(viaSdk.requests.includes(`POST /keys/${name}//decrypt`), viaSdk.requests.join(', '));
    });

    it('answers 404 KeyNotFound for an unknown name, or an unknown version', async () => {
      assertRawError(await op(uniqueName('nokey'), '', 'sign', { alg: 'RS256', value: b64u(randomBytes(32)) }), 404, 'KeyNotFound', undefined, 'unknown name');
      assertRawError(await op(rsa.key.name, randomBytes(16).toString('hex'), 'sign', { alg: 'RS256', value: b64u(randomBytes(32)) }), 404, 'KeyNotFound', undefined, 'unknown version');
    });
  });

  it('never puts private key material in an operation answer', async () => {
    const secrets = [rsa.jwk.d, rsa.jwk.p, rsa.jwk.q, ...[...ec.values()].map((e) => e.jwk.d), ...[...oct.values()].map((o) => b64u(o.k))] as string[];
    const answers: RawResponse[] = [
      await op(rsa.key.name, '', 'sign', { alg: 'RS256', value: b64u(randomBytes(32)) }),
      await op(rsa.key.name, '', 'encrypt', { alg: 'RSA-OAEP', value: b64u(Buffer.from('x')) }),
      await op(ec.get('P-521')!.key.name, '', 'sign', { alg: 'ES512', value: b64u(randomBytes(64)) }),
      await op(oct.get(256)!.key.name, '', 'encrypt', { alg: 'A256GCM', value: b64u(Buffer.from('x')) }),
      await op(oct.get(128)!.key.name, '', 'wrapkey', { alg: 'A128KW', value: b64u(randomBytes(16)) }),
    ];
    for (const response of answers) {
      assert.equal(response.status, 200, response.text);
      assert.doesNotMatch(response.text, /"(?:d|p|q|dp|dq|qi|k)"\s*:/);
      for (const secret of secrets) assert.equal(response.text.includes(secret), false);
    }
  });
});
