// Encryption at rest, checked on the bytes a thief would get: no secret value in clear in any file of the data
// directory, credentials and the master key only where they belong, sealed rows bound to their place, and a
// server that refuses to start without the right master key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import { encodings, filesUnder } from '../support/scan-files.js';
import { serverStore, type ServerStore } from '../support/server-store.js';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

/**
 * The files (relative to dir) that hold `bytes` in any encoding, with how; on PostgreSQL the store's tables too,
 * which are no file of the data directory.
 */
async function filesHolding(dir: string, bytes: Buffer, store: ServerStore): Promise<string[]> {
  const holding: string[] = [];
  const files = (await filesUnder(dir)).map(({ file, bytes: content }) => ({ file: path.relative(dir, file), bytes: content }));
  for (const { file, bytes: content } of [...files, ...(await store.dump())]) {
    for (const { how, needle } of encodings(bytes)) {
      if (content.indexOf(needle) !== -1) holding.push(`${file} (${how})`);
    }
  }
  return holding;
}

function distinctive(label: string): string {
  return `at-rest-${label}-${randomBytes(24).toString('hex')}`;
}

async function versionRowOf(db: Kysely<Database>, vaultName: string, secretName: string, version?: string): Promise<{ objectId: string; version: string; sealed: Buffer }> {
  const query = db
    .selectFrom('objects as o')
    .innerJoin('vaults as vt', 'vt.id', 'o.vault_id')
    .innerJoin('object_versions as v', 'v.object_id', 'o.id')
    .select(['o.id as objectId', 'v.version as version', 'v.sealed_value as sealed'])
    .where('vt.name', '=', vaultName)
    .where('o.name_key', '=', secretName.toLowerCase());
  const row = await (version === undefined ? query.whereRef('v.version', '=', 'o.current_version') : query.where('v.version', '=', version)).executeTakeFirst();
  assert.ok(row, `no version row for ${secretName}`);
  return row;
}

describe('encryption at rest (master key in DIR/master.key)', () => {
  let server: TestServer;
  let store: ServerStore;
  const values = new Map<string, string>();
  const names = { a: uniqueName('a'), b: uniqueName('b'), updated: uniqueName('updated'), deleted: uniqueName('deleted'), purged: uniqueName('purged'), backedUp: uniqueName('backup'), large: uniqueName('large') };
  let updatedFirstVersion: string;
  let backupBlob: Uint8Array;

  before(async () => {
    store = await serverStore();
    server = await startServer(store.startOptions);
    await server.cli('vault', 'create', 'restored');
    const client = server.secretClient();
    const remember = async (label: string, name: string, value = distinctive(label)) => {
      values.set(label, value);
      return client.setSecret(name, value);
    };
    await remember('a', names.a);
    await remember('b', names.b);
    updatedFirstVersion = (await remember('updated-v1', names.updated)).properties.version!;
    await remember('updated-v2', names.updated);
    await client.updateSecretProperties(names.updated, updatedFirstVersion, { tags: { touched: 'yes' }, contentType: 'text/plain' });
    await remember('deleted', names.deleted);
    await (await client.beginDeleteSecret(names.deleted)).pollUntilDone();
    await remember('purged', names.purged);
    await (await client.beginDeleteSecret(names.purged)).pollUntilDone();
    await client.purgeDeletedSecret(names.purged);
    await remember('backed-up', names.backedUp);
    backupBlob = (await client.backupSecret(names.backedUp))!;
    await server.secretClient({ vault: 'restored' }).restoreSecretBackup(backupBlob);
    // Near Azure's 25 KB limit: a value spanning several database pages.
    await remember('large', names.large, `${distinctive('large')}-${randomBytes(12_000).toString('hex')}`);
  });
  after(async () => {
    await server?.dispose();
    await store?.dispose();
  });

  it('writes no secret value in clear to any file under the data directory, running or stopped', async () => {
    assert.ok(values.size >= 8);
    for (const phase of ['running', 'stopped']) {
      if (phase === 'stopped') assert.equal(await server.stop(), 0);
      for (const [label, value] of values) {
        assert.deepEqual(await filesHolding(server.dataDir, Buffer.from(value), store), [], `the value of '${label}' is readable at rest (${phase})`);
      }
    }
    await server.restart();
    for (const [label, value] of values) assert.ok(!server.output().includes(value), `the server printed the value of '${label}'`);
    // The scan looked at real content: the values are still served.
    const client = server.secretClient();
    assert.equal((await client.getSecret(names.updated, { version: updatedFirstVersion })).value, values.get('updated-v1'));
    assert.equal((await server.secretClient({ vault: 'restored' }).getSecret(names.backedUp)).value, values.get('backed-up'));
    assert.equal((await client.getSecret(names.large)).value, values.get('large'));
  });

  it('keeps the backup blob opaque', () => {
    const blob = Buffer.from(backupBlob);
    for (const { how, needle } of encodings(Buffer.from(values.get('backed-up')!))) assert.equal(blob.indexOf(needle), -1, how);
  });

  it('keeps the administrator client secret only in admin-credentials.json', async () => {
    assert.deepEqual(await filesHolding(server.dataDir, Buffer.from(server.credentials.clientSecret), store), ['admin-credentials.json (raw)']);
    assert.ok(!server.output().includes(server.credentials.clientSecret));
  });

  it('keeps the master key only in master.key', async () => {
    const text = (await readFile(path.join(server.dataDir, 'master.key'), 'utf8')).trim();
    const key = Buffer.from(text, 'base64');
    assert.equal(key.length, 32);
    const holding = await filesHolding(server.dataDir, key, store);
    assert.ok(holding.length > 0 && holding.every((entry) => entry.startsWith('master.key ')), holding.join(', '));
    assert.ok(!server.output().includes(text));
  });

  it('refuses to open a sealed value copied onto another secret or version, without revealing either', async () => {
    assert.equal(await server.stop(), 0);
    const db = store.open(server.dataDir, { writable: true });
    const a = await versionRowOf(db, 'default', names.a);
    const b = await versionRowOf(db, 'default', names.b);
    const latest = await versionRowOf(db, 'default', names.updated);
    const older = await versionRowOf(db, 'default', names.updated, updatedFirstVersion);
    assert.notEqual(a.objectId, b.objectId);
    const copy = async (sealed: Buffer, onto: { objectId: string; version: string }) =>
      Number((await db.updateTable('object_versions').set({ sealed_value: sealed }).where('object_id', '=', onto.objectId).where('version', '=', onto.version).executeTakeFirst()).numUpdatedRows);
    assert.equal(await copy(a.sealed, b), 1);
    assert.equal(await copy(older.sealed, latest), 1);
    await server.restart();

    const token = await server.adminToken();
    for (const [name, victim, source] of [
      [names.b, values.get('b')!, values.get('a')!],
      [names.updated, values.get('updated-v2')!, values.get('updated-v1')!],
    ] as const) {
      const response = await server.request('GET', `${server.vaultUrl()}/secrets/${name}?api-version=7.5`, { token });
      assert.equal(response.status, 500, response.text);
      assert.equal(response.json.error.code, 'InternalServerError');
      assert.equal(typeof response.json.error.message, 'string');
      assert.ok(response.json.error.message.includes(String(response.headers['x-ms-request-id'])));
      for (const value of [victim, source]) {
        assert.ok(!response.text.includes(value), 'a tampered row leaked a value');
        assert.ok(!server.output().includes(value), 'the server log holds a value');
      }
    }
    const client = server.secretClient();
    await assert.rejects(client.getSecret(names.b), { statusCode: 500, code: 'InternalServerError' });
    // The rows that were not tampered with still open.
    assert.equal((await client.getSecret(names.a)).value, values.get('a'));
    assert.equal((await client.getSecret(names.updated, { version: updatedFirstVersion })).value, values.get('updated-v1'));
  });

  it('refuses to start with another valid master key in COFFER_MASTER_KEY, naming the master key', async () => {
    const wrong = randomBytes(32).toString('base64');
    await assert.rejects(server.restart({ COFFER_MASTER_KEY: wrong }), /server exited with [1-9]/);
    const output = server.output();
    assert.match(output, /master key/i);
    assert.match(output, /COFFER_MASTER_KEY/);
    assert.ok(!output.includes(wrong), 'the message echoes the key');
    assert.doesNotMatch(output, /\n\s+at /, 'a configuration mistake prints a stack trace');
    // Nothing was changed by the failed start: the right key still opens everything.
    await server.restart();
    assert.equal((await server.secretClient().getSecret(names.a)).value, values.get('a'));
  });

  it('refuses to start when master.key is gone, says where it looked, and does not make a new one', async () => {
    const keyFile = path.join(server.dataDir, 'master.key');
    const aside = path.join(server.dataDir, '..', `${path.basename(server.dataDir)}-master.key`);
    assert.equal(await server.stop(), 0);
    await rename(keyFile, aside);
    try {
      await assert.rejects(server.restart(), /server exited with [1-9]/);
      const output = server.output();
      assert.ok(output.includes(keyFile), output);
      assert.match(output, /COFFER_MASTER_KEY/);
      assert.doesNotMatch(output, /\n\s+at /);
      await assert.rejects(stat(keyFile), { code: 'ENOENT' });
    } finally {
      await rename(aside, keyFile);
    }
    await server.restart();
    assert.equal((await server.secretClient().getSecret(names.a)).value, values.get('a'));
  });
});

describe('encryption at rest (master key in COFFER_MASTER_KEY)', () => {
  let server: TestServer;
  let store: ServerStore;
  const masterKey = randomBytes(32);
  const name = uniqueName('env');
  const value = distinctive('env');

  before(async () => {
    store = await serverStore();
    server = await startServer({ ...store.startOptions, env: { COFFER_MASTER_KEY: masterKey.toString('base64') } });
    await server.secretClient().setSecret(name, value);
  });
  after(async () => {
    await server?.dispose();
    await store?.dispose();
  });

  it('creates no master.key and restarts with the same key', async () => {
    await assert.rejects(stat(path.join(server.dataDir, 'master.key')), { code: 'ENOENT' });
    await server.restart();
    assert.equal((await server.secretClient().getSecret(name)).value, value);
    await assert.rejects(stat(path.join(server.dataDir, 'master.key')), { code: 'ENOENT' });
  });

  it('accepts the same key in hex', async () => {
    await server.restart({ COFFER_MASTER_KEY: masterKey.toString('hex') });
    assert.equal((await server.secretClient().getSecret(name)).value, value);
  });

  it('writes neither the master key nor the value to any file', async () => {
    assert.deepEqual(await filesHolding(server.dataDir, masterKey, store), []);
    assert.deepEqual(await filesHolding(server.dataDir, Buffer.from(value), store), []);
    assert.ok(!server.output().includes(masterKey.toString('base64')));
  });

  it('refuses to start without the key, and does not create a key file in its place', async () => {
    await assert.rejects(server.restart({ COFFER_MASTER_KEY: '' }), /server exited with [1-9]/);
    assert.match(server.output(), /master key/i);
    assert.match(server.output(), /COFFER_MASTER_KEY/);
    await assert.rejects(stat(path.join(server.dataDir, 'master.key')), { code: 'ENOENT' });
    await server.restart();
    assert.equal((await server.secretClient().getSecret(name)).value, value);
  });
});
