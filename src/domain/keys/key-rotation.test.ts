import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Clock } from '../../clock.js';
import { createEnvelope } from '../../crypto/envelope.js';
import { createRotateKeysJob } from '../../scheduler/rotate-keys.js';
import { createEventOutbox, type EventOutbox } from '../../store/event-outbox.js';
import { createObjectStore } from '../../store/objects.js';
import type { Db } from '../../store/open.js';
import { createRotationPolicyStore, type RotationPolicyStore } from '../../store/rotation-policies.js';
import { createVaultStore } from '../../store/vaults.js';
import type { Vault } from '../vaults/vault.js';
import { createVaultService } from '../vaults/vault-service.js';
import { createKeyRotation, KEY_NEAR_EXPIRY, KEY_NEW_VERSION_CREATED, type KeyRotation, type RotationRunResult } from './key-rotation.js';
import { createSoftwareKeyProvider } from './key-provider.js';
import { createKeyService, type KeyService } from './key-service.js';
import { toWirePolicy } from './rotation-policy.js';
import { rejectsWith } from '../../../test/support/coffer-errors.js';
import { closeTestStore, openTestStore } from '../../store/test-store.js';

const day = 86_400;
const baseUrl = 'https://rot.vault.localhost:8443';

function fakeClock(ms: number): Clock & { advanceSeconds(seconds: number): void; seconds(): number } {
  let now = ms;
  return { nowMs: () => now, advanceSeconds: (seconds) => (now += seconds * 1000), seconds: () => Math.floor(now / 1000) };
}

let db: Db;
let clock: ReturnType<typeof fakeClock>;
let vault: Vault;
let keys: KeyService;
let policies: RotationPolicyStore;
let events: EventOutbox;
let warnings: Array<{ fields: unknown; message: string }>;
let rotation: KeyRotation;
let rotateKeys: () => Promise<RotationRunResult>;

function rotationWith(keyService: Pick<KeyService, 'rotateKey' | 'getKey'>): KeyRotation {
  return createKeyRotation({
    keys: keyService,
    policies,
    events,
    vaults: createVaultStore(db),
    vaultUrl: (v) => `https://${v.name}.vault.localhost:8443`,
    clock,
    logger: { warn: ((fields: unknown, message: string) => warnings.push({ fields, message })) as never },
  });
}

beforeEach(async () => {
  db = await openTestStore();
  // Not on a second boundary, so a rounding mistake shows.
  clock = fakeClock(Date.UTC(2024, 5, 1, 8, 30, 0, 250));
  const envelope = createEnvelope({ masterKey: randomBytes(32) });
  vault = await createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 7, subscriptionId: '00000000-0000-0000-0000-000000000000' }).createVault({ name: 'rot' });
  // No cryptographic operation runs in these tests, so the provider's thread pool is never used.
  const pool = { run: () => Promise.reject(new Error('no key operations in these tests')) };
  keys = createKeyService({ objects: createObjectStore(db), envelope, clock, providers: { software: createSoftwareKeyProvider({ pool }) } });
  policies = createRotationPolicyStore(db);
  events = createEventOutbox(db);
  warnings = [];
  rotation = rotationWith(keys);
  rotateKeys = createRotateKeysJob({ rotation });
});

afterEach(() => closeTestStore(db));

async function versionCount(name: string): Promise<number> {
  return (await keys.listKeyVersions(vault, name, { after: undefined, limit: 25 })).items.length;
}

async function eventsOf(type: string) {
  return (await events.list(vault.id)).filter((event) => event.eventType === type);
}

const nothingDone: RotationRunResult = { rotated: 0, notified: 0, skipped: 0, failed: 0 };
const rotateAfter = (timeAfterCreate: string) => ({ trigger: { timeAfterCreate }, action: { type: 'Rotate' } });
const rotateBefore = (timeBeforeExpiry: string) => ({ trigger: { timeBeforeExpiry }, action: { type: 'Rotate' } });
const notifyBefore = (timeBeforeExpiry: string) => ({ trigger: { timeBeforeExpiry }, action: { type: 'Notify' } });

describe('KeyClient.getKeyRotationPolicy', () => {
  it('answers the default policy for a key that never had one', async () => {
    await keys.createKey(vault, 'Plain', { kty: 'EC' });
    const view = await rotation.getPolicy(vault, 'plain');
    assert.equal(view.keyName, 'Plain');
    assert.deepEqual(toWirePolicy(baseUrl, view.keyName, view.policy), {
      id: `${baseUrl}/keys/Plain/rotationpolicy`,
      lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } }],
      attributes: {},
    });
  });

  it('answers 404 KeyNotFound for a missing or deleted key', async () => {
    await rejectsWith(rotation.getPolicy(vault, 'missing'), 404, 'KeyNotFound');
    await keys.createKey(vault, 'gone', { kty: 'EC' });
    await rotation.setPolicy(vault, 'gone', { lifetimeActions: [rotateAfter('P30D')] });
    await keys.deleteKey(vault, 'gone');
    await rejectsWith(rotation.getPolicy(vault, 'gone'), 404, 'KeyNotFound');
    await rejectsWith(rotation.setPolicy(vault, 'gone', {}), 404, 'KeyNotFound');
  });
});

describe('KeyClient.updateKeyRotationPolicy', () => {
  it('replaces the policy, keeping when it was first set', async () => {
    await keys.createKey(vault, 'Managed', { kty: 'EC' });
    const created = clock.seconds();
    const first = await rotation.setPolicy(vault, 'managed', {
      lifetimeActions: [rotateAfter('P90D'), notifyBefore('P30D')],
      attributes: { expiryTime: 'P2Y' },
    });
    assert.deepEqual(first.policy, {
      lifetimeActions: [
        { type: 'Rotate', trigger: { timeAfterCreate: 'P90D' } },
        { type: 'Notify', trigger: { timeBeforeExpiry: 'P30D' } },
      ],
      expiryTime: 'P2Y',
      created,
      updated: created,
    });

    clock.advanceSeconds(3600);
    const second = await rotation.setPolicy(vault, 'MANAGED', { lifetimeActions: [{ trigger: { timeAfterCreate: 'P1M' }, action: { type: 'rotate' } }] });
    assert.deepEqual(second.policy, {
      lifetimeActions: [
        { type: 'Rotate', trigger: { timeAfterCreate: 'P1M' } },
        { type: 'Notify', trigger: { timeBeforeExpiry: 'P30D' } },
      ],
      expiryTime: null,
      created,
      updated: created + 3600,
    });
    assert.deepEqual((await rotation.getPolicy(vault, 'Managed')).policy, second.policy);
  });

  it('refuses an invalid policy with 400 BadParameter and keeps the one in place', async () => {
    await keys.createKey(vault, 'strict', { kty: 'EC' });
    const kept = (await rotation.setPolicy(vault, 'strict', { lifetimeActions: [rotateAfter('P30D')] })).policy;
    const invalid: Array<[unknown, RegExp]> = [
      [{ lifetimeActions: [rotateAfter('P6D')] }, /at the earliest/],
      [{ lifetimeActions: [rotateBefore('P30D')] }, /needs attributes\.expiryTime/],
      [{ attributes: { expiryTime: 'P27D' } }, /at least 28 days/],
      [{ lifetimeActions: [{ trigger: { timeAfterCreate: 'P30D' }, action: { type: 'Notify' } }] }, /Notify action takes only timeBeforeExpiry/],
      [{ lifetimeActions: [rotateAfter('P30D'), rotateAfter('P60D')] }, /more than one Rotate/],
      [{ lifetimeActions: [rotateAfter('90 days')] }, /not an ISO 8601 duration/],
      ['{}', /must be a JSON object/],
    ];
    for (const [input, message] of invalid) await rejectsWith(rotation.setPolicy(vault, 'strict', input), 400, 'BadParameter', message);
    // Validation comes first: a bad policy for a missing key is a bad policy.
    await rejectsWith(rotation.setPolicy(vault, 'missing', { lifetimeActions: [rotateAfter('P1D')] }), 400, 'BadParameter');
    assert.deepEqual((await rotation.getPolicy(vault, 'strict')).policy, kept);
  });
});

describe('KeyClient.rotateKey', () => {
  it('rotates a key without a policy: a new version that does not expire, and a KeyNewVersionCreated event', async () => {
    const original = await keys.createKey(vault, 'Manual', { kty: 'EC', tags: { team: 'a' } });
    clock.advanceSeconds(60);
    const rotated = await rotation.rotate(vault, 'manual');
    assert.notEqual(rotated.version.version, original.version.version);
    assert.equal(rotated.version.expires, null);
    assert.deepEqual(rotated.version.tags, { team: 'a' });
    assert.equal((await keys.getKey(vault, 'manual', undefined)).version.version, rotated.version.version);
    assert.equal(await versionCount('manual'), 2);

    const [event, ...others] = await eventsOf(KEY_NEW_VERSION_CREATED);
    assert.equal(others.length, 0);
    assert.equal(event!.subject, 'Manual');
    assert.deepEqual(event!.data, {
      Id: `${baseUrl}/keys/Manual/${rotated.version.version}`,
      VaultName: 'rot',
      ObjectType: 'Key',
      ObjectName: 'Manual',
      Version: rotated.version.version,
      NBF: null,
      EXP: null,
    });
    // The policy of a key rotated without one is still the default.
    assert.equal((await rotation.getPolicy(vault, 'manual')).policy.created, null);
  });

  it("gives the new version the policy's expiryTime, on the calendar", async () => {
    await keys.createKey(vault, 'expiring', { kty: 'EC' });
    await rotation.setPolicy(vault, 'expiring', { lifetimeActions: [rotateAfter('P90D')], attributes: { expiryTime: 'P6M' } });
    const now = clock.seconds();
    const rotated = await rotation.rotate(vault, 'expiring');
    assert.equal(rotated.version.expires, Date.UTC(2024, 11, 1, 8, 30, 0) / 1000);
    assert.equal(rotated.version.expires, now + 183 * day);
    // The schedule now counts from the new version: nothing is due for another 90 days.
    clock.advanceSeconds(89 * day);
    assert.deepEqual(await rotateKeys(), nothingDone);
    clock.advanceSeconds(day);
    assert.equal((await rotateKeys()).rotated, 1);
  });

  it('answers 404 KeyNotFound for a missing key', async () => {
    await rejectsWith(rotation.rotate(vault, 'missing'), 404, 'KeyNotFound');
  });
});

describe('rotateKeys (scheduler job)', () => {
  it('rotates a key once its timeAfterCreate has passed, exactly once', async () => {
    const original = await keys.createKey(vault, 'Periodic', { kty: 'EC' });
    await rotation.setPolicy(vault, 'periodic', { lifetimeActions: [rotateAfter('P30D')], attributes: { expiryTime: 'P90D' } });

    clock.advanceSeconds(30 * day - 1);
    assert.deepEqual(await rotateKeys(), nothingDone);
    assert.equal(await versionCount('periodic'), 1);

    clock.advanceSeconds(1);
    assert.deepEqual(await rotateKeys(), { rotated: 1, notified: 0, skipped: 0, failed: 0 });
    const current = await keys.getKey(vault, 'periodic', undefined);
    assert.notEqual(current.version.version, original.version.version);
    assert.equal(current.version.expires, clock.seconds() + 90 * day);
    assert.equal(await versionCount('periodic'), 2);
    const created = await eventsOf(KEY_NEW_VERSION_CREATED);
    assert.deepEqual(created.map((event) => (event.data as { Version: string }).Version), [current.version.version]);

    // A second pass at the same time does nothing.
    assert.deepEqual(await rotateKeys(), nothingDone);
    assert.equal(await versionCount('periodic'), 2);

    // The next rotation counts from the new version's creation.
    clock.advanceSeconds(30 * day - 1);
    assert.deepEqual(await rotateKeys(), nothingDone);
    clock.advanceSeconds(1);
    assert.equal((await rotateKeys()).rotated, 1);
    assert.equal(await versionCount('periodic'), 3);
  });

  it('rotates a key timeBeforeExpiry before its version expires', async () => {
    const expires = clock.seconds() + 60 * day;
    await keys.createKey(vault, 'expiry', { kty: 'EC', attributes: { expires } });
    await rotation.setPolicy(vault, 'expiry', { lifetimeActions: [rotateBefore('P30D'), notifyBefore('P10D')], attributes: { expiryTime: 'P90D' } });

    clock.advanceSeconds(30 * day - 1);
    assert.deepEqual(await rotateKeys(), nothingDone);
    clock.advanceSeconds(1);
    assert.equal(clock.seconds(), expires - 30 * day);
    assert.deepEqual(await rotateKeys(), { rotated: 1, notified: 0, skipped: 0, failed: 0 });
    const current = await keys.getKey(vault, 'expiry', undefined);
    assert.equal(current.version.expires, clock.seconds() + 90 * day);

    // The new version rotates 30 days before its own expiry: 60 days from now.
    clock.advanceSeconds(60 * day - 1);
    assert.deepEqual(await rotateKeys(), nothingDone);
    clock.advanceSeconds(1);
    assert.equal((await rotateKeys()).rotated, 1);
    assert.equal(await versionCount('expiry'), 3);
    assert.equal((await eventsOf(KEY_NEAR_EXPIRY)).length, 0);
  });

  it('never rotates before expiry a key whose version does not expire', async () => {
    await keys.createKey(vault, 'forever', { kty: 'EC' });
    await rotation.setPolicy(vault, 'forever', { lifetimeActions: [rotateBefore('P30D')], attributes: { expiryTime: 'P90D' } });
    clock.advanceSeconds(3650 * day);
    assert.deepEqual(await rotateKeys(), nothingDone);
    assert.equal(await versionCount('forever'), 1);
  });

  it('records one KeyNearExpiry event per key version', async () => {
    const expires = clock.seconds() + 40 * day;
    const first = await keys.createKey(vault, 'Notified', { kty: 'EC', attributes: { expires, notBefore: clock.seconds() } });
    await rotation.setPolicy(vault, 'notified', { lifetimeActions: [notifyBefore('P30D')], attributes: { expiryTime: 'P60D' } });

    clock.advanceSeconds(10 * day - 1);
    assert.deepEqual(await rotateKeys(), nothingDone);
    clock.advanceSeconds(1);
    assert.deepEqual(await rotateKeys(), { rotated: 0, notified: 1, skipped: 0, failed: 0 });
    assert.deepEqual(await rotateKeys(), nothingDone);
    clock.advanceSeconds(5 * day);
    assert.deepEqual(await rotateKeys(), nothingDone);
    // Setting the policy again does not notify the same version again.
    await rotation.setPolicy(vault, 'notified', { lifetimeActions: [notifyBefore('P29D')], attributes: { expiryTime: 'P60D' } });
    assert.deepEqual(await rotateKeys(), nothingDone);

    const [event, ...others] = await eventsOf(KEY_NEAR_EXPIRY);
    assert.equal(others.length, 0);
    assert.equal(event!.subject, 'Notified');
    assert.equal(event!.eventType, 'Microsoft.KeyVault.KeyNearExpiry');
    assert.deepEqual(event!.data, {
      Id: `${baseUrl}/keys/Notified/${first.version.version}`,
      VaultName: 'rot',
      ObjectType: 'Key',
      ObjectName: 'Notified',
      Version: first.version.version,
      NBF: first.version.notBefore,
      EXP: expires,
    });

    // A new version (expiring after the policy's 60 days) is notified in its turn, 29 days before.
    const second = await rotation.rotate(vault, 'notified');
    clock.advanceSeconds(31 * day - 1);
    assert.deepEqual(await rotateKeys(), nothingDone);
    clock.advanceSeconds(1);
    assert.equal((await rotateKeys()).notified, 1);
    assert.deepEqual(
      (await eventsOf(KEY_NEAR_EXPIRY)).map((e) => (e.data as { Version: string }).Version).sort(),
      [first.version.version, second.version.version].sort(),
    );
  });

  it('follows a key changed under its schedule: a new expiry, a new version', async () => {
    await keys.createKey(vault, 'changing', { kty: 'EC' });
    await rotation.setPolicy(vault, 'changing', { lifetimeActions: [rotateBefore('P30D')], attributes: { expiryTime: 'P90D' } });
    assert.deepEqual(await rotateKeys(), nothingDone);

    // The version gets an expiry after the policy was set (UpdateKey): the rotation is scheduled from it.
    await keys.updateKey(vault, 'changing', undefined, { attributes: { expires: clock.seconds() + 40 * day } });
    clock.advanceSeconds(10 * day - 1);
    assert.deepEqual(await rotateKeys(), nothingDone);
    clock.advanceSeconds(1);
    assert.equal((await rotateKeys()).rotated, 1);

    // A version added by CreateKey (no expiry) postpones a rotation counted from creation.
    await keys.createKey(vault, 'recreated', { kty: 'EC' });
    await rotation.setPolicy(vault, 'recreated', { lifetimeActions: [rotateAfter('P30D')] });
    clock.advanceSeconds(20 * day);
    await keys.createKey(vault, 'recreated', { kty: 'EC' });
    clock.advanceSeconds(10 * day);
    assert.deepEqual(await rotateKeys(), nothingDone);
    clock.advanceSeconds(20 * day);
    assert.equal((await rotateKeys()).rotated, 1);
    assert.equal(await versionCount('recreated'), 3);
  });

  it('skips deleted and disabled keys without failing, and resumes once they are back', async () => {
    await keys.createKey(vault, 'deleted', { kty: 'EC' });
    await keys.createKey(vault, 'disabled', { kty: 'EC' });
    await keys.createKey(vault, 'active', { kty: 'EC' });
    for (const name of ['deleted', 'disabled', 'active']) await rotation.setPolicy(vault, name, { lifetimeActions: [rotateAfter('P30D')] });
    await keys.deleteKey(vault, 'deleted');
    await keys.updateKey(vault, 'disabled', undefined, { attributes: { enabled: false } });

    clock.advanceSeconds(30 * day);
    // The deleted key's schedule came due and is set aside; the disabled key's was computed again to nothing due.
    assert.deepEqual(await rotateKeys(), { rotated: 1, notified: 0, skipped: 1, failed: 0 });
    assert.deepEqual(await rotateKeys(), nothingDone);
    assert.equal((await keys.getDeletedKey(vault, 'deleted')).version.seq, 1);
    assert.equal(await versionCount('disabled'), 1);
    assert.deepEqual(warnings, []);

    await keys.recoverDeletedKey(vault, 'deleted');
    await keys.updateKey(vault, 'disabled', undefined, { attributes: { enabled: true } });
    assert.equal((await rotateKeys()).rotated, 2);
    assert.equal(await versionCount('deleted'), 2);
    assert.equal(await versionCount('disabled'), 2);
  });

  it('skips a key deleted or disabled after its schedule was computed', async () => {
    await keys.createKey(vault, 'late-delete', { kty: 'EC' });
    await keys.createKey(vault, 'late-disable', { kty: 'EC' });
    await rotation.setPolicy(vault, 'late-delete', { lifetimeActions: [rotateAfter('P30D')] });
    await rotation.setPolicy(vault, 'late-disable', { lifetimeActions: [rotateAfter('P30D')] });
    clock.advanceSeconds(30 * day);
    // The keys change between the scheduler's scan for changed keys and its scan for due ones.
    const racing = createKeyRotation({
      keys,
      policies: {
        ...policies,
        findDue: async (now, limit) => {
          const due = await policies.findDue(now, limit);
          if (due.length > 0 && (await versionCount('late-delete')) === 1) {
            await keys.deleteKey(vault, 'late-delete').catch(() => undefined);
            await keys.updateKey(vault, 'late-disable', undefined, { attributes: { enabled: false } });
          }
          return due;
        },
      },
      events,
      vaults: createVaultStore(db),
      vaultUrl: () => baseUrl,
      clock,
      logger: { warn: () => assert.fail('nothing to warn about') },
    });
    assert.deepEqual(await racing.runDue(), { rotated: 0, notified: 0, skipped: 2, failed: 0 });
    assert.deepEqual(await racing.runDue(), nothingDone);
  });

  it('logs a failed rotation without key material and retries it later', async () => {
    await keys.createKey(vault, 'fragile', { kty: 'EC' });
    await rotation.setPolicy(vault, 'fragile', { lifetimeActions: [rotateAfter('P30D')] });
    let failures = 1;
    const flaky = rotationWith({
      getKey: keys.getKey,
      rotateKey: async (v, name, opts) => {
        if (failures-- > 0) throw new Error('generation failed');
        return keys.rotateKey(v, name, opts);
      },
    });
    clock.advanceSeconds(30 * day);
    assert.deepEqual(await flaky.runDue(), { rotated: 0, notified: 0, skipped: 0, failed: 1 });
    assert.deepEqual(warnings, [
      { fields: { vault: 'rot', key: 'fragile', error: { code: 'Error', message: 'generation failed' } }, message: 'scheduled key rotation failed; it will be retried' },
    ]);
    assert.deepEqual(await flaky.runDue(), nothingDone);
    clock.advanceSeconds(3600);
    assert.equal((await flaky.runDue()).rotated, 1);
    assert.equal(await versionCount('fragile'), 2);
  });

  it('rotates more due keys than fit in one batch', async () => {
    const count = 205;
    for (let i = 0; i < count; i++) {
      await keys.createKey(vault, `bulk-${i}`, { kty: 'EC' });
      await rotation.setPolicy(vault, `bulk-${i}`, { lifetimeActions: [rotateAfter('P7D')] });
    }
    clock.advanceSeconds(7 * day);
    assert.equal((await rotateKeys()).rotated, count);
    assert.deepEqual(await rotateKeys(), nothingDone);
  });

  it('forgets the policy of a purged key', async () => {
    await keys.createKey(vault, 'purged', { kty: 'EC' });
    await rotation.setPolicy(vault, 'purged', { lifetimeActions: [rotateAfter('P30D')] });
    await keys.deleteKey(vault, 'purged');
    await keys.purgeDeletedKey(vault, 'purged');
    assert.equal(await policies.get(vault.id, 'purged'), undefined);
    await keys.createKey(vault, 'purged', { kty: 'EC' });
    assert.equal((await rotation.getPolicy(vault, 'purged')).policy.created, null);
    clock.advanceSeconds(30 * day);
    assert.deepEqual(await rotateKeys(), nothingDone);
  });
});
