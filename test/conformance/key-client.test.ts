// KeyClient (@azure/keyvault-keys) against a real Coffer: create (RSA, EC, oct), import, get, update, the three
// listings, soft delete, recover, purge, backup, restore and random bytes, with raw HTTP where the SDK hides the
// wire (kid, attributes, nextLink, public_exponent) and a check on every answer that no private member leaves.
import assert from 'node:assert/strict';
import { createCipheriv, createHash, createPublicKey, generateKeyPair, generateKeyPairSync, randomBytes, verify as cryptoVerify, type JsonWebKey as NodeJwk } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parseKeyVaultKeyIdentifier, type JsonWebKey, type KeyClient, type KeyVaultKey } from '@azure/keyvault-keys';
import { startServer, uniqueName, type RawResponse, type TestServer } from '../support/start-server.js';

const apiVersion = '7.5';
const VERSION_PATTERN = /^[0-9a-f]{32}$/;
const DAY_MS = 86_400_000;
const RSA_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'];
const OCT_OPS = ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'];
/** Azure's curve names, the byte length of their coordinates, and node's name for them. */
const CURVES = [
  { crv: 'P-256', bytes: 32, node: 'P-256' },
  { crv: 'P-256K', bytes: 32, node: 'secp256k1' },
  { crv: 'P-384', bytes: 48, node: 'P-384' },
  { crv: 'P-521', bytes: 66, node: 'P-521' },
] as const;
/** The members a JsonWebKey on the wire may carry: public parts only (Azure never returns d, p, q, dp, dq, qi, k). */
const PUBLIC_JWK_MEMBERS = new Set(['kid', 'kty', 'key_ops', 'n', 'e', 'crv', 'x', 'y']);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

/** A validator for assert.rejects: the RestError a client sees, with Azure's code. */
function azureError(status: number, code: string) {
  return (error: any) => {
    assert.equal(error?.statusCode, status, `status of ${error}`);
    assert.equal(error.code, code);
    return true;
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Whole seconds, as the wire carries them. */
function secondsFromNow(seconds: number): Date {
  return new Date((Math.floor(Date.now() / 1000) + seconds) * 1000);
}

const b64u = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('base64url');

/** A node:crypto JWK (base64url strings) as the SDK's JsonWebKey (bytes), with Azure's curve names. */
function sdkJwk(jwk: NodeJwk, extra: Partial<JsonWebKey> = {}): JsonWebKey {
  const out: Record<string, unknown> = { kty: jwk.kty };
  for (const member of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'x', 'y'] as const) {
    if (typeof jwk[member] === 'string') out[member] = Buffer.from(jwk[member], 'base64url');
  }
  if (jwk.crv !== undefined) out.crv = jwk.crv === 'secp256k1' ? 'P-256K' : jwk.crv;
  return { ...out, ...extra } as JsonWebKey;
}

// RSA keys to import, generated in parallel before the tests (libuv's pool) rather than one by one inside them.
const rsaPool: NodeJwk[] = [];
async function fillRsaPool(count: number): Promise<void> {
  const pairs = await Promise.all(Array.from({ length: count }, () => promisify(generateKeyPair)('rsa', { modulusLength: 2048 })));
  rsaPool.push(...pairs.map(({ privateKey }) => privateKey.export({ format: 'jwk' })));
}
function rsaJwk(): NodeJwk {
  const jwk = rsaPool.pop();
  assert.ok(jwk, 'the RSA pool is large enough for every test');
  return jwk;
}

function ecJwk(nodeCurve: string): NodeJwk {
  return generateKeyPairSync('ec', { namedCurve: nodeCurve }).privateKey.export({ format: 'jwk' });
}

/**
 * Public members only, anywhere in the answer: no private member name in the raw text, every JSON object that
 * is a key (has kty) limited to the public members, and none of the given private values in any form.
 */
function assertPublicOnly(response: RawResponse, context: string, privateValues: string[] = []): void {
  assert.doesNotMatch(response.text, /"(?:d|p|q|dp|dq|qi|k|key_hsm|t)"\s*:/, `${context}: a private member in ${response.text.slice(0, 400)}`);
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== 'object' || value === null) return;
    if ('kty' in value) for (const member of Object.keys(value)) assert.ok(PUBLIC_JWK_MEMBERS.has(member), `${context}: member '${member}' in a key`);
    Object.values(value).forEach(walk);
  };
  walk(response.json);
  for (const secret of privateValues) {
    for (const form of [secret, Buffer.from(secret, 'base64url').toString('base64'), Buffer.from(secret, 'base64url').toString('hex')]) {
      assert.equal(response.text.includes(form), false, `${context}: private key material in the answer`);
    }
  }
}

/** The private members of a node JWK, as base64url strings. */
const privateValuesOf = (jwk: NodeJwk): string[] => PRIVATE_MEMBERS.map((member) => jwk[member]).filter((value): value is string => typeof value === 'string');

describe('KeyClient keys operations', () => {
  let server: TestServer;
  let client: KeyClient;
  let token: string;

  /** Raw HTTPS against the default vault (or a named one) with an admin token. */
  const raw = (method: string, pathAndQuery: string, body?: unknown, vault?: string) =>
    server.request(method, `${server.vaultUrl(vault)}${pathAndQuery}`, { token, ...(body === undefined ? {} : { body }) });
  const q = `?api-version=${apiVersion}`;

  /** The versioned kid Azure forms: https://HOST/keys/NAME/VERSION, VERSION 32 lowercase hex. */
  function assertKid(kid: string | undefined, name: string, vault?: string): string {
    assert.ok(kid, 'a kid');
    const match = new RegExp(`^${server.vaultUrl(vault).replaceAll('.', '\\.')}/keys/${name}/([0-9a-f]{32})$`).exec(kid);
    assert.ok(match, `kid ${kid}`);
    const parsed = parseKeyVaultKeyIdentifier(kid);
    assert.equal(parsed.vaultUrl, server.vaultUrl(vault));
    assert.equal(parsed.name, name);
    assert.equal(parsed.version, match[1]);
    return match[1]!;
  }

  /** Azure's key attributes on the wire: times as integers, recovery fields, exportable. */
  function assertWireAttributes(attributes: any, context: string, expected: { recoveryLevel?: string; recoverableDays?: number } = {}): void {
    assert.equal(typeof attributes?.enabled, 'boolean', `${context}: enabled`);
    assert.ok(Number.isInteger(attributes.created), `${context}: created`);
    assert.ok(Number.isInteger(attributes.updated), `${context}: updated`);
    assert.equal(attributes.recoveryLevel, expected.recoveryLevel ?? 'Recoverable+Purgeable', `${context}: recoveryLevel`);
    assert.equal(attributes.recoverableDays, expected.recoverableDays ?? 90, `${context}: recoverableDays`);
    assert.equal(typeof attributes.exportable, 'boolean', `${context}: exportable`);
  }

  async function assertKeyAbsent(name: string, vault?: string): Promise<void> {
    const response = await raw('GET', `/keys/${name}${q}`, undefined, vault);
    assert.equal(response.status, 404, `${name} should not exist: ${response.text}`);
    assert.equal(response.json.error.code, 'KeyNotFound');
    const versions = await raw('GET', `/keys/${name}/versions${q}`, undefined, vault);
    assert.deepEqual(versions.json?.value, [], `${name} has no versions`);
  }

  /** Deletes through the SDK poller; the deleted key is readable as soon as the DELETE returns. */
  async function deleteKey(target: KeyClient, name: string) {
    const poller = await target.beginDeleteKey(name);
    assert.equal(poller.isDone(), true, 'the delete poller completes on its first poll');
    return poller.pollUntilDone();
  }

  async function newVault(prefix: string, ...flags: string[]): Promise<{ vault: string; client: KeyClient }> {
    const vault = uniqueName(prefix);
    await server.cli('vault', 'create', vault, ...flags);
    return { vault, client: server.keyClient({ vault }) };
  }

  /** Server RS256 signature over sha256(data), checked by node:crypto with the given public key. */
  async function serverSignsFor(name: string, publicKey: Parameters<typeof cryptoVerify>[2], vault?: string): Promise<boolean> {
    const data = randomBytes(40);
    const response = await raw('POST', `/keys/${name}//sign${q}`, { alg: 'RS256', value: createHash('sha256').update(data).digest('base64url') }, vault);
    assert.equal(response.status, 200, response.text);
    return cryptoVerify('sha256', data, publicKey, Buffer.from(response.json.value, 'base64url'));
  }

  before(async () => {
    [server] = await Promise.all([startServer(), fillRsaPool(12)]);
    client = server.keyClient();
    token = await server.adminToken();
  });
  after(() => server.dispose());

  describe('KeyClient.createRsaKey', () => {
    it('creates a 2048-bit RSA key by default, e = 65537, with every RSA operation', async () => {
      const name = uniqueName('rsa');
      const key = await client.createRsaKey(name);
      assert.equal(key.name, name);
      assert.equal(key.keyType, 'RSA');
      assert.deepEqual([...key.keyOperations!].sort(), [...RSA_OPS].sort());
      assert.equal(key.key?.n?.length, 256);
      assert.ok(key.key!.n![0]! >= 0x80, 'the modulus has its top bit set');
      assert.equal(b64u(key.key?.e), 'AQAB');
      assert.equal(key.key?.d, undefined);
      assert.equal(key.properties.version, assertKid(key.id, name));
      assert.equal(key.key?.kid, key.id);
      assert.equal(key.properties.enabled, true);
      assert.equal(key.properties.exportable, false);
      assert.equal(key.properties.recoveryLevel, 'Recoverable+Purgeable');
      assert.equal(key.properties.recoverableDays, 90);
      assert.ok(key.properties.createdOn instanceof Date);
      assert.equal(key.properties.vaultUrl, server.vaultUrl());
    });

    it('creates 3072- and 4096-bit keys, and createKey(name, "RSA", { keySize }) does the same', async () => {
      const [k3072, k4096] = await Promise.all([client.createRsaKey(uniqueName('rsa3k'), { keySize: 3072 }), client.createKey(uniqueName('rsa4k'), 'RSA', { keySize: 4096 })]);
      assert.equal(k3072.key?.n?.length, 384);
      assert.ok(k3072.key!.n![0]! >= 0x80);
      assert.equal(k4096.key?.n?.length, 512);
      assert.ok(k4096.key!.n![0]! >= 0x80);
      assert.equal(k4096.keyType, 'RSA');
      // The generated key works: the server's RS256 signature verifies with the published public key.
      const publicKey = createPublicKey({ key: { kty: 'RSA', n: b64u(k4096.key?.n), e: b64u(k4096.key?.e) }, format: 'jwk' });
      assert.equal(await serverSignsFor(k4096.name, publicKey), true);
    });

    it('answers, on the wire, kid https://HOST/keys/NAME/VERSION, Azure attributes and public members only', async () => {
      const name = uniqueName('rsaw');
      const response = await raw('POST', `/keys/${name}/create${q}`, { kty: 'RSA', key_size: 2048 });
      assert.equal(response.status, 200, response.text);
      assertKid(response.json.key.kid, name);
      assert.equal(response.json.key.kty, 'RSA');
      assert.deepEqual([...response.json.key.key_ops].sort(), [...RSA_OPS].sort());
      assert.equal(Buffer.from(response.json.key.n, 'base64url').length, 256);
      assert.equal(response.json.key.e, 'AQAB');
      assertWireAttributes(response.json.attributes, 'create');
      assert.equal(response.json.attributes.exportable, false);
      assert.equal(response.json.attributes.enabled, true);
      assert.equal('nbf' in response.json.attributes, false);
      assert.equal('exp' in response.json.attributes, false);
      assert.equal('tags' in response.json, false);
      assertPublicOnly(response, 'create RSA');
    });

    it('uses a chosen public exponent (public_exponent on the wire; the 4.10.2 SDK does not send publicExponent)', async () => {
      const name = uniqueName('rsae');
      const response = await raw('POST', `/keys/${name}/create${q}`, { kty: 'RSA', key_size: 2048, public_exponent: 3 });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.key.e, 'Aw');
      const got = await client.getKey(name);
      assert.deepEqual(Buffer.from(got.key!.e!), Buffer.from([3]));
      const publicKey = createPublicKey({ key: { kty: 'RSA', n: response.json.key.n, e: 'Aw' }, format: 'jwk' });
      assert.equal(await serverSignsFor(name, publicKey), true);
    });

    it('refuses an even exponent, 1, or a key size Azure does not offer with 400 BadParameter and stores nothing', async () => {
      for (const body of [
        { kty: 'RSA', public_exponent: 65_536 },
        { kty: 'RSA', public_exponent: 1 },
        { kty: 'RSA', key_size: 1024 },
        { kty: 'RSA', key_size: 2047 },
        { kty: 'RSA', key_size: 8192 },
        { kty: 'RSA', crv: 'P-256' },
      ]) {
        const name = uniqueName('rsabad');
        const response = await raw('POST', `/keys/${name}/create${q}`, body);
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assert.equal(response.json.error.code, 'BadParameter');
        await assertKeyAbsent(name);
      }
      await assert.rejects(client.createRsaKey(uniqueName('rsabad'), { keySize: 1024 }), azureError(400, 'BadParameter'));
    });

    it('stores tags, enabled, notBefore, expiresOn and keyOps', async () => {
      const name = uniqueName('rsaattr');
      const notBefore = secondsFromNow(-3600);
      const expiresOn = secondsFromNow(86_400);
      const created = await client.createRsaKey(name, { tags: { team: 'payroll' }, enabled: false, notBefore, expiresOn, keyOps: ['sign', 'verify'] });
      for (const key of [created, await client.getKey(name)]) {
        assert.deepEqual(key.properties.tags, { team: 'payroll' });
        assert.equal(key.properties.enabled, false);
        assert.equal(key.properties.notBefore?.getTime(), notBefore.getTime());
        assert.equal(key.properties.expiresOn?.getTime(), expiresOn.getTime());
        assert.deepEqual(key.keyOperations, ['sign', 'verify']);
      }
      const response = await raw('GET', `/keys/${name}${q}`);
      assert.equal(response.json.attributes.nbf, notBefore.getTime() / 1000);
      assert.equal(response.json.attributes.exp, expiresOn.getTime() / 1000);
      assert.deepEqual(response.json.tags, { team: 'payroll' });
    });

    it('makes a new version on every call and serves the newest as the latest', async () => {
      const name = uniqueName('rsav');
      const first = await client.createRsaKey(name);
      const second = await client.createRsaKey(name);
      assert.notEqual(first.properties.version, second.properties.version);
      assert.notDeepEqual(Buffer.from(first.key!.n!), Buffer.from(second.key!.n!));
      const latest = await client.getKey(name);
      assert.equal(latest.properties.version, second.properties.version);
      assert.equal((await collect(client.listPropertiesOfKeyVersions(name))).length, 2);
    });
  });

  describe('KeyClient.createEcKey', () => {
    for (const { crv, bytes, node } of CURVES) {
      it(`creates a ${crv} key: coordinates of ${bytes} bytes on the curve, sign and verify by default`, async () => {
        const name = uniqueName('ec');
        const key = await client.createEcKey(name, { curve: crv });
        assert.equal(key.keyType, 'EC');
        assert.equal(key.key?.crv, crv);
        assert.equal(key.key?.x?.length, bytes);
        assert.equal(key.key?.y?.length, bytes);
        assert.equal(key.key?.d, undefined);
        assert.deepEqual(key.keyOperations, ['sign', 'verify']);
        assertKid(key.id, name);
        // node:crypto refuses a point that is not on the curve.
        const publicKey = createPublicKey({ key: { kty: 'EC', crv: node, x: b64u(key.key?.x), y: b64u(key.key?.y) }, format: 'jwk' });
        assert.equal(publicKey.asymmetricKeyType, 'ec');

        const response = await raw('GET', `/keys/${name}${q}`);
        assert.equal(response.json.key.crv, crv);
        assertWireAttributes(response.json.attributes, `get ${crv}`);
        assertPublicOnly(response, `get ${crv}`);
      });
    }

    it('makes a P-256 key when no curve is given', async () => {
      const key = await client.createKey(uniqueName('ecdef'), 'EC');
      assert.equal(key.key?.crv, 'P-256');
      assert.equal(key.key?.x?.length, 32);
    });

    it('refuses an unknown curve or a key_size with 400 BadParameter and stores nothing', async () => {
      for (const body of [{ kty: 'EC', crv: 'P-192' }, { kty: 'EC', crv: 'secp256k1' }, { kty: 'EC', crv: 'p-256' }, { kty: 'EC', crv: 'P-256', key_size: 256 }]) {
        const name = uniqueName('ecbad');
        const response = await raw('POST', `/keys/${name}/create${q}`, body);
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assert.equal(response.json.error.code, 'BadParameter');
        await assertKeyAbsent(name);
      }
    });
  });

  describe('KeyClient.createOctKey', () => {
    /** Shows a key's length through A{bits}KW: that size wraps, the others are refused. */
    async function assertOctBits(name: string, bits: number): Promise<void> {
      for (const size of [128, 192, 256]) {
        const response = await raw('POST', `/keys/${name}//wrapkey${q}`, { alg: `A${size}KW`, value: randomBytes(16).toString('base64url') });
        assert.equal(response.status, size === bits ? 200 : 400, `A${size}KW with a ${bits}-bit key: ${response.text}`);
        if (size === bits) assert.equal(Buffer.from(response.json.value, 'base64url').length, 24);
      }
    }

    for (const bits of [128, 192, 256]) {
      it(`creates a ${bits}-bit oct key whose k never leaves the server`, async () => {
        const name = uniqueName('oct');
        const key = await client.createOctKey(name, { keySize: bits });
        assert.equal(key.keyType, 'oct');
        assert.equal(key.key?.k, undefined);
        assert.deepEqual(key.keyOperations, OCT_OPS);
        assertKid(key.id, name);
        const response = await raw('GET', `/keys/${name}${q}`);
        assert.deepEqual(Object.keys(response.json.key).sort(), ['key_ops', 'kid', 'kty']);
        assertPublicOnly(response, `get oct ${bits}`);
        await assertOctBits(name, bits);
      });
    }

    it('makes a 256-bit key when no size is given', async () => {
      const name = uniqueName('octdef');
      await client.createOctKey(name);
      await assertOctBits(name, 256);
    });

    it('refuses sizes other than 128, 192 and 256, or a curve, with 400 BadParameter and stores nothing', async () => {
      for (const body of [{ kty: 'oct', key_size: 64 }, { kty: 'oct', key_size: 512 }, { kty: 'oct', key_size: 2048 }, { kty: 'oct', crv: 'P-256' }]) {
        const name = uniqueName('octbad');
        const response = await raw('POST', `/keys/${name}/create${q}`, body);
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assert.equal(response.json.error.code, 'BadParameter');
        await assertKeyAbsent(name);
      }
    });
  });

  describe('-HSM key types (no HSM provider)', () => {
    it('refuses RSA-HSM, EC-HSM and oct-HSM creation with 400 BadParameter and stores nothing', async () => {
      const attempts: Array<[string, (name: string) => Promise<KeyVaultKey>]> = [
        ['createRsaKey hsm', (name) => client.createRsaKey(name, { hsm: true })],
        ['createEcKey hsm', (name) => client.createEcKey(name, { hsm: true })],
        ['createOctKey hsm', (name) => client.createOctKey(name, { hsm: true })],
        ['createKey RSA-HSM', (name) => client.createKey(name, 'RSA-HSM')],
      ];
      for (const [label, attempt] of attempts) {
        const name = uniqueName('hsm');
        await assert.rejects(attempt(name), azureError(400, 'BadParameter'), label);
        await assertKeyAbsent(name);
      }
      for (const kty of ['RSA-HSM', 'EC-HSM', 'oct-HSM']) {
        const name = uniqueName('hsm');
        const response = await raw('POST', `/keys/${name}/create${q}`, { kty });
        assert.equal(response.status, 400, `${kty}: ${response.text}`);
        assert.equal(response.json.error.code, 'BadParameter');
        assert.match(response.json.error.message, new RegExp(kty));
        await assertKeyAbsent(name);
      }
    });

    it('refuses an HSM import (Hsm: true or an -HSM kty) with 400 BadParameter and stores nothing', async () => {
      const jwk = rsaJwk();
      const name = uniqueName('hsmimp');
      await assert.rejects(client.importKey(name, sdkJwk(jwk), { hardwareProtected: true }), azureError(400, 'BadParameter'));
      await assertKeyAbsent(name);
      for (const key of [{ ...jwk, kty: 'RSA-HSM' }, { ...ecJwk('P-256'), kty: 'EC-HSM' }, { kty: 'oct-HSM', k: randomBytes(32).toString('base64url') }]) {
        const response = await raw('PUT', `/keys/${name}${q}`, { key });
        assert.equal(response.status, 400, `${key.kty}: ${response.text}`);
        assert.equal(response.json.error.code, 'BadParameter');
        assertPublicOnly(response, `${key.kty} import`, privateValuesOf(key));
        await assertKeyAbsent(name);
      }
    });
  });

  describe('KeyClient.importKey', () => {
    it('imports an RSA JWK with its CRT members and uses exactly that key', async () => {
      const name = uniqueName('imprsa');
      const jwk = rsaJwk();
      const imported = await client.importKey(name, sdkJwk(jwk));
      assert.equal(imported.keyType, 'RSA');
      assert.equal(b64u(imported.key?.n), jwk.n);
      assert.equal(b64u(imported.key?.e), jwk.e);
      for (const member of PRIVATE_MEMBERS) assert.equal(imported.key?.[member], undefined, member);
      assert.deepEqual([...imported.keyOperations!].sort(), [...RSA_OPS].sort());
      assertKid(imported.id, name);

      // The server signs with the imported private key: node:crypto verifies with the original public key.
      const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
      assert.equal(await serverSignsFor(name, publicKey), true);
    });

    it('answers an RSA import on the wire with public members only and none of the private values', async () => {
      const name = uniqueName('imprsaw');
      const jwk = rsaJwk();
      const response = await raw('PUT', `/keys/${name}${q}`, { key: jwk });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.key.n, jwk.n);
      assertKid(response.json.key.kid, name);
      assertWireAttributes(response.json.attributes, 'import');
      assertPublicOnly(response, 'import RSA', privateValuesOf(jwk));
      assertPublicOnly(await raw('GET', `/keys/${name}${q}`), 'get imported RSA', privateValuesOf(jwk));
    });

    for (const { crv, node } of CURVES) {
      it(`imports a ${crv} private JWK and signs with exactly that key`, async () => {
        const name = uniqueName('impec');
        const jwk = ecJwk(node);
        const imported = await client.importKey(name, sdkJwk(jwk));
        assert.equal(imported.keyType, 'EC');
        assert.equal(imported.key?.crv, crv);
        assert.equal(b64u(imported.key?.x), jwk.x);
        assert.equal(b64u(imported.key?.y), jwk.y);
        assert.equal(imported.key?.d, undefined);

        const alg = { 'P-256': 'ES256', 'P-256K': 'ES256K', 'P-384': 'ES384', 'P-521': 'ES512' }[crv];
        const hash = { 'P-256': 'sha256', 'P-256K': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512' }[crv];
        const data = randomBytes(50);
        const signed = await raw('POST', `/keys/${name}//sign${q}`, { alg, value: createHash(hash).update(data).digest('base64url') });
        assert.equal(signed.status, 200, signed.text);
        assertPublicOnly(signed, `${alg} sign`, privateValuesOf(jwk));
        const publicKey = createPublicKey({ key: { kty: 'EC', crv: node, x: jwk.x!, y: jwk.y! }, format: 'jwk' });
        assert.equal(cryptoVerify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signed.json.value, 'base64url')), true);
        assertPublicOnly(await raw('GET', `/keys/${name}${q}`), `get imported ${crv}`, privateValuesOf(jwk));
      });
    }

    it('imports an oct key and wraps with exactly those bytes (A256KW is deterministic)', async () => {
      const name = uniqueName('impoct');
      const k = randomBytes(32);
      const imported = await client.importKey(name, { kty: 'oct', k });
      assert.equal(imported.keyType, 'oct');
      assert.equal(imported.key?.k, undefined);
      assert.deepEqual(imported.keyOperations, OCT_OPS);
      const keyToWrap = randomBytes(32);
      const response = await raw('POST', `/keys/${name}//wrapkey${q}`, { alg: 'A256KW', value: keyToWrap.toString('base64url') });
      assert.equal(response.status, 200, response.text);
      const cipher = createCipheriv('id-aes256-wrap', k, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
      assert.equal(response.json.value, Buffer.concat([cipher.update(keyToWrap), cipher.final()]).toString('base64url'));
      assertPublicOnly(response, 'wrapkey', [k.toString('base64url')]);

      const wire = await raw('PUT', `/keys/${uniqueName('impoctw')}${q}`, { key: { kty: 'oct', k: k.toString('base64url') } });
      assert.equal(wire.status, 200, wire.text);
      assertPublicOnly(wire, 'import oct', [k.toString('base64url')]);
    });

    it('takes key_ops from the JWK, and tags, enabled, notBefore and expiresOn from the options', async () => {
      const name = uniqueName('impops');
      const notBefore = secondsFromNow(-60);
      const expiresOn = secondsFromNow(3600);
      const imported = await client.importKey(name, sdkJwk(ecJwk('P-256'), { keyOps: ['verify'] }), { tags: { source: 'byok' }, enabled: false, notBefore, expiresOn });
      for (const key of [imported, await client.getKey(name)]) {
        assert.deepEqual(key.keyOperations, ['verify']);
        assert.deepEqual(key.properties.tags, { source: 'byok' });
        assert.equal(key.properties.enabled, false);
        assert.equal(key.properties.notBefore?.getTime(), notBefore.getTime());
        assert.equal(key.properties.expiresOn?.getTime(), expiresOn.getTime());
      }
    });

    it('adds a new version to an existing key, keeping the older one', async () => {
      const name = uniqueName('impver');
      const generated = await client.createRsaKey(name);
      const jwk = rsaJwk();
      const imported = await client.importKey(name, sdkJwk(jwk));
      assert.notEqual(imported.properties.version, generated.properties.version);
      assert.equal(b64u((await client.getKey(name)).key?.n), jwk.n);
      const older = await client.getKey(name, { version: generated.properties.version! });
      assert.deepEqual(Buffer.from(older.key!.n!), Buffer.from(generated.key!.n!));
    });
  });

  describe('KeyClient.getKey', () => {
    it('returns the latest version, or an older one by version, with versioned kids', async () => {
      const name = uniqueName('get');
      const old = await client.createEcKey(name, { tags: { v: '1' } });
      const latest = await client.createEcKey(name, { tags: { v: '2' } });
      const got = await client.getKey(name);
      assert.equal(got.id, latest.id);
      assert.deepEqual(got.properties.tags, { v: '2' });
      assert.deepEqual(Buffer.from(got.key!.x!), Buffer.from(latest.key!.x!));
      const gotOld = await client.getKey(name, { version: old.properties.version! });
      assert.equal(gotOld.id, `${server.vaultUrl()}/keys/${name}/${old.properties.version}`);
      assert.deepEqual(gotOld.properties.tags, { v: '1' });
      assert.deepEqual(Buffer.from(gotOld.key!.x!), Buffer.from(old.key!.x!));
    });

    it('reads the latest version through /keys/NAME/ (empty version) and /keys/NAME on the wire', async () => {
      const name = uniqueName('getw');
      const jwk = rsaJwk();
      await client.importKey(name, sdkJwk(jwk));
      const latest = await client.createRsaKey(name);
      for (const path of [`/keys/${name}/${q}`, `/keys/${name}${q}`, `/keys/${name}/${latest.properties.version}${q}`]) {
        const response = await raw('GET', path);
        assert.equal(response.status, 200, `${path}: ${response.text}`);
        assert.equal(response.json.key.kid, latest.id);
        assertWireAttributes(response.json.attributes, path);
        assertPublicOnly(response, path, privateValuesOf(jwk));
      }
    });

    it('answers 404 KeyNotFound for an unknown name or version', async () => {
      await assert.rejects(client.getKey(uniqueName('nokey')), azureError(404, 'KeyNotFound'));
      const name = uniqueName('getv');
      await client.createOctKey(name);
      await assert.rejects(client.getKey(name, { version: randomBytes(16).toString('hex') }), azureError(404, 'KeyNotFound'));
    });

    it("serves a disabled key's public parts (operations with it are refused)", async () => {
      const name = uniqueName('getdis');
      const created = await client.createRsaKey(name, { enabled: false });
      const got = await client.getKey(name);
      assert.equal(got.properties.enabled, false);
      assert.deepEqual(Buffer.from(got.key!.n!), Buffer.from(created.key!.n!));
      const sign = await raw('POST', `/keys/${name}//sign${q}`, { alg: 'RS256', value: randomBytes(32).toString('base64url') });
      assert.equal(sign.status, 403, sign.text);
    });
  });

  describe('KeyClient.updateKeyProperties', () => {
    it('changes enabled, notBefore, expiresOn, keyOps and tags of one version without adding one', async () => {
      const name = uniqueName('upd');
      const created = await client.createRsaKey(name, { tags: { a: '1' } });
      const notBefore = secondsFromNow(-120);
      const expiresOn = secondsFromNow(7200);
      const updated = await client.updateKeyProperties(name, created.properties.version!, { enabled: false, notBefore, expiresOn, keyOps: ['sign', 'verify'], tags: { b: '2' } });
      assert.equal(updated.id, created.id);
      for (const key of [updated, await client.getKey(name)]) {
        assert.equal(key.properties.enabled, false);
        assert.equal(key.properties.notBefore?.getTime(), notBefore.getTime());
        assert.equal(key.properties.expiresOn?.getTime(), expiresOn.getTime());
        assert.deepEqual(key.keyOperations, ['sign', 'verify']);
        assert.deepEqual(key.properties.tags, { b: '2' });
        assert.deepEqual(Buffer.from(key.key!.n!), Buffer.from(created.key!.n!), 'the key material is untouched');
      }
      assert.equal((await collect(client.listPropertiesOfKeyVersions(name))).length, 1);

      const reenabled = await client.updateKeyProperties(name, created.properties.version!, { enabled: true });
      assert.equal(reenabled.properties.enabled, true);
      // key_ops now lack encrypt: the server refuses it.
      const encrypt = await raw('POST', `/keys/${name}/${created.properties.version}/encrypt${q}`, { alg: 'RSA-OAEP-256', value: 'AAAA' });
      assert.equal(encrypt.status, 403, encrypt.text);
      assert.equal(encrypt.json.error.code, 'Forbidden');
    });

    it('keeps what the update does not mention', async () => {
      const name = uniqueName('updkeep');
      const expiresOn = secondsFromNow(86_400);
      const created = await client.createEcKey(name, { tags: { a: '1' }, expiresOn, keyOps: ['sign'] });
      const updated = await client.updateKeyProperties(name, created.properties.version!, { tags: { a: '2' } });
      assert.equal(updated.properties.expiresOn?.getTime(), expiresOn.getTime());
      assert.deepEqual(updated.keyOperations, ['sign']);
      assert.equal(updated.properties.enabled, true);
      assert.deepEqual(updated.properties.tags, { a: '2' });
    });

    it('updates the latest version when no version is given, and leaves older versions alone', async () => {
      const name = uniqueName('updlatest');
      const old = await client.createOctKey(name);
      const latest = await client.createOctKey(name);
      const updated = await client.updateKeyProperties(name, { tags: { on: 'latest' } });
      assert.equal(updated.id, latest.id);
      assert.deepEqual((await client.getKey(name)).properties.tags, { on: 'latest' });
      assert.equal((await client.getKey(name, { version: old.properties.version! })).properties.tags, undefined);

      const response = await raw('PATCH', `/keys/${name}/${q}`, { tags: { on: 'wire' } });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.key.kid, latest.id);
      assertPublicOnly(response, 'update');
    });

    it('sets and replaces the release policy of an exportable key; an immutable one stays', async () => {
      const name = uniqueName('updrp');
      const policy = (claim: string) => new TextEncoder().encode(JSON.stringify({ version: '1.0.0', anyOf: [{ authority: 'https://attest.example', allOf: [{ claim, equals: true }] }] }));
      const created = await client.createRsaKey(name, { exportable: true, releasePolicy: { encodedPolicy: policy('first') } });
      assert.equal(created.properties.exportable, true);
      assert.deepEqual(JSON.parse(Buffer.from(created.properties.releasePolicy!.encodedPolicy!).toString()).anyOf[0].allOf[0].claim, 'first');
      assert.equal(created.properties.releasePolicy?.immutable, false);
      assert.equal(created.properties.releasePolicy?.contentType, 'application/json; charset=utf-8');

      const updated = await client.updateKeyProperties(name, created.properties.version!, { releasePolicy: { encodedPolicy: policy('second'), immutable: true } });
      assert.equal(JSON.parse(Buffer.from(updated.properties.releasePolicy!.encodedPolicy!).toString()).anyOf[0].allOf[0].claim, 'second');
      assert.equal(updated.properties.releasePolicy?.immutable, true);
      const wire = await raw('GET', `/keys/${name}${q}`);
      assert.equal(wire.json.attributes.exportable, true);
      assert.equal(wire.json.release_policy.immutable, true);

      await assert.rejects(client.updateKeyProperties(name, created.properties.version!, { releasePolicy: { encodedPolicy: policy('third') } }), azureError(400, 'BadParameter'));
      const after = await client.getKey(name);
      assert.equal(JSON.parse(Buffer.from(after.properties.releasePolicy!.encodedPolicy!).toString()).anyOf[0].allOf[0].claim, 'second');
    });

    it('refuses an exportable key without a release policy, or a change of exportable, with 400 BadParameter', async () => {
      const name = uniqueName('updexp');
      await assert.rejects(client.createRsaKey(name, { exportable: true }), azureError(400, 'BadParameter'));
      await assertKeyAbsent(name);
      const created = await client.createEcKey(name);
      const response = await raw('PATCH', `/keys/${name}/${created.properties.version}${q}`, { attributes: { exportable: true } });
      assert.equal(response.status, 400, response.text);
      assert.equal(response.json.error.code, 'BadParameter');
      assert.equal((await client.getKey(name)).properties.exportable, false);
    });

    it('answers 404 KeyNotFound for an unknown name or version', async () => {
      await assert.rejects(client.updateKeyProperties(uniqueName('noupd'), randomBytes(16).toString('hex'), { enabled: true }), azureError(404, 'KeyNotFound'));
      const name = uniqueName('updv');
      await client.createOctKey(name);
      await assert.rejects(client.updateKeyProperties(name, randomBytes(16).toString('hex'), { enabled: true }), azureError(404, 'KeyNotFound'));
    });
  });

  describe('KeyClient.listPropertiesOfKeys', () => {
    let vault: string;
    let vaultClient: KeyClient;
    let names: string[];

    before(async () => {
      ({ vault, client: vaultClient } = await newVault('kl'));
      names = Array.from({ length: 12 }, (_, i) => `listed-${String(i).padStart(2, '0')}-${uniqueName('')}`);
      await Promise.all(names.map((name, i) => (i % 2 === 0 ? vaultClient.createEcKey(name, { tags: { i: String(i) } }) : vaultClient.createOctKey(name, { keySize: 128 }))));
      // A second version of one key: it is listed once, as its latest version.
      await vaultClient.createEcKey(names[0]!, { tags: { i: 'second' } });
    });

    it('returns every key of the vault once, with unversioned ids', async () => {
      const listed = await collect(vaultClient.listPropertiesOfKeys());
      assert.deepEqual(listed.map((p) => p.name).sort(), [...names].sort());
      for (const properties of listed) {
        assert.equal(properties.id, `${server.vaultUrl(vault)}/keys/${properties.name}`);
        assert.equal(properties.version, undefined);
        assert.equal(properties.vaultUrl, server.vaultUrl(vault));
        assert.equal(properties.recoveryLevel, 'Recoverable+Purgeable');
      }
      assert.deepEqual(listed.find((p) => p.name === names[0])?.tags, { i: 'second' });
    });

    it('returns pages of the size asked for through byPage', async () => {
      const pages = await collect(vaultClient.listPropertiesOfKeys().byPage({ maxPageSize: 5 }));
      assert.deepEqual(pages.map((page) => page.length), [5, 5, 2]);
    });

    it('pages with maxresults and an absolute nextLink on the vault host; items have an unversioned kid and no key', async () => {
      const first = await raw('GET', `/keys${q}&maxresults=5`, undefined, vault);
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.value.length, 5);
      const items: any[] = [...first.json.value];
      let link: string | null = first.json.nextLink;
      let last = first;
      for (let pages = 1; link !== null; pages++) {
        assert.ok(pages < 10, 'paging does not end');
        const url = new URL(link);
        assert.equal(url.origin, server.vaultUrl(vault));
        assert.equal(url.pathname, '/keys');
        assert.equal(url.searchParams.get('maxresults'), '5');
        assert.ok(url.searchParams.get('api-version'));
        last = await server.request('GET', link, { token });
        assert.equal(last.status, 200, last.text);
        assertPublicOnly(last, 'list page');
        items.push(...last.json.value);
        link = last.json.nextLink ?? null;
      }
      assert.equal(last.json.nextLink, null);
      assert.equal(items.length, 12);
      assertPublicOnly(first, 'list first page');
      for (const item of items) {
        assert.match(item.kid, new RegExp(`^${server.vaultUrl(vault).replaceAll('.', '\\.')}/keys/listed-[0-9a-z-]+$`));
        assert.equal('key' in item, false);
        assertWireAttributes(item.attributes, item.kid);
      }
      assert.deepEqual(items.map((item) => item.kid.split('/').pop()).sort(), [...names].sort());
    });

    it('still lists a disabled key, and no longer lists a deleted one', async () => {
      const { client: other } = await newVault('kd');
      const disabled = uniqueName('dis');
      const deleted = uniqueName('del');
      await other.createOctKey(disabled, { enabled: false });
      await other.createOctKey(deleted);
      await deleteKey(other, deleted);
      const listed = await collect(other.listPropertiesOfKeys());
      assert.deepEqual(listed.map((p) => p.name), [disabled]);
      assert.equal(listed[0]!.enabled, false);
    });

    it('refuses maxresults 0 and 26 with 400 BadParameter', async () => {
      for (const maxresults of ['0', '26']) {
        for (const path of ['/keys', `/keys/${names[0]}/versions`, '/deletedkeys']) {
          const response = await raw('GET', `${path}${q}&maxresults=${maxresults}`, undefined, vault);
          assert.equal(response.status, 400, `${path} maxresults=${maxresults}`);
          assert.equal(response.json.error.code, 'BadParameter');
        }
      }
    });
  });

  describe('KeyClient.listPropertiesOfKeyVersions', () => {
    it('lists every version with versioned ids and its own attributes, paged with maxresults', async () => {
      const name = uniqueName('vers');
      const made: KeyVaultKey[] = [];
      made.push(await client.createEcKey(name, { tags: { n: '1' }, enabled: false }));
      made.push(await client.createEcKey(name, { tags: { n: '2' } }));
      made.push(await client.createEcKey(name, { tags: { n: '3' }, keyOps: ['verify'] }));
      const versions = await collect(client.listPropertiesOfKeyVersions(name));
      assert.deepEqual(versions.map((p) => p.version).sort(), made.map((k) => k.properties.version).sort());
      for (const properties of versions) {
        assert.match(properties.version ?? '', VERSION_PATTERN);
        assert.equal(properties.id, `${server.vaultUrl()}/keys/${name}/${properties.version}`);
        const source = made.find((k) => k.properties.version === properties.version)!;
        assert.deepEqual(properties.tags, source.properties.tags);
        assert.equal(properties.enabled, source.properties.enabled);
      }

      const first = await raw('GET', `/keys/${name}/versions${q}&maxresults=2`);
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.value.length, 2);
      const next = new URL(first.json.nextLink);
      assert.equal(next.origin, server.vaultUrl());
      assert.equal(next.pathname, `/keys/${name}/versions`);
      const second = await server.request('GET', first.json.nextLink, { token });
      assert.equal(second.json.value.length, 1);
      assert.equal(second.json.nextLink ?? null, null);
      for (const response of [first, second]) {
        assertPublicOnly(response, 'versions');
        for (const item of response.json.value) {
          assertKid(item.kid, name);
          assert.equal('key' in item, false);
          assertWireAttributes(item.attributes, item.kid);
        }
      }
      assert.equal((await collect(client.listPropertiesOfKeyVersions(name).byPage({ maxPageSize: 1 }))).length, 3);
    });

    it('answers an empty list for an unknown name', async () => {
      assert.deepEqual(await collect(client.listPropertiesOfKeyVersions(uniqueName('nover'))), []);
    });
  });

  describe('KeyClient.beginDeleteKey, getDeletedKey and listDeletedKeys', () => {
    it('answers a DeletedKey with recoveryId, deletedOn and a purge date 90 days later, and public members only', async () => {
      const name = uniqueName('del');
      const jwk = rsaJwk();
      const imported = await client.importKey(name, sdkJwk(jwk), { tags: { kept: 'yes' } });
      const deleted = await deleteKey(client, name);
      assert.equal(deleted.name, name);
      assert.equal(deleted.id, imported.id);
      assert.equal(deleted.properties.recoveryId, `${server.vaultUrl()}/deletedkeys/${name}`);
      assert.ok(deleted.properties.deletedOn instanceof Date);
      assert.ok(Math.abs(deleted.properties.deletedOn.getTime() - Date.now()) < DAY_MS);
      assert.equal(deleted.properties.scheduledPurgeDate!.getTime() - deleted.properties.deletedOn.getTime(), 90 * DAY_MS);
      assert.equal(b64u(deleted.key?.n), jwk.n);
      assert.equal(deleted.key?.d, undefined);
      assert.deepEqual(deleted.properties.tags, { kept: 'yes' });

      await assert.rejects(client.getKey(name), azureError(404, 'KeyNotFound'));
      await assert.rejects(client.getKey(name, { version: imported.properties.version! }), azureError(404, 'KeyNotFound'));
      const got = await client.getDeletedKey(name);
      assert.equal(got.id, imported.id);
      assert.equal(got.properties.deletedOn?.getTime(), deleted.properties.deletedOn.getTime());
      assert.equal(b64u(got.key?.n), jwk.n);

      const wire = await raw('GET', `/deletedkeys/${name}${q}`);
      assert.equal(wire.status, 200);
      assert.equal(wire.json.scheduledPurgeDate - wire.json.deletedDate, 7_776_000);
      assert.equal(wire.json.key.kid, imported.id);
      assertWireAttributes(wire.json.attributes, 'deleted');
      assertPublicOnly(wire, 'get deleted', privateValuesOf(jwk));
    });

    it('answers the DELETE itself with public members only', async () => {
      const name = uniqueName('delw');
      const jwk = ecJwk('P-384');
      await client.importKey(name, sdkJwk(jwk));
      const response = await raw('DELETE', `/keys/${name}${q}`);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.recoveryId, `${server.vaultUrl()}/deletedkeys/${name}`);
      assert.equal(response.json.key.x, jwk.x);
      assertPublicOnly(response, 'delete', privateValuesOf(jwk));
    });

    it("follows the vault's retention: 7 days gives CustomizedRecoverable+Purgeable and a purge date 7 days out", async () => {
      const { client: shortClient, vault } = await newVault('rt', '--retention-days', '7');
      const name = uniqueName('short');
      const created = await shortClient.createEcKey(name);
      assert.equal(created.properties.recoveryLevel, 'CustomizedRecoverable+Purgeable');
      assert.equal(created.properties.recoverableDays, 7);
      const response = await raw('DELETE', `/keys/${name}${q}`, undefined, vault);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.scheduledPurgeDate - response.json.deletedDate, 7 * 86_400);
      assertWireAttributes(response.json.attributes, 'deleted in a 7-day vault', { recoveryLevel: 'CustomizedRecoverable+Purgeable', recoverableDays: 7 });
    });

    it('answers 404 KeyNotFound for an unknown or already deleted key, and 409 when creating over a deleted one', async () => {
      await assert.rejects(client.beginDeleteKey(uniqueName('nodel')), azureError(404, 'KeyNotFound'));
      const name = uniqueName('deltwice');
      await client.createOctKey(name);
      await deleteKey(client, name);
      await assert.rejects(client.beginDeleteKey(name), azureError(404, 'KeyNotFound'));
      await assert.rejects(client.createOctKey(name), azureError(409, 'Conflict'));
      const response = await raw('POST', `/keys/${name}/create${q}`, { kty: 'oct' });
      assert.equal(response.status, 409);
      assert.equal(response.json.error.innererror.code, 'ObjectIsDeletedButRecoverable');
      await assert.rejects(client.getDeletedKey(uniqueName('nodel')), azureError(404, 'KeyNotFound'));
    });

    it('lists only deleted keys, with recovery fields, unversioned kids and no key material', async () => {
      const { client: vaultClient, vault } = await newVault('ld');
      const jwk = rsaJwk();
      const deletedNames = [uniqueName('d'), uniqueName('d'), uniqueName('d')];
      await vaultClient.importKey(deletedNames[0]!, sdkJwk(jwk));
      await vaultClient.createEcKey(deletedNames[1]!);
      await vaultClient.createOctKey(deletedNames[2]!);
      await vaultClient.createOctKey(uniqueName('active'));
      for (const name of deletedNames) await deleteKey(vaultClient, name);

      const listed = await collect(vaultClient.listDeletedKeys());
      assert.deepEqual(listed.map((d) => d.name).sort(), [...deletedNames].sort());
      for (const deleted of listed) {
        assert.equal(deleted.properties.recoveryId, `${server.vaultUrl(vault)}/deletedkeys/${deleted.name}`);
        assert.equal(deleted.properties.scheduledPurgeDate!.getTime() - deleted.properties.deletedOn!.getTime(), 90 * DAY_MS);
      }
      assert.deepEqual((await collect(vaultClient.listDeletedKeys().byPage({ maxPageSize: 2 }))).map((page) => page.length), [2, 1]);

      const response = await raw('GET', `/deletedkeys${q}`, undefined, vault);
      assert.equal(response.status, 200);
      assertPublicOnly(response, 'list deleted', privateValuesOf(jwk));
      for (const item of response.json.value) {
        const name = item.recoveryId.split('/').pop();
        assert.equal(item.kid, `${server.vaultUrl(vault)}/keys/${name}`);
        assert.equal('key' in item, false);
        assertWireAttributes(item.attributes, item.kid);
      }
    });
  });

  describe('KeyClient.beginRecoverDeletedKey', () => {
    it('brings back every version, usable again, and answers with public members only', async () => {
      const name = uniqueName('rec');
      const jwk = rsaJwk();
      const old = await client.importKey(name, sdkJwk(jwk));
      const latest = await client.createRsaKey(name, { tags: { latest: 'yes' } });
      await deleteKey(client, name);

      const recovered = await (await client.beginRecoverDeletedKey(name)).pollUntilDone();
      assert.equal(recovered.name, name);
      assert.equal(recovered.id, latest.id);
      assert.equal((await client.getKey(name)).id, latest.id);
      assert.equal(b64u((await client.getKey(name, { version: old.properties.version! })).key?.n), jwk.n);
      assert.equal((await collect(client.listPropertiesOfKeyVersions(name))).length, 2);
      await assert.rejects(client.getDeletedKey(name), azureError(404, 'KeyNotFound'));
      // The recovered old version still signs with the imported key.
      const data = randomBytes(20);
      const signed = await raw('POST', `/keys/${name}/${old.properties.version}/sign${q}`, { alg: 'RS256', value: createHash('sha256').update(data).digest('base64url') });
      assert.equal(cryptoVerify('sha256', data, createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signed.json.value, 'base64url')), true);

      // The wire answer of a recovery.
      const other = uniqueName('recw');
      const otherJwk = ecJwk('P-256');
      await client.importKey(other, sdkJwk(otherJwk));
      await deleteKey(client, other);
      const response = await raw('POST', `/deletedkeys/${other}/recover${q}`);
      assert.equal(response.status, 200, response.text);
      assertKid(response.json.key.kid, other);
      assertWireAttributes(response.json.attributes, 'recover');
      assertPublicOnly(response, 'recover', privateValuesOf(otherJwk));
    });

    it('answers 404 KeyNotFound for a key that is not deleted', async () => {
      await assert.rejects(client.beginRecoverDeletedKey(uniqueName('norec')), azureError(404, 'KeyNotFound'));
    });
  });

  describe('KeyClient.purgeDeletedKey', () => {
    it('erases the key: 204 on the wire, then the name starts fresh', async () => {
      const name = uniqueName('purge');
      const old = await client.createOctKey(name);
      await deleteKey(client, name);
      const response = await raw('DELETE', `/deletedkeys/${name}${q}`);
      assert.equal(response.status, 204);
      assert.equal(response.text, '');
      await assert.rejects(client.getDeletedKey(name), azureError(404, 'KeyNotFound'));
      const fresh = await client.createOctKey(name);
      assert.deepEqual((await collect(client.listPropertiesOfKeyVersions(name))).map((p) => p.version), [fresh.properties.version]);
      await assert.rejects(client.getKey(name, { version: old.properties.version! }), azureError(404, 'KeyNotFound'));
    });

    it('works through the SDK and answers 404 for a key that is not deleted', async () => {
      const name = uniqueName('purgesdk');
      await client.createOctKey(name);
      await assert.rejects(client.purgeDeletedKey(name), azureError(404, 'KeyNotFound'));
      await deleteKey(client, name);
      await client.purgeDeletedKey(name);
      assert.equal((await collect(client.listDeletedKeys())).some((d) => d.name === name), false);
    });

    it('is refused with 403 under purge protection, and the deleted key stays recoverable', async () => {
      const { client: protectedClient } = await newVault('pp', '--purge-protection');
      const name = uniqueName('prot');
      const created = await protectedClient.createOctKey(name);
      assert.equal(created.properties.recoveryLevel, 'Recoverable');
      await deleteKey(protectedClient, name);
      await assert.rejects(protectedClient.purgeDeletedKey(name), azureError(403, 'Forbidden'));
      await (await protectedClient.beginRecoverDeletedKey(name)).pollUntilDone();
      assert.equal((await protectedClient.getKey(name)).id, created.id);
    });
  });

  describe('KeyClient.backupKey and restoreKeyBackup', () => {
    it('returns an opaque blob without the private key, which restores every version after a purge', async () => {
      const name = uniqueName('bak');
      const jwk = rsaJwk();
      const first = await client.importKey(name, sdkJwk(jwk), { tags: { n: '1' } });
      const second = await client.createRsaKey(name, { tags: { n: '2' }, keyOps: ['sign', 'verify'] });
      const backup = await client.backupKey(name);
      assert.ok(backup instanceof Uint8Array && backup.length > 0);
      const blob = Buffer.from(backup);
      for (const value of privateValuesOf(jwk)) {
        const bytes = Buffer.from(value, 'base64url');
        assert.equal(blob.includes(bytes), false, 'raw private bytes in the backup');
        for (const encoding of ['utf8', 'latin1'] as const) {
          const text = blob.toString(encoding);
          for (const form of [value, bytes.toString('base64'), bytes.toString('hex')]) assert.equal(text.includes(form.slice(4, -4)), false, 'encoded private bytes in the backup');
        }
      }

      await deleteKey(client, name);
      await client.purgeDeletedKey(name);
      const restored = await client.restoreKeyBackup(backup);
      assert.equal(restored.name, name);
      assert.equal(restored.id, second.id);
      assert.deepEqual(restored.keyOperations, ['sign', 'verify']);
      const versions = await collect(client.listPropertiesOfKeyVersions(name));
      assert.deepEqual(versions.map((p) => p.version).sort(), [first.properties.version, second.properties.version].sort());
      const restoredFirst = await client.getKey(name, { version: first.properties.version! });
      assert.equal(b64u(restoredFirst.key?.n), jwk.n);
      assert.deepEqual(restoredFirst.properties.tags, { n: '1' });
      assert.equal(restoredFirst.properties.createdOn?.getTime(), first.properties.createdOn?.getTime());
      // The restored private key is the imported one.
      const data = randomBytes(20);
      const signed = await raw('POST', `/keys/${name}/${first.properties.version}/sign${q}`, { alg: 'RS256', value: createHash('sha256').update(data).digest('base64url') });
      assert.equal(cryptoVerify('sha256', data, createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signed.json.value, 'base64url')), true);
    });

    it('restores into another vault of the same server, answering public members only on the wire', async () => {
      const { client: other, vault } = await newVault('rs');
      const name = uniqueName('bakw');
      const jwk = ecJwk('secp256k1');
      const imported = await client.importKey(name, sdkJwk(jwk));
      const backup = await client.backupKey(name);
      const response = await raw('POST', `/keys/restore${q}`, { value: Buffer.from(backup!).toString('base64url') }, vault);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.key.kid, `${server.vaultUrl(vault)}/keys/${name}/${imported.properties.version}`);
      assert.equal(response.json.key.x, jwk.x);
      assertWireAttributes(response.json.attributes, 'restore');
      assertPublicOnly(response, 'restore', privateValuesOf(jwk));
      assert.equal((await other.getKey(name)).key?.crv, 'P-256K');
      assert.equal((await client.getKey(name)).id, imported.id, 'the source is untouched');
    });

    it('refuses with 409 while the name exists or is soft-deleted, and 400 for a tampered blob or a secret backup', async () => {
      const name = uniqueName('bakc');
      await client.createOctKey(name);
      const backup = (await client.backupKey(name))!;
      await assert.rejects(client.restoreKeyBackup(backup), azureError(409, 'Conflict'));
      await deleteKey(client, name);
      await assert.rejects(client.restoreKeyBackup(backup), azureError(409, 'Conflict'));
      await client.purgeDeletedKey(name);

      const tampered = Uint8Array.from(backup);
      const middle = Math.floor(tampered.length / 2);
      tampered[middle] = tampered[middle]! ^ 0x01;
      await assert.rejects(client.restoreKeyBackup(tampered), azureError(400, 'BadParameter'));
      await assert.rejects(client.restoreKeyBackup(backup.slice(0, backup.length - 1)), azureError(400, 'BadParameter'));
      await assertKeyAbsent(name);

      const secretName = uniqueName('sec');
      await server.secretClient().setSecret(secretName, 'not a key');
      const secretBackup = await server.secretClient().backupSecret(secretName);
      await assert.rejects(client.restoreKeyBackup(secretBackup!), azureError(400, 'BadParameter'));
      await assertKeyAbsent(secretName);

      assert.equal((await client.restoreKeyBackup(backup)).name, name, 'the untouched blob still restores');
    });

    it('answers 404 KeyNotFound for the backup of an unknown or deleted key', async () => {
      await assert.rejects(client.backupKey(uniqueName('nobak')), azureError(404, 'KeyNotFound'));
      const name = uniqueName('bakdel');
      await client.createOctKey(name);
      await deleteKey(client, name);
      await assert.rejects(client.backupKey(name), azureError(404, 'KeyNotFound'));
    });
  });

  describe('KeyClient.getRandomBytes', () => {
    it('returns exactly the count asked for, from 1 to 128, different each time', async () => {
      for (const count of [1, 2, 16, 32, 33, 64, 100, 127, 128]) {
        const bytes = await client.getRandomBytes(count);
        assert.ok(bytes instanceof Uint8Array);
        assert.equal(bytes.length, count);
      }
      const a = Buffer.from(await client.getRandomBytes(32));
      const b = Buffer.from(await client.getRandomBytes(32));
      assert.notDeepEqual(a, b);
      const response = await raw('POST', `/rng${q}`, { count: 48 });
      assert.equal(response.status, 200);
      assert.equal(Buffer.from(response.json.value, 'base64url').length, 48);
    });

    it('refuses 0, 129 and non-integers with 400 BadParameter', async () => {
      await assert.rejects(client.getRandomBytes(0), azureError(400, 'BadParameter'));
      await assert.rejects(client.getRandomBytes(129), azureError(400, 'BadParameter'));
      for (const body of [{ count: -1 }, { count: 1.5 }, { count: '8' }, {}]) {
        const response = await raw('POST', `/rng${q}`, body);
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assert.equal(response.json.error.code, 'BadParameter');
      }
    });
  });
});
