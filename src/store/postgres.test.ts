// The PostgreSQL store itself; runs only when COFFER_TEST_POSTGRES names a server (see test-store.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { isUniqueViolation } from './sql-errors.js';
import { openPostgresStore, openStore } from './open.js';
import { createTestDatabase, onPostgresOnly } from './test-store.js';

describe('the PostgreSQL store', onPostgresOnly, () => {
  it('migrates once when several nodes open it at the same time, and reads bigints and bytea like SQLite', async () => {
    const database = await createTestDatabase({ empty: true });
    try {
      const dbs = await Promise.all([1, 2, 3, 4].map(() => openPostgresStore({ url: database.url })));
      try {
        const [db] = dbs;
        await db!.insertInto('vaults').values({ id: 'v1', name: 'one', created_at: 1_700_000_000_123, retention_days: 90, purge_protection: 0, wrapped_key: Buffer.from([1, 2, 3]) } as never).execute();
        const row = await db!.selectFrom('vaults').select(['created_at', 'wrapped_key']).where('id', '=', 'v1').executeTakeFirstOrThrow();
        assert.equal(row.created_at, 1_700_000_000_123);
        assert.deepEqual(Buffer.from(row.wrapped_key as Uint8Array), Buffer.from([1, 2, 3]));
        const error = await db!.insertInto('vaults').values({ id: 'v2', name: 'one', created_at: 1, retention_days: 90, purge_protection: 0, wrapped_key: Buffer.alloc(1) } as never).execute().then(() => undefined, (e: unknown) => e);
        assert.ok(isUniqueViolation(error), `a unique violation: ${String(error)}`);
      } finally {
        await Promise.all(dbs.map((db) => db.destroy()));
      }
    } finally {
      await database.drop();
    }
  });

  it('survives its connections being cut mid-transaction, as in a PostgreSQL restart, and then works again', async () => {
    const database = await createTestDatabase();
    const db = await openPostgresStore({ url: database.url });
    try {
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      const cutEveryone = () => admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
      try {
        const transaction = db.transaction().execute(async (tx) => {
          await tx.selectFrom('server_meta').selectAll().execute();
          await cutEveryone();
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.selectFrom('server_meta').selectAll().execute();
        });
        await assert.rejects(transaction);
        // Still alive (an unheard 'error' event from `pg` would have ended this process) and able to work again.
        const rows = await db.selectFrom('server_meta').selectAll().execute();
        assert.ok(Array.isArray(rows));
      } finally {
        await admin.end();
      }
    } finally {
      await db.destroy();
      await database.drop();
    }
  });

  it('refuses a store URL that is not PostgreSQL', async () => {
    await assert.rejects(openStore({ url: 'mysql://x@y/z', file: '/nonexistent' }), /not a postgres:\/\/ URL/);
  });
});
