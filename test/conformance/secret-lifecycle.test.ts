// SecretClient delete, recover, purge, backup and restore against a real Coffer: soft delete as Azure does it
// (name reserved, recovery of every version, purge protection, retention) and backups that round-trip.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { SecretClient } from '@azure/keyvault-secrets';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

const DAY_MS = 86_400_000;

/** A validator for assert.rejects: the RestError a client sees, with Azure's code and optional inner code. */
function azureError(status: number, code: string, innerCode?: string) {
  return (error: any) => {
    assert.equal(error?.statusCode, status, `status of ${error}`);
    assert.equal(error.code, code);
    if (innerCode !== undefined) assert.equal(error.details?.error?.innerError?.code, innerCode);
    return true;
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** backupSecret's bytes; the SDK types them as possibly undefined. */
async function backupOf(client: SecretClient, name: string): Promise<Uint8Array> {
  const backup = await client.backupSecret(name);
  assert.ok(backup, 'backupSecret returned bytes');
  return backup;
}

/** Deletes through the SDK poller; Azure's deleted object is readable as soon as the DELETE returns. */
async function deleteSecret(client: SecretClient, name: string) {
  const poller = await client.beginDeleteSecret(name);
  assert.equal(poller.isDone(), true, 'the delete poller completes on its first poll');
  return poller.pollUntilDone();
}

describe('SecretClient soft delete, purge, backup and restore', () => {
  let server: TestServer;
  let client: SecretClient;
  let token: string;

  const raw = (method: string, pathAndQuery: string, body?: unknown, vault?: string) =>
    server.request(method, `${server.vaultUrl(vault)}${pathAndQuery}`, { token, ...(body === undefined ? {} : { body }) });

  /** A fresh named vault and a client for it. */
  async function newVault(prefix: string, ...flags: string[]): Promise<{ vault: string; client: SecretClient }> {
    const vault = uniqueName(prefix);
    await server.cli('vault', 'create', vault, ...flags);
    return { vault, client: server.secretClient({ vault }) };
  }

  before(async () => {
    server = await startServer();
    client = server.secretClient();
    token = await server.adminToken();
  });
  after(() => server.dispose());

  describe('SecretClient.beginDeleteSecret', () => {
    it('answers a DeletedSecret with recoveryId, deletedOn and scheduledPurgeDate 90 days later', async () => {
      const name = uniqueName();
      const set = await client.setSecret(name, 'v', { contentType: 'text/plain' });
      const deleted = await deleteSecret(client, name);
      assert.equal(deleted.name, name);
      assert.equal(deleted.recoveryId, `${server.vaultUrl()}/deletedsecrets/${name}`);
      assert.equal(deleted.properties.recoveryId, deleted.recoveryId);
      assert.ok(deleted.deletedOn instanceof Date);
      assert.ok(Math.abs(deleted.deletedOn.getTime() - Date.now()) < DAY_MS, 'deletedOn is today');
      assert.ok(deleted.scheduledPurgeDate instanceof Date);
      assert.equal(deleted.scheduledPurgeDate.getTime() - deleted.deletedOn.getTime(), 90 * DAY_MS);
      assert.equal(deleted.properties.id, set.properties.id, 'the bundle keeps the versioned secret id');
      assert.equal(deleted.properties.version, set.properties.version);
      assert.equal(deleted.properties.contentType, 'text/plain');
      assert.equal(deleted.value, undefined);
    });

    it('puts scheduledPurgeDate exactly 7,776,000 s after deletedDate on the wire', async () => {
      const name = uniqueName();
      const set = await client.setSecret(name, 'v');
      const response = await raw('DELETE', `/secrets/${name}?api-version=7.5`);
      assert.equal(response.status, 200);
      const body = response.json;
      assert.equal(body.recoveryId, `${server.vaultUrl()}/deletedsecrets/${name}`);
      assert.ok(Number.isInteger(body.deletedDate));
      assert.equal(body.scheduledPurgeDate - body.deletedDate, 7_776_000);
      assert.equal(body.id, set.properties.id);
      assert.equal('value' in body, false);
      assert.equal(body.attributes.recoveryLevel, 'Recoverable+Purgeable');
      assert.equal(body.attributes.recoverableDays, 90);
    });

    it('removes the secret from getSecret and listPropertiesOfSecrets', async () => {
      const name = uniqueName();
      const old = await client.setSecret(name, 'old');
      await client.setSecret(name, 'new');
      await deleteSecret(client, name);
      await assert.rejects(client.getSecret(name), azureError(404, 'SecretNotFound'));
      await assert.rejects(client.getSecret(name, { version: old.properties.version! }), azureError(404, 'SecretNotFound'));
      const listed = await collect(client.listPropertiesOfSecrets());
      assert.equal(listed.some((p) => p.name === name), false);
      assert.deepEqual(await collect(client.listPropertiesOfSecretVersions(name)), []);
    });

    it('answers 404 SecretNotFound for an unknown name', async () => {
      await assert.rejects(client.beginDeleteSecret(uniqueName()), azureError(404, 'SecretNotFound'));
    });

    it('answers 404 SecretNotFound for a secret that is already deleted', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'v');
      await deleteSecret(client, name);
      await assert.rejects(client.beginDeleteSecret(name), azureError(404, 'SecretNotFound'));
    });
  });

  describe('SecretClient.getDeletedSecret', () => {
    it('returns the deleted secret with its recovery fields and no value', async () => {
      const name = uniqueName();
      const set = await client.setSecret(name, 'v', { tags: { kept: 'yes' } });
      const deletedNow = await deleteSecret(client, name);
      const deleted = await client.getDeletedSecret(name);
      assert.equal(deleted.name, name);
      assert.equal(deleted.value, undefined);
      assert.equal(deleted.recoveryId, `${server.vaultUrl()}/deletedsecrets/${name}`);
      assert.equal(deleted.deletedOn?.getTime(), deletedNow.deletedOn?.getTime());
      assert.equal(deleted.scheduledPurgeDate?.getTime(), deletedNow.scheduledPurgeDate?.getTime());
      assert.equal(deleted.properties.version, set.properties.version);
      assert.deepEqual(deleted.properties.tags, { kept: 'yes' });
    });

    it('answers 404 SecretNotFound for a secret that is not deleted', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'v');
      await assert.rejects(client.getDeletedSecret(name), azureError(404, 'SecretNotFound'));
      await assert.rejects(client.getDeletedSecret(uniqueName()), azureError(404, 'SecretNotFound'));
    });
  });

  describe('SecretClient.listDeletedSecrets', () => {
    it('lists deleted secrets with their recovery fields and no active ones', async () => {
      const { client: vaultClient, vault } = await newVault('ld');
      const deletedNames = [uniqueName(), uniqueName(), uniqueName()];
      const activeName = uniqueName();
      for (const name of [...deletedNames, activeName]) await vaultClient.setSecret(name, 'v');
      for (const name of deletedNames) await deleteSecret(vaultClient, name);

      const listed = await collect(vaultClient.listDeletedSecrets());
      assert.deepEqual(listed.map((d) => d.name).sort(), [...deletedNames].sort());
      for (const deleted of listed) {
        assert.equal(deleted.recoveryId, `${server.vaultUrl(vault)}/deletedsecrets/${deleted.name}`);
        assert.ok(deleted.deletedOn instanceof Date);
        assert.equal(deleted.scheduledPurgeDate!.getTime() - deleted.deletedOn.getTime(), 90 * DAY_MS);
        assert.equal(deleted.value, undefined);
      }

      const pages = await collect(vaultClient.listDeletedSecrets().byPage({ maxPageSize: 2 }));
      assert.deepEqual(pages.map((page) => page.length), [2, 1]);

      const response = await raw('GET', '/deletedsecrets?api-version=7.5', undefined, vault);
      assert.equal(response.status, 200);
      for (const item of response.json.value) {
        assert.equal('value' in item, false);
        assert.equal(item.id, `${server.vaultUrl(vault)}/secrets/${item.id.split('/').pop()}`);
      }
    });
  });

  describe('SecretClient.setSecret on a deleted name', () => {
    it('answers 409 Conflict, innererror ObjectIsDeletedButRecoverable', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'v');
      await deleteSecret(client, name);
      await assert.rejects(client.setSecret(name, 'again'), azureError(409, 'Conflict', 'ObjectIsDeletedButRecoverable'));
      await assert.rejects(client.setSecret(name.toUpperCase(), 'again'), azureError(409, 'Conflict', 'ObjectIsDeletedButRecoverable'));

      const response = await raw('PUT', `/secrets/${name}?api-version=7.5`, { value: 'again' });
      assert.equal(response.status, 409);
      assert.equal(response.json.error.code, 'Conflict');
      assert.equal(response.json.error.innererror.code, 'ObjectIsDeletedButRecoverable');
      assert.equal((await client.getDeletedSecret(name)).name, name);
    });
  });

  describe('SecretClient.beginRecoverDeletedSecret', () => {
    it('restores every version, so an old version is readable by id', async () => {
      const name = uniqueName();
      const old = await client.setSecret(name, 'old', { contentType: 'first' });
      const latest = await client.setSecret(name, 'new', { contentType: 'second' });
      await deleteSecret(client, name);

      const poller = await client.beginRecoverDeletedSecret(name);
      const recovered = await poller.pollUntilDone();
      assert.equal(recovered.name, name);
      assert.equal(recovered.version, latest.properties.version);
      assert.equal(recovered.id, latest.properties.id);

      const got = await client.getSecret(name);
      assert.equal(got.value, 'new');
      assert.equal(got.properties.version, latest.properties.version);
      const gotOld = await client.getSecret(name, { version: old.properties.version! });
      assert.equal(gotOld.value, 'old');
      assert.equal(gotOld.properties.contentType, 'first');
      assert.equal((await collect(client.listPropertiesOfSecretVersions(name))).length, 2);
      await assert.rejects(client.getDeletedSecret(name), azureError(404, 'SecretNotFound'));
      assert.ok((await collect(client.listPropertiesOfSecrets())).some((p) => p.name === name));
    });

    it('lets the recovered secret take new versions again', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'v1');
      await deleteSecret(client, name);
      await (await client.beginRecoverDeletedSecret(name)).pollUntilDone();
      await client.setSecret(name, 'v2');
      assert.equal((await client.getSecret(name)).value, 'v2');
      assert.equal((await collect(client.listPropertiesOfSecretVersions(name))).length, 2);
    });

    it('answers 404 SecretNotFound for a name that is not deleted', async () => {
      await assert.rejects(client.beginRecoverDeletedSecret(uniqueName()), azureError(404, 'SecretNotFound'));
    });
  });

  describe('SecretClient.purgeDeletedSecret', () => {
    it('erases the secret, so getDeletedSecret answers 404 and the name starts fresh', async () => {
      const name = uniqueName();
      const old = await client.setSecret(name, 'old');
      await client.setSecret(name, 'older-still');
      await deleteSecret(client, name);
      await client.purgeDeletedSecret(name);

      await assert.rejects(client.getDeletedSecret(name), azureError(404, 'SecretNotFound'));
      await assert.rejects(client.getSecret(name), azureError(404, 'SecretNotFound'));
      assert.equal((await collect(client.listDeletedSecrets())).some((d) => d.name === name), false);

      const fresh = await client.setSecret(name, 'fresh');
      assert.notEqual(fresh.properties.version, old.properties.version);
      const versions = await collect(client.listPropertiesOfSecretVersions(name));
      assert.deepEqual(versions.map((p) => p.version), [fresh.properties.version]);
      await assert.rejects(client.getSecret(name, { version: old.properties.version! }), azureError(404, 'SecretNotFound'));
    });

    it('answers 204 on the wire', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'v');
      await deleteSecret(client, name);
      const response = await raw('DELETE', `/deletedsecrets/${name}?api-version=7.5`);
      assert.equal(response.status, 204);
      assert.equal(response.text, '');
    });

    it('answers 404 for a secret that is not deleted, and leaves it alone', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'still-here');
      await assert.rejects(client.purgeDeletedSecret(name), azureError(404, 'SecretNotFound'));
      await assert.rejects(client.purgeDeletedSecret(uniqueName()), azureError(404, 'SecretNotFound'));
      assert.equal((await client.getSecret(name)).value, 'still-here');
    });

    it('is refused with 403 Forbidden under purge protection, and the deleted secret stays', async () => {
      const { client: protectedClient } = await newVault('pp', '--purge-protection');
      const name = uniqueName();
      const set = await protectedClient.setSecret(name, 'protected');
      assert.equal(set.properties.recoveryLevel, 'Recoverable');
      assert.equal(set.properties.recoverableDays, 90);

      const deleted = await deleteSecret(protectedClient, name);
      assert.equal(deleted.properties.recoveryLevel, 'Recoverable');
      await assert.rejects(protectedClient.purgeDeletedSecret(name), azureError(403, 'Forbidden'));

      const stillDeleted = await protectedClient.getDeletedSecret(name);
      assert.equal(stillDeleted.recoveryId, deleted.recoveryId);
      await (await protectedClient.beginRecoverDeletedSecret(name)).pollUntilDone();
      assert.equal((await protectedClient.getSecret(name)).value, 'protected');
    });
  });

  describe('vault retention', () => {
    it('schedules the purge 7 days after deletion in a vault with 7-day retention', async () => {
      const { client: shortClient, vault } = await newVault('rt', '--retention-days', '7');
      const name = uniqueName();
      const set = await shortClient.setSecret(name, 'v');
      assert.equal(set.properties.recoveryLevel, 'CustomizedRecoverable+Purgeable');
      assert.equal(set.properties.recoverableDays, 7);

      const deleted = await deleteSecret(shortClient, name);
      assert.equal(deleted.scheduledPurgeDate!.getTime() - deleted.deletedOn!.getTime(), 7 * DAY_MS);
      assert.equal(deleted.properties.recoveryLevel, 'CustomizedRecoverable+Purgeable');

      const other = uniqueName();
      await shortClient.setSecret(other, 'v');
      const response = await raw('DELETE', `/secrets/${other}?api-version=7.5`, undefined, vault);
      assert.equal(response.json.scheduledPurgeDate - response.json.deletedDate, 7 * 86_400);
      assert.equal(response.json.attributes.recoverableDays, 7);
    });

    it('reports CustomizedRecoverable with 7-day retention and purge protection', async () => {
      const { client: strictClient } = await newVault('rp', '--retention-days', '7', '--purge-protection');
      const set = await strictClient.setSecret(uniqueName(), 'v');
      assert.equal(set.properties.recoveryLevel, 'CustomizedRecoverable');
      assert.equal(set.properties.recoverableDays, 7);
    });
  });

  describe('SecretClient.backupSecret', () => {
    it('returns opaque bytes that do not contain the value', async () => {
      const name = uniqueName();
      const value = `plain-${uniqueName()}`;
      await client.setSecret(name, value);
      const backup = await backupOf(client, name);
      assert.ok(backup instanceof Uint8Array);
      assert.ok(backup.length > 0);
      const bytes = Buffer.from(backup);
      for (const encoding of ['utf8', 'latin1', 'base64'] as const) assert.equal(bytes.toString(encoding).includes(value), false);
      assert.equal(bytes.includes(Buffer.from(value)), false);
    });

    it('answers 404 SecretNotFound for an unknown or deleted name', async () => {
      await assert.rejects(client.backupSecret(uniqueName()), azureError(404, 'SecretNotFound'));
      const name = uniqueName();
      await client.setSecret(name, 'v');
      await deleteSecret(client, name);
      await assert.rejects(client.backupSecret(name), azureError(404, 'SecretNotFound'));
    });
  });

  describe('SecretClient.restoreSecretBackup', () => {
    /** Three versions with distinct attributes; returns their versions and values, oldest first. */
    async function secretWithVersions(target: SecretClient, name: string) {
      const made = [];
      made.push(await target.setSecret(name, 'first ✓', { contentType: 'one', tags: { n: '1' } }));
      made.push(await target.setSecret(name, 'second', { contentType: 'two', enabled: false }));
      made.push(await target.setSecret(name, 'third', { contentType: 'three', tags: { n: '3' } }));
      return made.map((secret) => ({ version: secret.properties.version!, value: secret.value!, properties: secret.properties }));
    }

    async function assertVersionsRestored(target: SecretClient, name: string, versions: Awaited<ReturnType<typeof secretWithVersions>>) {
      const listed = await collect(target.listPropertiesOfSecretVersions(name));
      assert.deepEqual(listed.map((p) => p.version).sort(), versions.map((v) => v.version).sort());
      for (const expected of versions) {
        const properties = listed.find((p) => p.version === expected.version)!;
        assert.equal(properties.contentType, expected.properties.contentType);
        assert.deepEqual(properties.tags, expected.properties.tags);
        assert.equal(properties.enabled, expected.properties.enabled);
        assert.equal(properties.createdOn?.getTime(), expected.properties.createdOn?.getTime());
        if (expected.properties.enabled) {
          assert.equal((await target.getSecret(name, { version: expected.version })).value, expected.value);
        }
      }
      const latest = await target.getSecret(name);
      assert.equal(latest.properties.version, versions[2]!.version);
      assert.equal(latest.value, 'third');
    }

    it('restores every version with the same version ids and values after delete and purge', async () => {
      const name = uniqueName();
      const versions = await secretWithVersions(client, name);
      const backup = await backupOf(client, name);
      await deleteSecret(client, name);
      await client.purgeDeletedSecret(name);

      const restored = await client.restoreSecretBackup(backup);
      assert.equal(restored.name, name);
      assert.equal(restored.version, versions[2]!.version);
      assert.equal(restored.id, `${server.vaultUrl()}/secrets/${name}/${versions[2]!.version}`);
      assert.equal(restored.contentType, 'three');
      await assertVersionsRestored(client, name, versions);

      // The disabled version came back disabled, and can be enabled to read its value.
      await client.updateSecretProperties(name, versions[1]!.version, { enabled: true });
      assert.equal((await client.getSecret(name, { version: versions[1]!.version })).value, 'second');
    });

    it('restores into another vault of the same server', async () => {
      const { client: otherClient, vault } = await newVault('rs');
      const name = uniqueName();
      const versions = await secretWithVersions(client, name);
      const backup = await backupOf(client, name);

      const restored = await otherClient.restoreSecretBackup(backup);
      assert.equal(restored.vaultUrl, server.vaultUrl(vault));
      assert.equal(restored.id, `${server.vaultUrl(vault)}/secrets/${name}/${versions[2]!.version}`);
      await assertVersionsRestored(otherClient, name, versions);
      assert.equal((await client.getSecret(name)).value, 'third', 'the source is untouched');
    });

    it('refuses with 409 Conflict while the name exists', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'v');
      const backup = await backupOf(client, name);
      await client.setSecret(name, 'newer');
      await assert.rejects(client.restoreSecretBackup(backup), azureError(409, 'Conflict'));
      assert.equal((await collect(client.listPropertiesOfSecretVersions(name))).length, 2);
      assert.equal((await client.getSecret(name)).value, 'newer');
    });

    it('refuses with 409 Conflict, innererror ObjectIsDeletedButRecoverable, while the name is soft-deleted', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'v');
      const backup = await backupOf(client, name);
      await deleteSecret(client, name);
      await assert.rejects(client.restoreSecretBackup(backup), azureError(409, 'Conflict', 'ObjectIsDeletedButRecoverable'));
      assert.equal((await client.getDeletedSecret(name)).name, name);
    });

    it('refuses a tampered blob with 400 BadParameter and creates nothing', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'v');
      const backup = await backupOf(client, name);
      await deleteSecret(client, name);
      await client.purgeDeletedSecret(name);

      const tampered = Uint8Array.from(backup);
      const middle = Math.floor(tampered.length / 2);
      tampered[middle] = tampered[middle]! ^ 0x01;
      await assert.rejects(client.restoreSecretBackup(tampered), azureError(400, 'BadParameter'));
      await assert.rejects(client.getSecret(name), azureError(404, 'SecretNotFound'));
      await assert.rejects(client.getDeletedSecret(name), azureError(404, 'SecretNotFound'));

      const truncated = backup.slice(0, backup.length - 1);
      await assert.rejects(client.restoreSecretBackup(truncated), azureError(400, 'BadParameter'));
      await assert.rejects(client.getSecret(name), azureError(404, 'SecretNotFound'));

      // The untouched blob still restores: the failed attempts left nothing half-made.
      assert.equal((await client.restoreSecretBackup(backup)).name, name);
    });

    it('refuses a random or garbage value over raw HTTP with 400 BadParameter and creates nothing', async () => {
      const { client: emptyClient, vault } = await newVault('rg');
      const garbage = [randomBytes(300).toString('base64url'), 'not base64 at all!', 'AAAA', randomBytes(2048).toString('base64url')];
      for (const value of garbage) {
        const response = await raw('POST', '/secrets/restore?api-version=7.5', { value }, vault);
        assert.equal(response.status, 400, `restore of ${value.slice(0, 20)}`);
        assert.equal(response.json.error.code, 'BadParameter');
      }
      for (const body of [{}, { value: '' }, { value: 42 }]) {
        const response = await raw('POST', '/secrets/restore?api-version=7.5', body, vault);
        assert.equal(response.status, 400, `restore of ${JSON.stringify(body)}`);
        assert.equal(response.json.error.code, 'BadParameter');
      }
      assert.deepEqual(await collect(emptyClient.listPropertiesOfSecrets()), []);
      assert.deepEqual(await collect(emptyClient.listDeletedSecrets()), []);
    });
  });
});
