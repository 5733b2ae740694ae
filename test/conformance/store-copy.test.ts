// `coffer store copy`: a real server on SQLite, written to through the official SDK clients, stopped and copied —
// to PostgreSQL when COFFER_TEST_POSTGRES is set, else into a fresh SQLite data directory — then a server on the copy,
// with the source's master key given in COFFER_MASTER_KEY, serves the same values, versions, keys and deleted secret.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, testPostgresUrl } from '../../src/store/test-store.js';
import { freePort, serverEntry, startServer, uniqueName, type TestServer } from '../support/start-server.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const execFileAsync = promisify(execFile);

/** Runs `coffer <args>` and returns its exit code and output, whatever the code. */
async function coffer(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [serverEntry, ...args], { cwd: repoRoot, env: process.env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('coffer store copy', () => {
  let source: TestServer;
  let copy: TestServer | undefined;
  /** The --to location, and what to clean up besides the servers. */
  let to: string;
  let targetDir: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  let masterKey: string;
  let copyOutput: { from: string; to: string; tables: Record<string, number>; masterKey: string };

  const vault = uniqueName('copy');
  const values = ['first value', 'second value', 'third value'];
  const digest = createHash('sha256').update('signed before and after the copy').digest();
  let versions: string[];
  let keyVersion: string;
  let signatureBefore: Uint8Array;
  let keyN: Uint8Array | undefined;

  before(async () => {
    source = await startServer({ store: 'sqlite' });
    await source.cli('vault', 'create', vault);
    const secrets = source.secretClient({ vault });
    versions = [];
    for (const value of values) versions.push((await secrets.setSecret('db-password', value, { contentType: 'text/plain' })).properties.version!);
    await secrets.setSecret('api-key', 'k-123', { tags: { env: 'prod' } });
    await secrets.setSecret('retired', 'old secret');
    await (await secrets.beginDeleteSecret('retired')).pollUntilDone();
    await source.secretClient().setSecret('in-default-vault', 'default value');

    const keys = source.keyClient({ vault });
    await keys.createRsaKey('signer', { keySize: 2048 });
    const key = await keys.createRsaKey('signer', { keySize: 2048 });
    keyVersion = key.properties.version!;
    keyN = key.key?.n;
    signatureBefore = (await source.cryptographyClient(key, { vault }).sign('RS256', digest)).result;
    masterKey = await readFile(path.join(source.dataDir, 'master.key'), 'utf8');
    assert.equal(await source.stop(), 0);

    if (testPostgresUrl !== undefined) {
      const database = await createTestDatabase();
      dropDatabase = database.drop;
      to = database.url;
      targetDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-copy-node-'));
    } else {
      targetDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-copy-target-'));
      to = `sqlite:${targetDir}`;
    }
    const copied = await coffer(['store', 'copy', '--from', `sqlite:${source.dataDir}`, '--to', to]);
    assert.equal(copied.code, 0, copied.stderr);
    copyOutput = JSON.parse(copied.stdout);
    // The administrator's credentials are the operator's to carry over, like the master key.
    await copyFile(path.join(source.dataDir, 'admin-credentials.json'), path.join(targetDir, 'admin-credentials.json'));
  });

  after(async () => {
    await copy?.dispose();
    await source?.dispose();
    await rm(targetDir, { recursive: true, force: true });
    await dropDatabase?.();
  });

  it('prints the rows copied per table and the master key reminder, never a value or a key', () => {
    assert.equal(copyOutput.from, `sqlite:${path.join(source.dataDir, 'coffer.db')}`);
    assert.equal(copyOutput.tables.vaults, 2, 'the default vault and ours');
    // 3 + 1 + 1 secret versions, 1 in the default vault, 2 key versions.
    assert.equal(copyOutput.tables.object_versions, 8);
    assert.equal(copyOutput.tables.objects, 5);
    assert.ok(copyOutput.tables.server_meta! >= 3 && copyOutput.tables.principals! >= 1 && copyOutput.tables.signing_keys! >= 1);
    assert.ok(copyOutput.tables.audit_events! > 10, 'the audit records of every request above');
    assert.match(copyOutput.masterKey, /master\.key.*COFFER_MASTER_KEY/s);
    const printed = JSON.stringify(copyOutput);
    for (const secret of [...values, 'k-123', 'old secret', masterKey.trim()]) assert.ok(!printed.includes(secret));
  });

  it('serves the copy with the source master key: every version, the deleted secret and the same key material', async () => {
    copy = await startServer({ dataDir: targetDir, store: testPostgresUrl === undefined ? 'sqlite' : to, env: { COFFER_MASTER_KEY: masterKey.trim() } });
    assert.equal(existsSync(path.join(targetDir, 'master.key')), false, 'the key came from COFFER_MASTER_KEY');
    const secrets = copy.secretClient({ vault });
    for (const [index, version] of versions.entries()) {
      assert.equal((await secrets.getSecret('db-password', { version })).value, values[index]);
    }
    const latest = await secrets.getSecret('db-password');
    assert.equal(latest.value, 'third value');
    assert.equal(latest.properties.contentType, 'text/plain');
    assert.deepEqual((await collect(secrets.listPropertiesOfSecretVersions('db-password'))).map((p) => p.version).sort(), [...versions].sort());
    assert.deepEqual((await secrets.getSecret('api-key')).properties.tags, { env: 'prod' });
    assert.equal((await copy.secretClient().getSecret('in-default-vault')).value, 'default value');

    const deleted = await secrets.getDeletedSecret('retired');
    assert.equal(deleted.name, 'retired');
    await assert.rejects(secrets.getSecret('retired'), (error: any) => error.statusCode === 404);
    await (await secrets.beginRecoverDeletedSecret('retired')).pollUntilDone();
    assert.equal((await secrets.getSecret('retired')).value, 'old secret');

    const keys = copy.keyClient({ vault });
    const key = await keys.getKey('signer');
    assert.equal(key.properties.version, keyVersion);
    assert.deepEqual(key.key?.n, keyN);
    assert.equal((await collect(keys.listPropertiesOfKeyVersions('signer'))).length, 2);
    // RS256 is deterministic: the same signature proves the same private key, unsealed by the copied vault key.
    assert.deepEqual((await copy.cryptographyClient(key, { vault }).sign('RS256', digest)).result, signatureBefore);

    // The copy takes new writes.
    const added = await secrets.setSecret('db-password', 'fourth value');
    assert.equal((await secrets.getSecret('db-password')).properties.version, added.properties.version);
  });

  it('refuses to copy into a store that holds data, or a store onto itself', async () => {
    const again = await coffer(['store', 'copy', '--from', `sqlite:${source.dataDir}`, '--to', to]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already holds data/);
    assert.equal(again.stdout, '');
    const itself = await coffer(['store', 'copy', '--from', `sqlite:${source.dataDir}`, '--to', `sqlite:${path.join(source.dataDir, 'coffer.db')}`]);
    assert.equal(itself.code, 1);
    assert.match(itself.stderr, /name the same store/);
    const nowhere = await coffer(['store', 'copy', '--from', `sqlite:${path.join(os.tmpdir(), `missing-${randomBytes(4).toString('hex')}`)}`, '--to', to]);
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /no Coffer database/);
  });

  it('a node with another master key refuses to start on the copy', async () => {
    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-copy-other-'));
    try {
      if (testPostgresUrl === undefined) {
        // A second SQLite copy, so the running server's directory is left alone.
        const second = await coffer(['store', 'copy', '--from', `sqlite:${source.dataDir}`, '--to', `sqlite:${otherDir}`]);
        assert.equal(second.code, 0, second.stderr);
      }
      // Run as users do; startServer is for servers that start.
      const storeArgs = testPostgresUrl === undefined ? [] : ['--store', to];
      const port = await freePort();
      const refused = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
        execFile(
          process.execPath,
          [serverEntry, 'serve', '--data-dir', otherDir, '--port', String(port), ...storeArgs],
          { cwd: repoRoot, env: { ...process.env, COFFER_MASTER_KEY: randomBytes(32).toString('base64') }, timeout: 60_000 },
          (error, stdout, stderr) => {
            if (error && typeof error.code !== 'number') reject(error);
            else resolve({ code: error ? (error.code as number) : 0, output: stdout + stderr });
          },
        );
      });
      assert.equal(refused.code, 1);
      assert.match(refused.output, /is not the one that initialized/);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});
