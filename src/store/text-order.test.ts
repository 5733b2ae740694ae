// Names sort byte by byte on every store, as on SQLite and in JavaScript (postgres.ts useBinaryTextOrder). On PostgreSQL the test
// database gets a linguistic default collation (ICU en-US with punctuation ignored, as glibc's en_US.UTF-8 has it,
// the kind many installations have), under which 'a-c' would sort between 'ab' and 'ad'.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createObjectStore } from './objects.js';
import { openPostgresStore, type Db } from './open.js';
import { closeTestStore, createTestDatabase, openTestStore, testPostgresUrl } from './test-store.js';

/** SQLite in memory, or a PostgreSQL database whose default collation is linguistic; and how to let it go. */
async function openLinguisticStore(): Promise<{ db: Db; close(): Promise<void> }> {
  if (testPostgresUrl === undefined) {
    const db = await openTestStore();
    return { db, close: () => closeTestStore(db) };
  }
  const database = await createTestDatabase({ empty: true, options: "template template0 locale_provider icu icu_locale 'en-US-u-ka-shifted' locale 'C.UTF-8'" });
  const db = await openPostgresStore({ url: database.url });
  return {
    db,
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
}

describe('the order of names', () => {
  let store: Awaited<ReturnType<typeof openLinguisticStore>>;
  before(async () => {
    store = await openLinguisticStore();
  });
  after(() => store?.close());

  it('is byte order, the same as JavaScript sorts names, in listings and in keyset paging', async () => {
    const { db } = store;
    await db
      .insertInto('vaults')
      .values({
        id: 'v', name: 'order', created_at: 1, updated_at: 1, retention_days: 7, purge_protection: 0, wrapped_key: Buffer.alloc(8), subscription_id: 's',
        resource_group: 'g', location: 'l', settings: '{}', deleted_at: null, scheduled_purge_at: null,
      })
      .execute();
    const names = ['ad', 'a-c', 'ab', 'a0', 'b', 'a-b-9', 'aa-'];
    const objects = createObjectStore(db);
    for (const [i, name] of names.entries()) {
      await objects.insertObject({ id: `o${i}`, vaultId: 'v', kind: 'secret', name, currentVersion: 'x', createdAt: 1, updatedAt: 1, deletedAt: null, scheduledPurgeAt: null });
      await objects.insertVersion('v', {
        objectId: `o${i}`, version: 'x', seq: 1, enabled: true, notBefore: null, expires: null, createdAt: 1, updatedAt: 1, contentType: null, tags: null,
        sealedValue: Buffer.alloc(1), properties: null,
      });
    }
    const sorted = [...names].sort();
    const listed = await objects.listObjects('v', 'secret', { deleted: false, afterNameKey: undefined, limit: 100 });
    assert.deepEqual(listed.map((item) => item.object.name), sorted);
    const after = await objects.listObjects('v', 'secret', { deleted: false, afterNameKey: 'ab', limit: 100 });
    assert.deepEqual(after.map((item) => item.object.name), sorted.filter((name) => name > 'ab'));
  });
});
