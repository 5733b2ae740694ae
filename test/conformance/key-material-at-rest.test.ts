// Key material at rest, checked on the bytes a thief would get: keys imported with private members the test
// knows (RSA, EC on every curve, oct of every size), used, updated, deleted, recovered, purged, backed up and
// restored; then every file under the data directory (coffer.db and its WAL, audit.db, the audit JSONL files,
// logs, TLS material) — and on PostgreSQL every row of the store — is scanned for those members in any encoding, and for the private key as PKCS#8, PKCS#1
// or SEC1 DER and PEM. The server's own output is checked too. Secret values: encryption-at-rest.test.ts.
import assert from 'node:assert/strict';
import { constants, createHash, createHmac, createPublicKey, generateKeyPair, generateKeyPairSync, randomBytes, verify as cryptoVerify, type JsonWebKey as NodeJwk, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { JsonWebKey, KeyClient, KeyVaultKey } from '@azure/keyvault-keys';
import { encodings, filesUnder } from '../support/scan-files.js';
import { serverStore, type ServerStore } from '../support/server-store.js';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

const q = '?api-version=7.5';
const ALL_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'];

interface Needle {
  what: string;
  needle: Buffer;
}

/**
 * Everything that would betray a private key: each private JWK member (its exact base64url text and its bytes in
 * every encoding), and the DER encodings of the private key (PKCS#8 and PKCS#1/SEC1) raw, in base64, and as the
 * full lines of their PEM. A PEM line that holds only public bytes (the header, the modulus, the curve point) is
 * left out: the public parts are stored in clear by design, and such a line could match them.
 */
function privateNeedles(label: string, jwk: NodeJwk, privateKey?: KeyObject): Needle[] {
  const needles: Needle[] = [];
  for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const) {
    const value = jwk[member];
    if (typeof value !== 'string') continue;
    needles.push({ what: `${label}.${member} (base64url text)`, needle: Buffer.from(value) });
    for (const { how, needle } of encodings(Buffer.from(value, 'base64url'))) needles.push({ what: `${label}.${member} (${how})`, needle });
  }
  if (privateKey) {
    const formats = privateKey.asymmetricKeyType === 'rsa' ? (['pkcs8', 'pkcs1'] as const) : (['pkcs8', 'sec1'] as const);
    for (const type of formats) {
      const der = privateKey.export({ type, format: 'der' });
      needles.push({ what: `${label} ${type} DER`, needle: der });
      for (const { how, needle } of encodings(der).filter((e) => e.how.startsWith('base64'))) needles.push({ what: `${label} ${type} DER (${how})`, needle });
      const lines = (privateKey.export({ type, format: 'pem' }) as string).split('\n').filter((line) => line.length === 64);
      const publicDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
      const holdsPrivateBytes = (line: string) => publicDer.indexOf(Buffer.from(line, 'base64')) === -1 && der.subarray(0, 48).indexOf(Buffer.from(line, 'base64')) === -1;
      for (const line of lines.filter(holdsPrivateBytes)) needles.push({ what: `${label} ${type} PEM line`, needle: Buffer.from(line) });
    }
  }
  return needles;
}

/** The needles found in some file, as "file: what", relative to dir. */
/** On PostgreSQL the store's rows too, which are no file of the data directory. */
async function leaks(dir: string, needles: Needle[], store: ServerStore): Promise<string[]> {
  const found: string[] = [];
  const files = (await filesUnder(dir)).map(({ file, bytes }) => ({ file: path.relative(dir, file), bytes }));
  for (const { file, bytes } of [...files, ...(await store.dump())]) {
    for (const { what, needle } of needles) if (bytes.indexOf(needle) !== -1) found.push(`${file}: ${what}`);
  }
  return found;
}

/** A node:crypto JWK as the SDK's JsonWebKey (bytes), with Azure's curve names. */
function sdkJwk(jwk: NodeJwk, keyOps?: string[]): JsonWebKey {
  const out: Record<string, unknown> = { kty: jwk.kty };
  for (const member of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'x', 'y'] as const) {
    if (typeof jwk[member] === 'string') out[member] = Buffer.from(jwk[member], 'base64url');
  }
  if (jwk.crv !== undefined) out.crv = jwk.crv === 'secp256k1' ? 'P-256K' : jwk.crv;
  if (keyOps) out.keyOps = keyOps;
  return out as JsonWebKey;
}

interface KnownKey {
  label: string;
  name: string;
  jwk: NodeJwk;
  privateKey?: KeyObject;
  key?: KeyVaultKey;
}

describe('key material at rest', () => {
  let server: TestServer;
  let store: ServerStore;
  let client: KeyClient;
  let token: string;
  const known: KnownKey[] = [];
  const names = {
    rsa: uniqueName('rsa'),
    rsaTwoVersions: uniqueName('rsa2'),
    deleted: uniqueName('deleted'),
    recovered: uniqueName('recovered'),
    purged: uniqueName('purged'),
    backedUp: uniqueName('backup'),
  };

  const raw = (method: string, pathAndQuery: string, body?: unknown, vault?: string) =>
    server.request(method, `${server.vaultUrl(vault)}${pathAndQuery}`, { token, ...(body === undefined ? {} : { body }) });

  /** Imports a key whose private members the test keeps, and remembers it for the scan. */
  async function importKnown(label: string, name: string, jwk: NodeJwk, privateKey?: KeyObject, keyOps?: string[]): Promise<KnownKey> {
    const key = await client.importKey(name, sdkJwk(jwk, keyOps));
    const entry: KnownKey = { label, name, jwk, key, ...(privateKey ? { privateKey } : {}) };
    known.push(entry);
    return entry;
  }

  before(async () => {
    const rsaPairs = Promise.all(Array.from({ length: 4 }, () => promisify(generateKeyPair)('rsa', { modulusLength: 2048 })));
    // debug, so the output check below reads everything the server would log about these requests.
    store = await serverStore();
    server = await startServer({ ...store.startOptions, env: { COFFER_LOG_LEVEL: 'debug' } });
    client = server.keyClient();
    token = await server.adminToken();
    await server.cli('vault', 'create', 'restored');

    const [rsa1, rsa2, rsa3, rsa4] = await rsaPairs;
    const exported = (pair: { privateKey: KeyObject }) => pair.privateKey.export({ format: 'jwk' });
    const rsa = await importKnown('rsa', names.rsa, exported(rsa1!), rsa1!.privateKey);
    await importKnown('rsa-v1', names.rsaTwoVersions, exported(rsa2!), rsa2!.privateKey);
    await importKnown('rsa-v2', names.rsaTwoVersions, exported(rsa3!), rsa3!.privateKey);
    const backedUp = await importKnown('rsa-backed-up', names.backedUp, exported(rsa4!), rsa4!.privateKey);
    const ecKeys: KnownKey[] = [];
    for (const [crv, nodeCurve] of [['P-256', 'P-256'], ['P-256K', 'secp256k1'], ['P-384', 'P-384'], ['P-521', 'P-521']] as const) {
      const pair = generateKeyPairSync('ec', { namedCurve: nodeCurve });
      ecKeys.push(await importKnown(`ec-${crv}`, uniqueName('ec'), pair.privateKey.export({ format: 'jwk' }), pair.privateKey));
    }
    const octKeys: KnownKey[] = [];
    for (const bits of [128, 192, 256]) {
      octKeys.push(await importKnown(`oct-${bits}`, uniqueName('oct'), { kty: 'oct', k: randomBytes(bits / 8).toString('base64url') }, undefined, ALL_OPS));
    }
    await importKnown('ec-deleted', names.deleted, generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' }));
    await importKnown('ec-recovered', names.recovered, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }));
    await importKnown('oct-purged', names.purged, { kty: 'oct', k: randomBytes(32).toString('base64url') });
    // Generated keys too: their material goes through the same store.
    await Promise.all([client.createRsaKey(uniqueName('genrsa')), client.createEcKey(uniqueName('genec'), { curve: 'P-521' }), client.createOctKey(uniqueName('genoct'))]);

    // Use every key, so its material is opened (worker threads, caches) as well as stored.
    const digest = randomBytes(32);
    for (const entry of known) {
      const kty = entry.jwk.kty;
      const body =
        kty === 'RSA' ? { alg: 'RS256', value: digest.toString('base64url') }
        : kty === 'oct' ? { alg: 'HS256', value: digest.toString('base64url') }
        : null;
      if (body && entry.label !== 'oct-purged') {
        const signed = await raw('POST', `/keys/${entry.name}//sign${q}`, body);
        assert.equal(signed.status, 200, `${entry.label}: ${signed.text}`);
      }
    }
    for (const entry of ecKeys) {
      const alg = { 'ec-P-256': 'ES256', 'ec-P-256K': 'ES256K', 'ec-P-384': 'ES384', 'ec-P-521': 'ES512' }[entry.label]!;
      const bytes = { ES256: 32, ES256K: 32, ES384: 48, ES512: 64 }[alg]!;
      const signed = await raw('POST', `/keys/${entry.name}//sign${q}`, { alg, value: randomBytes(bytes).toString('base64url') });
      assert.equal(signed.status, 200, `${entry.label}: ${signed.text}`);
    }
    const encrypted = await raw('POST', `/keys/${rsa.name}//encrypt${q}`, { alg: 'RSA-OAEP-256', value: Buffer.from('at rest').toString('base64url') });
    const decrypted = await raw('POST', `/keys/${rsa.name}//decrypt${q}`, { alg: 'RSA-OAEP-256', value: encrypted.json.value });
    assert.equal(Buffer.from(decrypted.json.value, 'base64url').toString(), 'at rest');
    for (const entry of octKeys) {
      const bits = Buffer.from(entry.jwk.k!, 'base64url').length * 8;
      const gcm = await raw('POST', `/keys/${entry.name}//encrypt${q}`, { alg: `A${bits}GCM`, value: Buffer.from('at rest').toString('base64url') });
      assert.equal(gcm.status, 200, gcm.text);
      const wrapped = await raw('POST', `/keys/${entry.name}//wrapkey${q}`, { alg: `A${bits}KW`, value: randomBytes(32).toString('base64url') });
      assert.equal(wrapped.status, 200, wrapped.text);
    }

    // Lifecycle: update, delete (left deleted), delete and recover, delete and purge, backup and restore elsewhere.
    await client.updateKeyProperties(names.rsa, rsa.key!.properties.version!, { tags: { touched: 'yes' }, keyOps: ['sign', 'verify', 'decrypt', 'encrypt'] });
    await (await client.beginDeleteKey(names.deleted)).pollUntilDone();
    await (await client.beginDeleteKey(names.recovered)).pollUntilDone();
    await (await client.beginRecoverDeletedKey(names.recovered)).pollUntilDone();
    await (await client.beginDeleteKey(names.purged)).pollUntilDone();
    await client.purgeDeletedKey(names.purged);
    const backup = await client.backupKey(names.backedUp);
    assert.ok(backup);
    await server.keyClient({ vault: 'restored' }).restoreKeyBackup(backup);
    const restoredKey = await server.keyClient({ vault: 'restored' }).getKey(names.backedUp);
    assert.equal(Buffer.from(restoredKey.key!.n!).toString('base64url'), backedUp.jwk.n);
  });
  after(async () => {
    await server?.dispose();
    await store?.dispose();
  });

  /** Signs with the imported keys and checks with the known public keys: the material is real and intact. */
  async function assertKeysStillWork(): Promise<void> {
    for (const label of ['rsa', 'rsa-v2', 'rsa-backed-up']) {
      const entry = known.find((candidate) => candidate.label === label)!;
      const data = randomBytes(64);
      const signed = await raw('POST', `/keys/${entry.name}//sign${q}`, { alg: 'PS256', value: createHash('sha256').update(data).digest('base64url') });
      assert.equal(signed.status, 200, `${label}: ${signed.text}`);
      const publicKey = createPublicKey({ key: { kty: 'RSA', n: entry.jwk.n!, e: entry.jwk.e! }, format: 'jwk' });
      const pss = { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
      assert.equal(cryptoVerify('sha256', data, pss, Buffer.from(signed.json.value, 'base64url')), true, label);
    }
    const restored = await raw('POST', `/keys/${names.backedUp}//sign${q}`, { alg: 'RS256', value: randomBytes(32).toString('base64url') }, 'restored');
    assert.equal(restored.status, 200, restored.text);
    const oct = known.find((entry) => entry.label === 'oct-256')!;
    const mac = await raw('POST', `/keys/${oct.name}//sign${q}`, { alg: 'HS256', value: Buffer.from('mac me').toString('base64url') });
    assert.equal(mac.json.value, createHmac('sha256', Buffer.from(oct.jwk.k!, 'base64url')).update('mac me').digest('base64url'));
    assert.equal((await client.getDeletedKey(names.deleted)).name, names.deleted);
    assert.equal((await client.getKey(names.recovered)).name, names.recovered);
    await assert.rejects(client.getDeletedKey(names.purged), { statusCode: 404 });
  }

  function assertNotPrinted(output: string, when: string): void {
    assert.ok(output.length > 0, `the server printed something to check (${when})`);
    for (const entry of known) {
      for (const { what, needle } of privateNeedles(entry.label, entry.jwk, entry.privateKey)) {
        assert.equal(output.includes(needle.toString('latin1')), false, `the server printed ${what} (${when})`);
      }
    }
  }

  it('writes no private key material in clear to any file under the data directory, running or stopped, nor prints it', async () => {
    assert.ok(known.length >= 13, 'every kind of key was imported');
    const needles = known.flatMap((entry) => privateNeedles(entry.label, entry.jwk, entry.privateKey));
    assert.ok(needles.length > 300, `${needles.length} needles`);
    for (const phase of ['running', 'stopped']) {
      if (phase === 'stopped') {
        assert.equal(await server.stop(), 0);
        assertNotPrinted(server.output(), 'first run');
      }
      const files = (await filesUnder(server.dataDir)).map(({ file }) => path.relative(server.dataDir, file));
      // The scan reads what matters: the store, the audit database and the audit JSON lines. On PostgreSQL the store
      // and the audit records are its tables.
      if (store.postgres) {
        const tables = (await store.dump()).map((table) => table.file);
        for (const expected of ['object_versions', 'audit_events']) assert.ok(tables.includes(`postgres table ${expected}`), `${expected} among ${tables.join(', ')}`);
      } else {
        for (const expected of ['coffer.db', 'audit.db']) assert.ok(files.includes(expected), `${expected} among ${files.join(', ')}`);
      }
      assert.ok(files.some((file) => /^audit\/audit-.*\.jsonl$/.test(file)), `an audit JSONL file among ${files.join(', ')}`);
      assert.deepEqual(await leaks(server.dataDir, needles, store), [], `private key material is readable at rest (${phase})`);
    }
    await server.restart({ COFFER_LOG_LEVEL: 'debug' });
    token = await server.adminToken();
    client = server.keyClient();
    await assertKeysStillWork();
    assertNotPrinted(server.output(), 'after a restart');
    assert.deepEqual(await leaks(server.dataDir, needles, store), [], 'private key material is readable at rest (after the restart)');
  });

  it('finds what is stored in clear by design, so the scan does read the key rows (public modulus, curve point)', async () => {
    const rsa = known.find((entry) => entry.label === 'rsa')!;
    const ec = known.find((entry) => entry.label === 'ec-P-521')!;
    const found = await leaks(server.dataDir, [
      { what: 'rsa.n', needle: Buffer.from(rsa.jwk.n!) },
      { what: 'ec.x', needle: Buffer.from(ec.jwk.x!) },
    ], store);
    assert.ok(found.some((entry) => entry.endsWith('rsa.n')), `the public modulus was not found: ${found.join(', ')}`);
    assert.ok(found.some((entry) => entry.endsWith('ec.x')), `the public point was not found: ${found.join(', ')}`);
  });
});
