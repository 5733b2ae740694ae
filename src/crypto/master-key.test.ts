import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { StartupError } from '../errors.js';
import { generateMasterKeyText, loadMasterKey } from './master-key.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'coffer-master-key-'));
  dirs.push(dir);
  return dir;
}
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('loadMasterKey from COFFER_MASTER_KEY', () => {
  const key = randomBytes(32);

  for (const [format, text] of [
    ['base64', key.toString('base64')],
    ['base64url', key.toString('base64url')],
    ['hex', key.toString('hex')],
    ['upper-case hex', key.toString('hex').toUpperCase()],
    ['base64 with a trailing newline', `${key.toString('base64')}\n`],
  ] as const) {
    it(`accepts ${format}`, async () => {
      const loaded = await loadMasterKey({ dataDir: await tempDir(), environmentValue: text, createIfMissing: false });
      assert.deepEqual(loaded, { key, source: 'environment', location: 'COFFER_MASTER_KEY' });
    });
  }

  for (const [problem, text] of [
    ['16 bytes', randomBytes(16).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['62 hex characters', randomBytes(31).toString('hex')],
    ['a passphrase', 'correct horse battery staple'],
  ] as const) {
    it(`refuses ${problem} without echoing it`, async () => {
      await assert.rejects(
        loadMasterKey({ dataDir: await tempDir(), environmentValue: text, createIfMissing: true }),
        (error: unknown) =>
          error instanceof StartupError && error.message.includes('COFFER_MASTER_KEY') && error.message.includes('base64') && !error.message.includes(text),
      );
    });
  }

  it('does not create a key file', async () => {
    const dataDir = await tempDir();
    await loadMasterKey({ dataDir, environmentValue: key.toString('base64'), createIfMissing: true });
    await assert.rejects(stat(path.join(dataDir, 'master.key')), { code: 'ENOENT' });
  });
});

describe('loadMasterKey from master.key', () => {
  it('creates a key file with mode 0600 and reads it back on the next start', async () => {
    const dataDir = await tempDir();
    const created = await loadMasterKey({ dataDir, environmentValue: undefined, createIfMissing: true });
    const file = path.join(dataDir, 'master.key');
    assert.equal(created.source, 'file');
    assert.equal(created.location, file);
    assert.equal(created.key.length, 32);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(await readFile(file, 'utf8'), `${created.key.toString('base64')}\n`);

    const again = await loadMasterKey({ dataDir, environmentValue: undefined, createIfMissing: true });
    assert.deepEqual(again.key, created.key);
  });

  it('gives every concurrent start the same key', async () => {
    const dataDir = await tempDir();
    const loaded = await Promise.all(
      Array.from({ length: 8 }, () => loadMasterKey({ dataDir, environmentValue: undefined, createIfMissing: true })),
    );
    for (const { key } of loaded) assert.deepEqual(key, loaded[0]?.key);
  });

  it('creates the data directory when it is missing', async () => {
    const dataDir = path.join(await tempDir(), 'nested', 'data');
    const created = await loadMasterKey({ dataDir, environmentValue: undefined, createIfMissing: true });
    assert.equal(created.location, path.join(dataDir, 'master.key'));
  });

  it('refuses to start without a key file when it may not create one', async () => {
    const dataDir = await tempDir();
    await assert.rejects(
      loadMasterKey({ dataDir, environmentValue: undefined, createIfMissing: false }),
      (error: unknown) =>
        error instanceof StartupError && error.message.includes(path.join(dataDir, 'master.key')) && error.message.includes('COFFER_MASTER_KEY'),
    );
  });

  it('refuses a key file that others can read', async () => {
    const dataDir = await tempDir();
    const file = path.join(dataDir, 'master.key');
    await writeFile(file, `${generateMasterKeyText()}\n`, { mode: 0o600 });
    await chmod(file, 0o644);
    await assert.rejects(
      loadMasterKey({ dataDir, environmentValue: undefined, createIfMissing: true }),
      (error: unknown) => error instanceof StartupError && error.message.includes('chmod 600'),
    );
  });

  it('refuses a malformed key file without echoing it', async () => {
    const dataDir = await tempDir();
    const text = randomBytes(16).toString('base64');
    await writeFile(path.join(dataDir, 'master.key'), text, { mode: 0o600 });
    await assert.rejects(
      loadMasterKey({ dataDir, environmentValue: undefined, createIfMissing: true }),
      (error: unknown) => error instanceof StartupError && error.message.includes('malformed') && !error.message.includes(text),
    );
  });
});

describe('generateMasterKeyText', () => {
  it('makes fresh keys that COFFER_MASTER_KEY accepts', async () => {
    const text = generateMasterKeyText();
    assert.notEqual(text, generateMasterKeyText());
    const loaded = await loadMasterKey({ dataDir: await tempDir(), environmentValue: text, createIfMissing: false });
    assert.equal(loaded.key.toString('base64'), text);
  });
});
