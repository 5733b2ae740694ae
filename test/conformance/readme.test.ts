// Keeps the README true to the code: its quick-start sample is examples/quickstart.mjs verbatim and runs
// against a real server; its options table names every option the configuration schema has.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { options } from '../../src/config/schema.js';
import { startServer, type TestServer } from '../support/start-server.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const readme = () => readFile(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.dispose());

  it('shows examples/quickstart.mjs verbatim', async () => {
    const block = /<!-- quickstart:begin -->\n```js\n([\s\S]*?)```\n<!-- quickstart:end -->/.exec(await readme());
    assert.ok(block, 'the README has a quickstart block');
    assert.equal(block[1], await readFile(path.join(root, 'examples/quickstart.mjs'), 'utf8'));
  });

  it('quick-start sample round-trips a secret through the official SDK, trusting the CA via NODE_EXTRA_CA_CERTS', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['examples/quickstart.mjs'], {
      cwd: root,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: server.credentials.caCertPath, COFFER_CREDENTIALS: path.join(server.dataDir, 'admin-credentials.json') },
    });
    assert.match(stdout, /^db-password = correct horse battery staple \(version [0-9a-f]{32}\)\n$/);
  });

  it('documents every configuration option with its flag and environment variable', async () => {
    const text = await readme();
    for (const [field, spec] of Object.entries(options)) {
      const row = text.split('\n').find((line) => line.startsWith(`| ${field} |`));
      assert.ok(row, `README options table has a row for ${field}`);
      assert.ok(row.includes(`\`--${spec.flag}\``), `row ${field} names --${spec.flag}`);
      assert.ok(row.includes(`\`${spec.env}\``), `row ${field} names ${spec.env}`);
    }
  });
});
