import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { createEnvelope } from '../../crypto/envelope.js';
import { createObjectStore } from '../../store/objects.js';
import type { Db } from '../../store/open.js';
import { closeTestStore, openTestStore } from '../../store/test-store.js';
import { createVaultStore } from '../../store/vaults.js';
import type { Vault } from '../vaults/vault.js';
import { createVaultService } from '../vaults/vault-service.js';
import { createKeyOperationPool } from './key-operation-pool.js';
import { createSoftwareKeyProvider } from './key-provider.js';
import { createKeyService, type KeyService } from './key-service.js';
import { rejectsWith } from '../../../test/support/coffer-errors.js';

let nowMs = Date.UTC(2026, 10, 22);
const clock = { nowMs: () => nowMs };
const pool = createKeyOperationPool({ threads: 1 });
after(() => pool.close());
let db: Db;
let keys: KeyService;
let vault: Vault;

beforeEach(async () => {
  db = await openTestStore();
  const envelope = createEnvelope({ masterKey: randomBytes(32) });
  vault = await createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 90, subscriptionId: '00000000-0000-0000-0000-000000000000' }).createVault({ name: 'keys' });
  nowMs = Date.UTC(2026, 10, 22);
  keys = createKeyService({ objects: createObjectStore(db), envelope, clock, providers: { software: createSoftwareKeyProvider({ pool }) } });
});

afterEach(() => closeTestStore(db));

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
    assert.equal(oct.key.keySize, 128);
    const wrapped = await keys.perform(vault, 'oct', undefined, { op: 'wrapKey', alg: 'A128KW', key: Buffer.alloc(16, 1) });
    assert.equal((wrapped.outcome as { result: Buffer }).result.length, 24);
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
    const before = await keys.getKey(vault, 'bk', undefined);
    const wrapped = await keys.perform(vault, 'bk', undefined, { op: 'wrapKey', alg: 'A256KW', key: Buffer.alloc(32, 7) });
    const blob = await keys.backupKey(vault, 'bk');
    await keys.deleteKey(vault, 'bk');
    await keys.purgeDeletedKey(vault, 'bk');
    const restored = await keys.restoreKey(vault, blob);
    assert.deepEqual(restored.key, before.key);
    const unwrapped = await keys.perform(vault, 'bk', undefined, { op: 'unwrapKey', alg: 'A256KW', wrapped: (wrapped.outcome as { result: Buffer }).result });
    assert.deepEqual((unwrapped.outcome as { result: Buffer }).result, Buffer.alloc(32, 7));
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

  it('signs on the pool and verifies, for RSA and EC, and a bad algorithm comes back as BadParameter', async () => {
    for (const [name, kty, alg] of [['r', 'RSA', 'PS256'], ['e', 'EC', 'ES256']] as const) {
      await keys.createKey(vault, name, { kty });
      const digest = randomBytes(32);
      const signed = await keys.perform(vault, name, undefined, { op: 'sign', alg, digest });
      const signature = (signed.outcome as { result: Buffer }).result;
      assert.deepEqual((await keys.perform(vault, name, undefined, { op: 'verify', alg, digest, signature })).outcome, { valid: true });
      assert.deepEqual((await keys.perform(vault, name, undefined, { op: 'verify', alg, digest: randomBytes(32), signature })).outcome, { valid: false });
      await rejectsWith(keys.perform(vault, name, undefined, { op: 'sign', alg: 'HS256', digest }), 400, 'BadParameter');
    }
  });

  it('refuses operations on a disabled key and outside key_ops', async () => {
    const created = await keys.createKey(vault, 'guarded', { kty: 'oct', keyOps: ['wrapKey'] });
    await rejectsWith(keys.perform(vault, 'guarded', undefined, { op: 'unwrapKey', alg: 'A256KW', wrapped: randomBytes(40) }), 403, 'Forbidden', /unwrapKey/);
    await keys.updateKey(vault, 'guarded', created.version.version, { attributes: { enabled: false } });
    await rejectsWith(keys.perform(vault, 'guarded', undefined, { op: 'wrapKey', alg: 'A256KW', key: randomBytes(32) }), 403, 'Forbidden', /disabled/);
  });

  it('refuses producing operations outside nbf..exp, never consuming ones', async () => {
    const start = Math.floor(nowMs / 1000);
    await keys.createKey(vault, 'window', { kty: 'oct', attributes: { notBefore: start + 60, expires: start + 3600 } });
    const key = randomBytes(32);
    await rejectsWith(keys.perform(vault, 'window', undefined, { op: 'wrapKey', alg: 'A256KW', key }), 403, 'Forbidden', /activation/);
    nowMs += 60_000;
    const wrapped = ((await keys.perform(vault, 'window', undefined, { op: 'wrapKey', alg: 'A256KW', key })).outcome as { result: Buffer }).result;
    nowMs += 3540_000; // exactly exp: expired
    await rejectsWith(keys.perform(vault, 'window', undefined, { op: 'wrapKey', alg: 'A256KW', key }), 403, 'Forbidden', /expired/);
    assert.deepEqual(((await keys.perform(vault, 'window', undefined, { op: 'unwrapKey', alg: 'A256KW', wrapped })).outcome as { result: Buffer }).result, key);
  });

  it('rotates to a new version like the current one, with the given expiry', async () => {
    const first = await keys.createKey(vault, 'rot', { kty: 'RSA', keySize: 3072, keyOps: ['sign', 'verify'], tags: { a: 'b' } });
    const expires = Math.floor(nowMs / 1000) + 90 * 86_400;
    const rotated = await keys.rotateKey(vault, 'rot', { expiresFor: () => expires });
    assert.notEqual(rotated.version.version, first.version.version);
    assert.equal(rotated.key.keySize, 3072);
    assert.deepEqual(rotated.key.keyOps, ['sign', 'verify']);
    assert.deepEqual(rotated.version.tags, { a: 'b' });
    assert.equal(rotated.version.expires, expires);
    assert.notEqual((rotated.key.public as { n: string }).n, (first.key.public as { n: string }).n);
  });

  it('keeps a release policy, refuses exportable keys without one and changes to an immutable one', async () => {
    const data = Buffer.from(JSON.stringify({ version: '1.0.0', anyOf: [] })).toString('base64url');
    await rejectsWith(keys.createKey(vault, 'exp', { kty: 'RSA', attributes: { exportable: true } }), 400, 'BadParameter', /release policy/);
    const created = await keys.createKey(vault, 'exp', { kty: 'oct', attributes: { exportable: true }, releasePolicy: { data, immutable: true } });
    assert.equal(created.key.releasePolicy?.immutable, true);
    await rejectsWith(keys.updateKey(vault, 'exp', undefined, { releasePolicy: { data } }), 400, 'BadParameter', /immutable/);
    await rejectsWith(keys.createKey(vault, 'bad', { kty: 'oct', releasePolicy: { data: 'not json!' } }), 400, 'BadParameter');
  });
});
