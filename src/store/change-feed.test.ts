// Two stores on one PostgreSQL database stand for two nodes: a change through one must reach the other's caches
// by the next barrier, and losing the listening connection must never leave a stale cache behind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { cachedLookup } from './cached-lookup.js';
import { LISTENER_NAME, mayChangeCachedData } from './change-feed.js';
import { changeBarrier, changeStamp, openPostgresStore, type Db } from './open.js';
import { createTestDatabase, onPostgresOnly } from './test-store.js';

describe('change notifications between nodes on PostgreSQL', onPostgresOnly, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let nodeA: Db;
  let nodeB: Db;

  before(async () => {
    database = await createTestDatabase();
    nodeA = await openPostgresStore({ url: database.url });
    nodeB = await openPostgresStore({ url: database.url });
  });
  after(async () => {
    await Promise.all([nodeA?.destroy(), nodeB?.destroy()]);
    await database?.drop();
  });

  const setMeta = (db: Db, key: string, value: string) =>
    db.insertInto('server_meta').values({ key, value }).onConflict((conflict) => conflict.column('key').doUpdateSet({ value })).execute();

  /** A cache over node A's meta table, counting how often it really reads. */
  function metaCache(db: Db) {
    let loads = 0;
    const lookup = cachedLookup({
      stamp: changeStamp(db),
      load: async (key) => {
        loads++;
        const row = await db.selectFrom('server_meta').select('value').where('key', '=', key).executeTakeFirst();
        return row ? { value: row.value } : undefined;
      },
    });
    return { lookup, loads: () => loads };
  }

  async function listening(db: Db) {
    const stamp = changeStamp(db);
    for (let i = 0; i < 200; i++) {
      await changeBarrier(db)!();
      if (stamp.current() === stamp.current()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.fail('the change feed never started listening');
  }

  it('caches while nothing changes, and sees another node’s change after the barrier', async () => {
    await setMeta(nodeB, 'colour', 'red');
    const cache = metaCache(nodeA);
    await listening(nodeA);
    assert.deepEqual(await cache.lookup('colour'), { value: 'red' });
    assert.deepEqual(await cache.lookup('colour'), { value: 'red' });
    assert.equal(cache.loads(), 1, 'the second lookup came from the cache');

    for (const colour of ['green', 'blue', 'violet']) {
      await setMeta(nodeB, 'colour', colour);
      // Exactly what the server does before each request: no sleeping, no polling.
      await changeBarrier(nodeA)!();
      assert.deepEqual(await cache.lookup('colour'), { value: colour });
    }
  });

  it('writes to the audit log, by any node, do not empty the caches', async () => {
    const cache = metaCache(nodeA);
    await listening(nodeA);
    await cache.lookup('colour');
    const loads = cache.loads();
    // Another node's, and this node's own: every request writes one.
    for (const db of [nodeB, nodeA]) {
      await db.insertInto('audit_events').values({ time: new Date().toISOString(), vault_name: 'v', operation_name: 'SecretGet', http_status: 200, caller_oid: null, record: '{}' }).execute();
    }
    await changeBarrier(nodeA)!();
    await cache.lookup('colour');
    assert.equal(cache.loads(), loads);
  });

  it('stops caching when the listening connection is lost, and listens again', async () => {
    const cache = metaCache(nodeA);
    await listening(nodeA);
    await cache.lookup('colour');
    // End the listening sessions (both nodes') from outside, as a PostgreSQL restart would.
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const killed = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = $1',
        [LISTENER_NAME],
      );
      assert.ok(killed.rowCount! >= 1, 'a listening session was found');
    } finally {
      await admin.end();
    }
    // Changed while node A may not be listening: node A must not answer from its cache.
    await setMeta(nodeB, 'colour', 'amber');
    await changeBarrier(nodeA)!();
    assert.deepEqual(await cache.lookup('colour'), { value: 'amber' });
    await listening(nodeA);
    await setMeta(nodeB, 'colour', 'teal');
    await changeBarrier(nodeA)!();
    assert.deepEqual(await cache.lookup('colour'), { value: 'teal' });
  });
});

describe('which statements may change cached data', () => {
  it('counts every write but those to tables no cache reads', () => {
    for (const statement of ['select 1', ' SELECT * from "vaults"', 'insert into "audit_events" ("time") values ($1)', 'delete from "used_assertions" where "expires_at" < $1']) {
      assert.equal(mayChangeCachedData(statement), false, statement);
    }
    for (const statement of ['insert into "objects" ("id") values ($1)', 'update "vaults" set "name" = $1', 'begin', 'commit', 'insert into "audit_events_extra" values ($1)']) {
      assert.equal(mayChangeCachedData(statement), true, statement);
    }
  });
});
