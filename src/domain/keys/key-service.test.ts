import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createEnvelope } from '../../crypto/envelope.js';
import { CofferError } from '../../errors.js';
import { createObjectStore } from '../../store/objects.js';
import { migrate } from '../../store/open.js';
import type { Database } from '../../store/schema.js';
import { createVaultStore } from '../../store/vaults.js';
import type { Vault } from '../vaults/vault.js';
import { createVaultService } from '../vaults/vault-service.js';
import { createKeyService, type KeyService } from './key-service.js';

const clock = { nowMs: () => Date.UTC(2026, 10, 22) };
let keys: KeyService;
let vault: Vault;

beforeEach(async () => {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
  await migrate(db);
  const envelope = createEnvelope({ masterKey: randomBytes(32) });
  vault = await createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 90 }).createVault({ name: 'keys' });
  keys = createKeyService({ objects: createObjectStore(db), envelope, clock });
});

async function rejectsWith(promise: Promise<unknown>, status: number, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CofferError, String(error));
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('KeyService', () => {
  it('creates RSA, EC and oct keys with Azure defaults, keeping only public parts in the view', async () => {
    const rsa = await keys.createKey(vault, 'rsa', { kty: 'RSA' });
    assert.equal(rsa.key.kty, 'RSA');
    assert.deepEqual(rsa.key.keyOps, ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey']);
    assert.equal(Buffer.from((rsa.key.public as { n: string }).n, 'base64url').length, 256);
    assert.equal(JSON.stringify(rsa.key).includes('"d"'), false);

    const ec = await keys.createKey(vault, 'ec', { kty: 'EC', crv: 'P-384' });
    assert.deepEqual(ec.key.public, { ...ec.key.public, kty: 'EC', crv: 'P-384' });
    assert.deepEqual(ec.key.keyOps, ['sign', 'verify']);

    const oct = await keys.createKey(vault, 'oct', { kty: 'oct', keySize: 128, keyOps: ['wrapKey', 'unwrapKey'] });
    assert.deepEqual(oct.key.public, { kty: 'oct' });
    const { material } = await keys.material(vault, 'oct', undefined);
    assert.equal(material.kty, 'oct');
    assert.equal(Buffer.from((material as { k: string }).k, 'base64url').length, 16);
  });

  it('adds versions and reads the latest or a given one', async () => {
    const first = await keys.createKey(vault, 'multi', { kty: 'EC' });
    const second = await keys.createKey(vault, 'multi', { kty: 'EC' });
    assert.equal((await keys.getKey(vault, 'multi', undefined)).version.version, second.version.version);
    assert.equal((await keys.getKey(vault, 'multi', first.version.version)).version.version, first.version.version);
    assert.equal((await keys.listKeyVersions(vault, 'multi', { after: undefined, limit: 25 })).items.length, 2);
  });

  it('imports a JWK, taking key_ops from it', async () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const imported = await keys.importKey(vault, 'imported', { key: { ...jwk, key_ops: ['sign'] } });
    assert.deepEqual(imported.key.keyOps, ['sign']);
    assert.equal((imported.key.public as { x: string }).x, jwk.x);
  });

  it('refuses -HSM key types until an HSM provider exists, storing nothing', async () => {
    await rejectsWith(keys.createKey(vault, 'hsm', { kty: 'RSA-HSM' }), 400, 'BadParameter', /HSM/);
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    await rejectsWith(keys.importKey(vault, 'hsm', { key: { ...jwk, kty: 'EC-HSM' } }), 400, 'BadParameter', /HSM/);
    await rejectsWith(keys.importKey(vault, 'hsm', { key: jwk, hsm: true }), 400, 'BadParameter', /HSM/);
    await rejectsWith(keys.getKey(vault, 'hsm', undefined), 404, 'KeyNotFound');
  });

  it('refuses bad sizes, curves, types and key_ops with BadParameter', async () => {
    await rejectsWith(keys.createKey(vault, 'bad', { kty: 'RSA', keySize: 1024 }), 400, 'BadParameter');
    await rejectsWith(keys.createKey(vault, 'bad', { kty: 'EC', crv: 'P-192' }), 400, 'BadParameter');
    await rejectsWith(keys.createKey(vault, 'bad', { kty: 'DSA' }), 400, 'BadParameter');
    await rejectsWith(keys.createKey(vault, 'bad', { kty: 'RSA', keyOps: ['fly'] }), 400, 'BadParameter');
    await rejectsWith(keys.createKey(vault, 'bad', { kty: 'oct', keySize: 512 }), 400, 'BadParameter');
    await rejectsWith(keys.getKey(vault, 'bad', undefined), 404, 'KeyNotFound');
  });

  it('updates key_ops and attributes of a version', async () => {
    await keys.createKey(vault, 'upd', { kty: 'EC' });
    const updated = await keys.updateKey(vault, 'upd', undefined, { keyOps: ['verify'], attributes: { enabled: false }, tags: { team: 'a' } });
    assert.deepEqual(updated.key.keyOps, ['verify']);
    assert.equal(updated.version.enabled, false);
    const read = await keys.getKey(vault, 'upd', undefined);
    assert.deepEqual(read.key.keyOps, ['verify']);
    assert.deepEqual(read.version.tags, { team: 'a' });
  });

  it('backs up and restores every version with its material and properties', async () => {
    await keys.createKey(vault, 'bk', { kty: 'oct', keySize: 256 });
    const before = await keys.material(vault, 'bk', undefined);
    const blob = await keys.backupKey(vault, 'bk');
    await keys.deleteKey(vault, 'bk');
    await keys.purgeDeletedKey(vault, 'bk');
    const restored = await keys.restoreKey(vault, blob);
    assert.deepEqual(restored.key, before.found.key);
    assert.deepEqual((await keys.material(vault, 'bk', undefined)).material, before.material);
  });

  it('soft-deletes, lists deleted and recovers', async () => {
    await keys.createKey(vault, 'del', { kty: 'EC' });
    await keys.deleteKey(vault, 'del');
    await rejectsWith(keys.getKey(vault, 'del', undefined), 404, 'KeyNotFound');
    assert.equal((await keys.getDeletedKey(vault, 'del')).object.name, 'del');
    assert.deepEqual((await keys.listDeletedKeys(vault, { after: undefined, limit: 25 })).items.map((item) => item.object.name), ['del']);
    await rejectsWith(keys.createKey(vault, 'del', { kty: 'EC' }), 409, 'Conflict');
    await keys.recoverDeletedKey(vault, 'del');
    assert.equal((await keys.getKey(vault, 'del', undefined)).key.kty, 'EC');
  });
});
