// The errors each driver really raises, recognised alike: on SQLite, and on PostgreSQL when COFFER_TEST_POSTGRES is set.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Insertable } from 'kysely';
import { isPostgresStore, type Db } from './open.js';
import type { ObjectsTable, VaultsTable } from './schema.js';
import { isConcurrentWriteConflict, isForeignKeyViolation, isUniqueViolation } from './sql-errors.js';
import { closeTestStore, openTestStore } from './test-store.js';

let db: Db;
beforeEach(async () => {
  db = await openTestStore();
});
afterEach(() => closeTestStore(db));

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return assert.fail('the statement succeeded');
}

const vault = (id: string, name: string): Insertable<VaultsTable> => ({
  id, name, created_at: 1, updated_at: 1, retention_days: 7, purge_protection: 0, wrapped_key: Buffer.alloc(8), subscription_id: 's', resource_group: 'g',
  location: 'l', settings: '{}', deleted_at: null, scheduled_purge_at: null,
});
const object = (id: string, vaultId: string): Insertable<ObjectsTable> => ({
  id, vault_id: vaultId, kind: 'secret', name: 'n', name_key: 'n', current_version: 'v', created_at: 1, updated_at: 1, deleted_at: null, scheduled_purge_at: null,
});

describe('sql-errors', () => {
  it('recognises unique and primary-key violations, and not a foreign-key one', async () => {
    await db.insertInto('vaults').values(vault('a', 'payroll')).execute();
    for (const duplicate of [vault('b', 'payroll'), vault('a', 'other')]) {
      const error = await errorOf(db.insertInto('vaults').values(duplicate).execute());
      assert.equal(isUniqueViolation(error), true, String(error));
      assert.equal(isForeignKeyViolation(error), false);
    }
  });

  it('recognises a foreign-key violation, and not a unique one', async () => {
    const error = await errorOf(db.insertInto('objects').values(object('o', 'no-such-vault')).execute());
    assert.equal(isForeignKeyViolation(error), true, String(error));
    assert.equal(isUniqueViolation(error), false);
    assert.equal(isConcurrentWriteConflict(error), false);
  });

  it('takes only PostgreSQL unique violations for a race worth running again: SQLite writers take turns', async () => {
    await db.insertInto('vaults').values(vault('a', 'payroll')).execute();
    const error = await errorOf(db.insertInto('vaults').values(vault('b', 'payroll')).execute());
    assert.equal(isConcurrentWriteConflict(error), isPostgresStore(db));
    assert.equal(isConcurrentWriteConflict({ code: '40001' }), true);
    assert.equal(isConcurrentWriteConflict({ code: '40P01' }), true);
    assert.equal(isConcurrentWriteConflict({ code: 'SQLITE_CONSTRAINT_UNIQUE' }), false);
    assert.equal(isConcurrentWriteConflict(null), false);
  });
});
