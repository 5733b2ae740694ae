import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Clock } from '../../clock.js';
import { createEnvelope } from '../../crypto/envelope.js';
import { CofferError } from '../../errors.js';
import { createObjectStore } from '../../store/objects.js';
import type { Db } from '../../store/open.js';
import { createVaultStore } from '../../store/vaults.js';
import type { Vault } from '../vaults/vault.js';
import { createVaultService } from '../vaults/vault-service.js';
import { MAX_SECRET_VALUE_BYTES } from './secret.js';
import { createSecretService, type SecretService } from './secret-service.js';
import { closeTestStore, openTestStore } from '../../store/test-store.js';

const day = 86_400;
const start = Date.UTC(2024, 2, 1, 12, 0, 0);

function fakeClock(ms: number): Clock & { advanceSeconds(seconds: number): void; seconds(): number } {
  let now = ms;
  return {
    nowMs: () => now,
    advanceSeconds: (seconds) => (now += seconds * 1000),
    seconds: () => Math.floor(now / 1000),
  };
}

/** Asserts that `promise` rejects with a CofferError of this status, code and (optionally) inner code. */
async function rejectsWith(promise: Promise<unknown>, status: number, code: string, innerCode?: string): Promise<CofferError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CofferError, `expected a CofferError ${status} ${code}, got ${String(caught)}`);
  assert.equal(caught.status, status);
  assert.equal(caught.code, code);
  if (innerCode !== undefined) assert.equal(caught.innerCode, innerCode);
  return caught;
}

let db: Db;
let clock: ReturnType<typeof fakeClock>;
let secrets: SecretService;
let vault: Vault;
let otherVault: Vault;
let protectedVault: Vault;

beforeEach(async () => {
  db = await openTestStore();
  clock = fakeClock(start);
  const envelope = createEnvelope({ masterKey: randomBytes(32) });
  const vaults = createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 90, subscriptionId: '00000000-0000-0000-0000-000000000000' });
  vault = await vaults.createVault({ name: 'payroll', retentionDays: 7 });
  otherVault = await vaults.createVault({ name: 'billing' });
  protectedVault = await vaults.createVault({ name: 'locked', retentionDays: 30, purgeProtection: true });
  secrets = createSecretService({ objects: createObjectStore(db), envelope, clock });
});

afterEach(() => closeTestStore(db));

describe('secretService.setSecret / getSecret', () => {
  it('stores a value and reads the latest version back', async () => {
    const set = await secrets.setSecret(vault, 'db-password', { value: 'hunter2', contentType: 'text/plain', tags: { env: 'prod' } });
    assert.equal(set.value, 'hunter2');
    assert.match(set.version.version, /^[0-9a-f]{32}$/);
    assert.equal(set.object.currentVersion, set.version.version);
    assert.equal(set.version.createdAt, clock.seconds());
    assert.equal(set.version.updatedAt, clock.seconds());
    const got = await secrets.getSecret(vault, 'db-password', undefined);
    assert.equal(got.value, 'hunter2');
    assert.equal(got.version.version, set.version.version);
    assert.equal(got.version.contentType, 'text/plain');
    assert.deepEqual(got.version.tags, { env: 'prod' });
    assert.equal(got.version.enabled, true);
    assert.equal(got.version.notBefore, null);
    assert.equal(got.version.expires, null);
  });

  it('adds a version on each set and keeps older versions readable by id', async () => {
    const first = await secrets.setSecret(vault, 'rotating', { value: 'one' });
    clock.advanceSeconds(10);
    const second = await secrets.setSecret(vault, 'rotating', { value: 'two' });
    assert.notEqual(first.version.version, second.version.version);
    assert.equal(second.object.id, first.object.id);
    assert.equal((await secrets.getSecret(vault, 'rotating', undefined)).value, 'two');
    assert.equal((await secrets.getSecret(vault, 'rotating', first.version.version)).value, 'one');
    assert.equal((await secrets.getSecret(vault, 'rotating', second.version.version)).value, 'two');
    // Version ids are case-insensitive, as Azure's are.
    assert.equal((await secrets.getSecret(vault, 'rotating', first.version.version.toUpperCase())).value, 'one');
    const versions = await secrets.listSecretVersions(vault, 'rotating', { after: undefined, limit: 25 });
    assert.deepEqual(versions.items.map((item) => item.version.version), [first.version.version, second.version.version]);
    assert.equal(versions.next, undefined);
  });

  it('treats names case-insensitively and keeps the case first given', async () => {
    await secrets.setSecret(vault, 'MixedCase', { value: 'a' });
    await secrets.setSecret(vault, 'mixedcase', { value: 'b' });
    const got = await secrets.getSecret(vault, 'MIXEDCASE', undefined);
    assert.equal(got.value, 'b');
    assert.equal(got.object.name, 'MixedCase');
  });

  it('round-trips empty, unicode and maximum-size values', async () => {
    const values = ['', 'pâté 🔑 ключ', 'x'.repeat(MAX_SECRET_VALUE_BYTES)];
    for (const [i, value] of values.entries()) {
      await secrets.setSecret(vault, `v${i}`, { value });
      assert.equal((await secrets.getSecret(vault, `v${i}`, undefined)).value, value);
    }
  });

  it('stores only sealed bytes', async () => {
    const value = `plain-${randomBytes(16).toString('hex')}`;
    await secrets.setSecret(vault, 'sealed', { value });
    const rows = await db.selectFrom('object_versions').select('sealed_value').execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.sealed_value.indexOf(Buffer.from(value)), -1);
    assert.equal(rows[0]!.sealed_value.indexOf(Buffer.from(value).toString('base64')), -1);
  });

  it('keeps the same name apart in different vaults', async () => {
    await secrets.setSecret(vault, 'shared', { value: 'in payroll' });
    await secrets.setSecret(otherVault, 'shared', { value: 'in billing' });
    assert.equal((await secrets.getSecret(vault, 'shared', undefined)).value, 'in payroll');
    assert.equal((await secrets.getSecret(otherVault, 'shared', undefined)).value, 'in billing');
    await rejectsWith(secrets.getSecret(protectedVault, 'shared', undefined), 404, 'SecretNotFound');
  });

  it('refuses a value over 25 KB, a bad name, bad tags and bad attributes, and stores nothing', async () => {
    await rejectsWith(secrets.setSecret(vault, 'big', { value: 'x'.repeat(MAX_SECRET_VALUE_BYTES + 1) }), 400, 'BadParameter');
    await rejectsWith(secrets.setSecret(vault, 'bad_name', { value: 'v' }), 400, 'BadParameter');
    await rejectsWith(secrets.setSecret(vault, 'x'.repeat(128), { value: 'v' }), 400, 'BadParameter');
    const tooManyTags = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, 'v']));
    await rejectsWith(secrets.setSecret(vault, 'tags', { value: 'v', tags: tooManyTags }), 400, 'BadParameter');
    await rejectsWith(secrets.setSecret(vault, 'attrs', { value: 'v', attributes: { expires: -1 } }), 400, 'BadParameter');
    await rejectsWith(secrets.setSecret(vault, 'attrs', { value: 'v', attributes: { notBefore: 1.5 } }), 400, 'BadParameter');
    const { n } = await db.selectFrom('objects').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(n), 0);
  });

  it('answers SecretNotFound for a missing name or version, and BadParameter for a malformed version', async () => {
    const set = await secrets.setSecret(vault, 'present', { value: 'v' });
    const missing = await rejectsWith(secrets.getSecret(vault, 'absent', undefined), 404, 'SecretNotFound');
    assert.match(missing.message, /absent/);
    await rejectsWith(secrets.getSecret(vault, 'present', 'f'.repeat(32)), 404, 'SecretNotFound');
    await rejectsWith(secrets.getSecret(vault, 'present', 'not-a-version'), 400, 'BadParameter');
    assert.equal((await secrets.getSecret(vault, 'present', set.version.version)).value, 'v');
  });

  it('keeps nbf and exp and still serves the value outside that window, as Azure does', async () => {
    const now = clock.seconds();
    await secrets.setSecret(vault, 'windowed', { value: 'v', attributes: { notBefore: now + day, expires: now - day } });
    const got = await secrets.getSecret(vault, 'windowed', undefined);
    assert.equal(got.value, 'v');
    assert.equal(got.version.notBefore, now + day);
    assert.equal(got.version.expires, now - day);
  });

  it('refuses to read a disabled version with 403 SecretDisabled', async () => {
    await secrets.setSecret(vault, 'off', { value: 'v', attributes: { enabled: false } });
    await rejectsWith(secrets.getSecret(vault, 'off', undefined), 403, 'Forbidden', 'SecretDisabled');
  });

  it('refuses to open a sealed value copied onto another row', async () => {
    const a = await secrets.setSecret(vault, 'secret-a', { value: 'value of a' });
    const b = await secrets.setSecret(vault, 'secret-b', { value: 'value of b' });
    await db
      .updateTable('object_versions')
      .set({ sealed_value: a.version.sealedValue })
      .where('object_id', '=', b.object.id)
      .where('version', '=', b.version.version)
      .execute();
    await assert.rejects(secrets.getSecret(vault, 'secret-b', undefined), (error: Error) => {
      assert.ok(!(error instanceof CofferError), 'a tampered row is a server fault, not a client error');
      assert.match(error.message, /altered, moved/);
      assert.ok(!error.message.includes('value of a') && !error.message.includes('value of b'));
      return true;
    });
    assert.equal((await secrets.getSecret(vault, 'secret-a', undefined)).value, 'value of a');
  });
});

describe('secretService.updateSecret', () => {
  it('changes only the given attributes and stamps updatedAt with the clock', async () => {
    const set = await secrets.setSecret(vault, 'props', { value: 'v', contentType: 'text/plain', tags: { a: '1' }, attributes: { expires: clock.seconds() + day } });
    clock.advanceSeconds(60);
    const updated = await secrets.updateSecret(vault, 'props', undefined, { tags: { b: '2' } });
    assert.deepEqual(updated.version.tags, { b: '2' });
    assert.equal(updated.version.contentType, 'text/plain');
    assert.equal(updated.version.expires, set.version.expires);
    assert.equal(updated.version.createdAt, set.version.createdAt);
    assert.equal(updated.version.updatedAt, set.version.createdAt + 60);
    const got = await secrets.getSecret(vault, 'props', undefined);
    assert.equal(got.value, 'v');
    assert.deepEqual(got.version.tags, { b: '2' });
    assert.equal(got.version.updatedAt, set.version.createdAt + 60);
  });

  it('clears exp when given null and updates an older version without touching the latest', async () => {
    const first = await secrets.setSecret(vault, 'older', { value: 'one', attributes: { expires: clock.seconds() + day } });
    await secrets.setSecret(vault, 'older', { value: 'two', contentType: 'latest' });
    const updated = await secrets.updateSecret(vault, 'older', first.version.version, { contentType: 'old', attributes: { expires: null } });
    assert.equal(updated.version.version, first.version.version);
    assert.equal(updated.version.expires, null);
    assert.equal((await secrets.getSecret(vault, 'older', first.version.version)).version.contentType, 'old');
    assert.equal((await secrets.getSecret(vault, 'older', undefined)).version.contentType, 'latest');
  });

  it('enables a disabled secret again', async () => {
    await secrets.setSecret(vault, 'toggle', { value: 'v', attributes: { enabled: false } });
    const updated = await secrets.updateSecret(vault, 'toggle', undefined, { attributes: { enabled: true } });
    assert.equal(updated.version.enabled, true);
    assert.equal((await secrets.getSecret(vault, 'toggle', undefined)).value, 'v');
  });

  it('answers SecretNotFound for a missing or deleted secret, and BadParameter for bad tags', async () => {
    await rejectsWith(secrets.updateSecret(vault, 'absent', undefined, { tags: {} }), 404, 'SecretNotFound');
    await secrets.setSecret(vault, 'gone', { value: 'v' });
    await secrets.deleteSecret(vault, 'gone');
    await rejectsWith(secrets.updateSecret(vault, 'gone', undefined, { tags: {} }), 404, 'SecretNotFound');
    await secrets.setSecret(vault, 'tagged', { value: 'v' });
    await rejectsWith(secrets.updateSecret(vault, 'tagged', undefined, { tags: { '': 'x' } }), 400, 'BadParameter');
  });
});

describe('secretService.listSecrets / listSecretVersions', () => {
  it('pages through every active secret in name order and leaves deleted ones out', async () => {
    for (const name of ['e', 'C', 'a', 'd', 'b']) await secrets.setSecret(vault, `s-${name}`, { value: name });
    await secrets.setSecret(vault, 's-deleted', { value: 'x' });
    await secrets.deleteSecret(vault, 's-deleted');
    const names: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await secrets.listSecrets(vault, { after, limit: 2 });
      names.push(...page.items.map((item) => item.object.name));
      after = page.next;
      pages += 1;
    } while (after !== undefined);
    assert.deepEqual(names, ['s-a', 's-b', 's-C', 's-d', 's-e']);
    assert.equal(pages, 3);
  });

  it('pages through versions in creation order', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await secrets.setSecret(vault, 'many', { value: String(i) })).version.version);
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await secrets.listSecretVersions(vault, 'many', { after, limit: 2 });
      seen.push(...page.items.map((item) => item.version.version));
      after = page.next;
    } while (after !== undefined);
    assert.deepEqual(seen, created);
  });

  it('answers an empty list for an unknown or deleted name and refuses a malformed skiptoken', async () => {
    assert.deepEqual(await secrets.listSecretVersions(vault, 'nobody', { after: undefined, limit: 25 }), { items: [], next: undefined });
    await secrets.setSecret(vault, 'removed', { value: 'v' });
    await secrets.deleteSecret(vault, 'removed');
    assert.deepEqual(await secrets.listSecretVersions(vault, 'removed', { after: undefined, limit: 25 }), { items: [], next: undefined });
    await secrets.setSecret(vault, 'kept', { value: 'v' });
    await rejectsWith(secrets.listSecretVersions(vault, 'kept', { after: 'abc', limit: 25 }), 400, 'BadParameter');
  });
});

describe('secretService soft delete, recover and purge', () => {
  it('soft-deletes with the purge date at the vault retention, hiding the secret and reserving its name', async () => {
    await secrets.setSecret(vault, 'temp', { value: 'v' });
    clock.advanceSeconds(100);
    const deleted = await secrets.deleteSecret(vault, 'temp');
    assert.equal(deleted.object.deletedAt, clock.seconds());
    assert.equal(deleted.object.scheduledPurgeAt, clock.seconds() + 7 * day);
    await rejectsWith(secrets.getSecret(vault, 'temp', undefined), 404, 'SecretNotFound');
    await rejectsWith(secrets.setSecret(vault, 'temp', { value: 'again' }), 409, 'Conflict', 'ObjectIsDeletedButRecoverable');
    await rejectsWith(secrets.deleteSecret(vault, 'temp'), 404, 'SecretNotFound');
    const got = await secrets.getDeletedSecret(vault, 'TEMP');
    assert.equal(got.object.deletedAt, deleted.object.deletedAt);
    assert.equal(got.object.scheduledPurgeAt, deleted.object.scheduledPurgeAt);
    const listed = await secrets.listDeletedSecrets(vault, { after: undefined, limit: 25 });
    assert.deepEqual(listed.items.map((item) => item.object.name), ['temp']);
  });

  it('uses each vault own retention', async () => {
    await secrets.setSecret(otherVault, 'long', { value: 'v' });
    const deleted = await secrets.deleteSecret(otherVault, 'long');
    assert.equal(deleted.object.scheduledPurgeAt, clock.seconds() + 90 * day);
  });

  it('recovers a deleted secret with every version and value', async () => {
    const first = await secrets.setSecret(vault, 'back', { value: 'one' });
    await secrets.setSecret(vault, 'back', { value: 'two' });
    await secrets.deleteSecret(vault, 'back');
    clock.advanceSeconds(day);
    const recovered = await secrets.recoverDeletedSecret(vault, 'back');
    assert.equal(recovered.object.deletedAt, null);
    assert.equal(recovered.object.scheduledPurgeAt, null);
    assert.equal((await secrets.getSecret(vault, 'back', undefined)).value, 'two');
    assert.equal((await secrets.getSecret(vault, 'back', first.version.version)).value, 'one');
    await rejectsWith(secrets.getDeletedSecret(vault, 'back'), 404, 'SecretNotFound');
    await rejectsWith(secrets.recoverDeletedSecret(vault, 'back'), 404, 'SecretNotFound');
  });

  it('purges a deleted secret for good and frees its name', async () => {
    await secrets.setSecret(vault, 'burn', { value: 'old' });
    await rejectsWith(secrets.purgeDeletedSecret(vault, 'burn'), 404, 'SecretNotFound');
    await secrets.deleteSecret(vault, 'burn');
    await secrets.purgeDeletedSecret(vault, 'burn');
    await rejectsWith(secrets.getDeletedSecret(vault, 'burn'), 404, 'SecretNotFound');
    const { n } = await db.selectFrom('object_versions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(n), 0);
    await secrets.setSecret(vault, 'burn', { value: 'new' });
    const versions = await secrets.listSecretVersions(vault, 'burn', { after: undefined, limit: 25 });
    assert.equal(versions.items.length, 1);
    assert.equal((await secrets.getSecret(vault, 'burn', undefined)).value, 'new');
  });

  it('refuses to purge early in a vault with purge protection', async () => {
    await secrets.setSecret(protectedVault, 'guarded', { value: 'v' });
    await secrets.deleteSecret(protectedVault, 'guarded');
    await rejectsWith(secrets.purgeDeletedSecret(protectedVault, 'guarded'), 403, 'Forbidden', 'PurgeProtectionEnabled');
    assert.equal((await secrets.getDeletedSecret(protectedVault, 'guarded')).object.name, 'guarded');
  });
});

describe('secretService.backupSecret / restoreSecret', () => {
  it('restores every version with its value and attributes, into another vault too', async () => {
    const first = await secrets.setSecret(vault, 'portable', { value: 'one', tags: { v: '1' } });
    clock.advanceSeconds(5);
    const second = await secrets.setSecret(vault, 'portable', { value: 'two', contentType: 'text/plain', attributes: { enabled: false } });
    const blob = await secrets.backupSecret(vault, 'portable');
    for (const value of ['one', 'two']) assert.equal(blob.indexOf(Buffer.from(value)), -1);

    const restored = await secrets.restoreSecret(otherVault, blob);
    assert.equal(restored.object.name, 'portable');
    assert.equal(restored.object.currentVersion, second.version.version);
    assert.equal((await secrets.getSecret(otherVault, 'portable', first.version.version)).value, 'one');
    assert.deepEqual((await secrets.getSecret(otherVault, 'portable', first.version.version)).version.tags, { v: '1' });
    const latest = await secrets.listSecretVersions(otherVault, 'portable', { after: undefined, limit: 25 });
    assert.deepEqual(latest.items.map((item) => item.version.version), [first.version.version, second.version.version]);
    assert.equal(latest.items[1]!.version.enabled, false);
    assert.equal(latest.items[1]!.version.contentType, 'text/plain');
    assert.equal(latest.items[1]!.version.createdAt, second.version.createdAt);
  });

  it('restores into the same vault after a purge', async () => {
    await secrets.setSecret(vault, 'again', { value: 'v' });
    const blob = await secrets.backupSecret(vault, 'again');
    await rejectsWith(secrets.restoreSecret(vault, blob), 409, 'Conflict');
    await secrets.deleteSecret(vault, 'again');
    await rejectsWith(secrets.restoreSecret(vault, blob), 409, 'Conflict', 'ObjectIsDeletedButRecoverable');
    await secrets.purgeDeletedSecret(vault, 'again');
    await secrets.restoreSecret(vault, blob);
    assert.equal((await secrets.getSecret(vault, 'again', undefined)).value, 'v');
  });

  it('refuses a corrupt or foreign blob with BadParameter', async () => {
    await secrets.setSecret(vault, 'src', { value: 'v' });
    const blob = await secrets.backupSecret(vault, 'src');
    const altered = Buffer.from(blob);
    altered[altered.length - 1] = altered[altered.length - 1]! ^ 0x01;
    await rejectsWith(secrets.restoreSecret(otherVault, altered), 400, 'BadParameter');
    await rejectsWith(secrets.restoreSecret(otherVault, Buffer.from('not a backup')), 400, 'BadParameter');
    // A blob sealed under another master key is as foreign as random bytes.
    const foreign = createSecretService({ objects: createObjectStore(db), envelope: createEnvelope({ masterKey: randomBytes(32) }), clock });
    await rejectsWith(foreign.restoreSecret(otherVault, blob), 400, 'BadParameter');
  });

  it('answers SecretNotFound when backing up a missing or deleted secret', async () => {
    await rejectsWith(secrets.backupSecret(vault, 'absent'), 404, 'SecretNotFound');
    await secrets.setSecret(vault, 'deleted', { value: 'v' });
    await secrets.deleteSecret(vault, 'deleted');
    await rejectsWith(secrets.backupSecret(vault, 'deleted'), 404, 'SecretNotFound');
  });
});
