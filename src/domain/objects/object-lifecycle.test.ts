import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { rejectsWith } from '../../../test/support/coffer-errors.js';
import { createEnvelope } from '../../crypto/envelope.js';
import { errors } from '../../errors.js';
import { createObjectStore, type ObjectStore } from '../../store/objects.js';
import type { Db } from '../../store/open.js';
import { closeTestStore, openTestStore } from '../../store/test-store.js';
import { createVaultStore } from '../../store/vaults.js';
import type { Vault } from '../vaults/vault.js';
import { createVaultService } from '../vaults/vault-service.js';
import { createObjectLifecycle, type ObjectLifecycle } from './object-lifecycle.js';
import type { VersionAttributes } from './stored-object.js';

const clock = { nowMs: () => Date.UTC(2026, 10, 22) };
let db: Db;
let lifecycle: ObjectLifecycle;
let objects: ObjectStore;
let vault: Vault;

const plain: VersionAttributes = { enabled: true, notBefore: null, expires: null, contentType: null, tags: null, properties: null };
const managed: VersionAttributes = { ...plain, properties: { managed: true } };

beforeEach(async () => {
  db = await openTestStore();
  const envelope = createEnvelope({ masterKey: randomBytes(32) });
  vault = await createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 90, subscriptionId: '00000000-0000-0000-0000-000000000000' }).createVault({ name: 'life' });
  objects = createObjectStore(db);
  lifecycle = createObjectLifecycle({
    objects,
    envelope,
    clock,
    rules: {
      kind: 'secret',
      assertName: () => undefined,
      assertVersion: () => undefined,
      notFound: errors.secretNotFound,
      deletedNotFound: errors.deletedSecretNotFound,
      deletedButRecoverable: errors.secretDeletedButRecoverable,
      alreadyExists: errors.secretAlreadyExists,
      managedByKeyVault: errors.secretManagedByKeyVault,
      maxBackupVersions: 500,
    },
  });
});

afterEach(() => closeTestStore(db));

describe('object lifecycle: versions that back a certificate', () => {
  it('are changed only by the certificates service (managed), never through the kind API', async () => {
    const first = await lifecycle.addVersion(vault, 'cert', managed, Buffer.from('pfx'), { managed: true });
    await rejectsWith(lifecycle.addVersion(vault, 'cert', plain, Buffer.from('x')), 403, 'Forbidden', /"set" is not allowed/);
    await rejectsWith(lifecycle.updateVersion(vault, 'cert', undefined, (current) => ({ ...current, enabled: false })), 403, 'Forbidden', /"update"/);
    await rejectsWith(lifecycle.delete(vault, 'cert'), 403, 'Forbidden', /"delete"/);
    assert.equal((await lifecycle.requireActive(vault, 'cert', undefined)).version.version, first.version.version);
    const second = await lifecycle.addVersion(vault, 'cert', managed, Buffer.from('pfx2'), { managed: true });
    assert.notEqual(second.version.version, first.version.version);
  });

  it('take the version id and transaction they are given, so linked objects share one version', async () => {
    const version = 'ab'.repeat(16);
    const added = await objects.transaction((tx) => lifecycle.addVersion(vault, 'linked', managed, Buffer.from('v'), { managed: true, version, tx }));
    assert.equal(added.version.version, version);
    assert.equal(lifecycle.openValue(vault, (await lifecycle.requireActive(vault, 'linked', version)).version).toString(), 'v');
  });
});
