import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Clock } from '../clock.js';
import { createEnvelope } from '../crypto/envelope.js';
import { createSecretService, type SecretService } from '../domain/secrets/secret-service.js';
import type { Vault } from '../domain/vaults/vault.js';
import { createVaultService } from '../domain/vaults/vault-service.js';
import { CofferError } from '../errors.js';
import { createObjectStore, type ObjectStore } from '../store/objects.js';
import type { Db } from '../store/open.js';
import { createVaultStore } from '../store/vaults.js';
import { createPurgeDeletedJob, createPurgeDeletedVaultsJob } from './purge-deleted.js';
import { closeTestStore, openTestStore } from '../store/test-store.js';

const day = 86_400;

function fakeClock(ms: number): Clock & { advanceSeconds(seconds: number): void } {
  let now = ms;
  return { nowMs: () => now, advanceSeconds: (seconds) => (now += seconds * 1000) };
}

let db: Db;
let clock: ReturnType<typeof fakeClock>;
let objects: ObjectStore;
let secrets: SecretService;
let purgeDeleted: () => Promise<number>;
let vaultService: ReturnType<typeof createVaultService>;
let weekVault: Vault;
let monthVault: Vault;
let protectedVault: Vault;

beforeEach(async () => {
  db = await openTestStore();
  // Not on a second boundary, so a rounding mistake shows.
  clock = fakeClock(Date.UTC(2024, 5, 1, 8, 30, 0, 250));
  const envelope = createEnvelope({ masterKey: randomBytes(32) });
  const vaults = createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 90, subscriptionId: '00000000-0000-0000-0000-000000000000' });
  vaultService = vaults;
  weekVault = await vaults.createVault({ name: 'week', retentionDays: 7 });
  monthVault = await vaults.createVault({ name: 'month', retentionDays: 30 });
  protectedVault = await vaults.createVault({ name: 'guarded', retentionDays: 7, purgeProtection: true });
  objects = createObjectStore(db);
  secrets = createSecretService({ objects, envelope, clock });
  purgeDeleted = createPurgeDeletedJob({ objects, clock });
});

afterEach(() => closeTestStore(db));

async function isDeletedPresent(vault: Vault, name: string): Promise<boolean> {
  try {
    await secrets.getDeletedSecret(vault, name);
    return true;
  } catch (error) {
    if (error instanceof CofferError && error.status === 404) return false;
    throw error;
  }
}

async function versionRows(): Promise<number> {
  const { n } = await db.selectFrom('object_versions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(n);
}

describe('purgeDeleted (scheduler job)', () => {
  it('purges a deleted secret only once its retention has ended', async () => {
    await secrets.setSecret(weekVault, 'old', { value: 'one' });
    await secrets.setSecret(weekVault, 'old', { value: 'two' });
    await secrets.deleteSecret(weekVault, 'old');

    assert.equal(await purgeDeleted(), 0);
    clock.advanceSeconds(7 * day - 1);
    assert.equal(await purgeDeleted(), 0);
    assert.equal(await isDeletedPresent(weekVault, 'old'), true);

    clock.advanceSeconds(1);
    assert.equal(await purgeDeleted(), 1);
    assert.equal(await isDeletedPresent(weekVault, 'old'), false);
    assert.equal(await objects.findObject(weekVault.id, 'secret', 'old'), undefined);
    assert.equal(await versionRows(), 0);
    // The name is free again, as after a manual purge.
    await secrets.setSecret(weekVault, 'old', { value: 'fresh' });
    assert.equal((await secrets.getSecret(weekVault, 'old', undefined)).value, 'fresh');
    assert.equal(await purgeDeleted(), 0);
  });

  it('never purges a secret that was recovered', async () => {
    await secrets.setSecret(weekVault, 'saved', { value: 'v' });
    await secrets.deleteSecret(weekVault, 'saved');
    clock.advanceSeconds(3 * day);
    await secrets.recoverDeletedSecret(weekVault, 'saved');
    clock.advanceSeconds(365 * day);
    assert.equal(await purgeDeleted(), 0);
    assert.equal((await secrets.getSecret(weekVault, 'saved', undefined)).value, 'v');
  });

  it('follows the latest deletion of a secret deleted, recovered and deleted again', async () => {
    await secrets.setSecret(weekVault, 'twice', { value: 'v' });
    await secrets.deleteSecret(weekVault, 'twice');
    clock.advanceSeconds(5 * day);
    await secrets.recoverDeletedSecret(weekVault, 'twice');
    await secrets.deleteSecret(weekVault, 'twice');
    // Past the first deletion's retention, within the second's.
    clock.advanceSeconds(3 * day);
    assert.equal(await purgeDeleted(), 0);
    assert.equal(await isDeletedPresent(weekVault, 'twice'), true);
    clock.advanceSeconds(4 * day);
    assert.equal(await purgeDeleted(), 1);
    assert.equal(await isDeletedPresent(weekVault, 'twice'), false);
  });

  it('purges in a vault with purge protection once retention has ended', async () => {
    await secrets.setSecret(protectedVault, 'locked', { value: 'v' });
    await secrets.deleteSecret(protectedVault, 'locked');
    await assert.rejects(secrets.purgeDeletedSecret(protectedVault, 'locked'), { code: 'Forbidden', innerCode: 'PurgeProtectionEnabled' });
    clock.advanceSeconds(7 * day - 1);
    assert.equal(await purgeDeleted(), 0);
    clock.advanceSeconds(1);
    assert.equal(await purgeDeleted(), 1);
    assert.equal(await isDeletedPresent(protectedVault, 'locked'), false);
  });

  it('uses each vault own retention and leaves active secrets alone', async () => {
    await secrets.setSecret(weekVault, 'short', { value: 'v' });
    await secrets.setSecret(monthVault, 'long', { value: 'v' });
    await secrets.setSecret(weekVault, 'active', { value: 'kept' });
    await secrets.setSecret(monthVault, 'active', { value: 'kept' });
    await secrets.deleteSecret(weekVault, 'short');
    await secrets.deleteSecret(monthVault, 'long');

    clock.advanceSeconds(7 * day);
    assert.equal(await purgeDeleted(), 1);
    assert.equal(await isDeletedPresent(weekVault, 'short'), false);
    assert.equal(await isDeletedPresent(monthVault, 'long'), true);

    clock.advanceSeconds(23 * day);
    assert.equal(await purgeDeleted(), 1);
    assert.equal(await isDeletedPresent(monthVault, 'long'), false);

    clock.advanceSeconds(1000 * day);
    assert.equal(await purgeDeleted(), 0);
    assert.equal((await secrets.getSecret(weekVault, 'active', undefined)).value, 'kept');
    assert.equal((await secrets.getSecret(monthVault, 'active', undefined)).value, 'kept');
  });

  it('purges more due secrets than fit in one batch', async () => {
    const count = 205;
    for (let i = 0; i < count; i++) {
      await secrets.setSecret(weekVault, `bulk-${i}`, { value: 'v' });
      await secrets.deleteSecret(weekVault, `bulk-${i}`);
    }
    clock.advanceSeconds(7 * day);
    assert.equal(await purgeDeleted(), count);
    assert.deepEqual(await secrets.listDeletedSecrets(weekVault, { after: undefined, limit: 25 }), { items: [], next: undefined });
    assert.equal(await versionRows(), 0);
  });

  it('skips an object recovered between the scan and its purge', async () => {
    await secrets.setSecret(weekVault, 'raced', { value: 'v' });
    await secrets.deleteSecret(weekVault, 'raced');
    clock.advanceSeconds(7 * day);
    // The scan sees the object due; recovery happens before the job's transaction re-reads it.
    const racing = createPurgeDeletedJob({
      objects: {
        findPurgeDue: async (now, limit) => {
          const due = await objects.findPurgeDue(now, limit);
          if (due.length > 0) await secrets.recoverDeletedSecret(weekVault, 'raced');
          return due;
        },
        transaction: (fn) => objects.transaction(fn),
      },
      clock,
    });
    assert.equal(await racing(), 0);
    assert.equal((await secrets.getSecret(weekVault, 'raced', undefined)).value, 'v');
  });
});

describe('purgeDeletedVaults (scheduler job)', () => {
  it('purges a deleted vault, with its secrets, only once its retention has ended; an active vault stays', async () => {
    const vaultStore = createVaultStore(db);
    const service = vaultService;
    const doomed = await service.createVault({ name: 'doomed', retentionDays: 7 });
    await secrets.setSecret(doomed, 'inside', { value: 'v' });
    await service.deleteVault('doomed');
    const purgeVaults = createPurgeDeletedVaultsJob({ vaults: vaultStore, clock });

    clock.advanceSeconds(7 * day - 1);
    assert.equal(await purgeVaults(), 0);
    assert.ok(await vaultStore.getVaultByName('doomed'), 'kept until retention ends');
    clock.advanceSeconds(1);
    assert.equal(await purgeVaults(), 1);
    assert.equal(await vaultStore.getVaultByName('doomed'), undefined);
    assert.deepEqual(await objects.listObjects(doomed.id, 'secret', { deleted: false, afterNameKey: undefined, limit: 10 }), [], 'its secrets went with it');
    assert.ok(await vaultStore.getVaultByName('week'), 'active vaults are left alone');
  });
});
