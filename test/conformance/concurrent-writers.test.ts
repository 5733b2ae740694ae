// Other connections write to the same SQLite file as the request path: the audit thread, CLI commands, later
// other server workers. Writes must wait their turn, never fail with SQLITE_BUSY (which surfaced as 500s).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

describe('SecretClient.setSecret while other connections write to the database', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.dispose());

  it('answers 200 to every one of 300 concurrent sets', async () => {
    const token = await server.adminToken();
    const other = new BetterSqlite3(path.join(server.dataDir, 'coffer.db'));
    other.pragma('busy_timeout = 5000');
    const noise = other.prepare("insert or replace into server_meta (key, value) values ('test-noise', ?)");
    const writer = setInterval(() => noise.run(String(Math.random())), 1);
    try {
      const names = Array.from({ length: 15 }, () => uniqueName('busy'));
      const statuses = await Promise.all(
        Array.from({ length: 300 }, async (_, i) => {
          const response = await server.request('PUT', `${server.vaultUrl()}/secrets/${names[i % names.length]}?api-version=7.5`, { token, body: { value: `v${i}` } });
          return response.status;
        }),
      );
      assert.deepEqual([...new Set(statuses)], [200]);
      // Every set made its own version.
      const client = server.secretClient();
      let versions = 0;
      for (const name of names) for await (const _ of client.listPropertiesOfSecretVersions(name)) versions += 1;
      assert.equal(versions, 300);
    } finally {
      clearInterval(writer);
      other.close();
    }
  });
});
