import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { precompile } from './precompiled.js';

interface Db {
  t: { a: string; b: number; c: string };
}

describe('precompile', () => {
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });

  it('runs the compiled SQL with new values, whatever order Kysely put them in', async () => {
    await db.schema.createTable('t').addColumn('a', 'text').addColumn('b', 'integer').addColumn('c', 'text').execute();
    await db.insertInto('t').values([{ a: 'x', b: 1, c: 'p' }, { a: 'y', b: 2, c: 'q' }, { a: 'x', b: 3, c: 'q' }]).execute();
    // The placeholders are used in the reverse order of the arguments, to prove the mapping is by position found.
    const query = precompile<{ b: number }, [string, string]>(2, (a, c) =>
      db.selectFrom('t').select('b').where('c', '=', c!).where('a', '=', a!).orderBy('b'),
    );
    assert.deepEqual((await db.executeQuery(query('x', 'q'))).rows, [{ b: 3 }]);
    assert.deepEqual((await db.executeQuery(query('y', 'q'))).rows, [{ b: 2 }]);
    assert.deepEqual((await db.executeQuery(query('x', 'p'))).rows, [{ b: 1 }]);
  });

  it('refuses a builder that drops or repeats a placeholder', () => {
    assert.throws(() => precompile(2, (a) => db.selectFrom('t').select('b').where('a', '=', a!)), /exactly once/);
    assert.throws(() => precompile(1, (a) => db.selectFrom('t').select('b').where('a', '=', a!).where('c', '=', a!)), /exactly once/);
  });
});
