// Other connections write to the same store as the request path: the audit thread, CLI commands, other server
// workers and, on PostgreSQL, other nodes. Writes must wait their turn, never fail (SQLITE_BUSY surfaced as 500s;
// on PostgreSQL, two requests creating one name at once collide on its row).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serverStore, type ServerStore } from '../support/server-store.js';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

describe('SecretClient.setSecret while other connections write to the database', () => {
  let server: TestServer;
  let store: ServerStore;
  before(async () => {
    store = await serverStore();
    server = await startServer(store.startOptions);
  });
  after(async () => {
    await server?.dispose();
    await store?.dispose();
  });

  it('answers 200 to every one of 300 concurrent sets', async () => {
    const token = await server.adminToken();
    const other = store.open(server.dataDir, { writable: true });
    let noise: Promise<unknown> = Promise.resolve();
    const writer = setInterval(() => {
      const value = String(Math.random());
      noise = Promise.all([noise, other.insertInto('server_meta').values({ key: 'test-noise', value }).onConflict((conflict) => conflict.column('key').doUpdateSet({ value })).execute()]);
    }, 1);
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
      // The noise writes succeeded too.
      await noise;
    }
  });
});
