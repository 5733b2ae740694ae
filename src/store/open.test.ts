import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { changeStamp, openSqliteStore, readRows, type Db } from './open.js';

describe('the SQLite store', () => {
  let dir: string;
  let file: string;
  let db: Db;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-open-'));
    file = path.join(dir, 'coffer.db');
    db = await openSqliteStore({ file });
  });
  after(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  describe('changeStamp', () => {
    it('stays the same while nothing is written', async () => {
      const stamp = changeStamp(db);
      const first = stamp.current();
      await db.selectFrom('server_meta').selectAll().execute();
      assert.equal(stamp.current(), first);
    });

    it('changes when this connection writes, and counts that as a local change', async () => {
      const stamp = changeStamp(db);
      const first = stamp.current();
      const firstLocal = stamp.local();
      await db.insertInto('server_meta').values({ key: 'own-write', value: '1' }).execute();
      assert.notEqual(stamp.current(), first);
      assert.notEqual(stamp.local(), firstLocal);
    });

    it('changes when another connection (another process) commits', () => {
      const stamp = changeStamp(db);
      const first = stamp.current();
      const other = new BetterSqlite3(file);
      try {
        other.prepare("insert into server_meta (key, value) values ('other-write', '1')").run();
      } finally {
        other.close();
      }
      const second = stamp.current();
      assert.notEqual(second, first);
      assert.equal(stamp.current(), second);
    });
  });

  describe('readRows', () => {
    it('reads committed rows without going through Kysely', async () => {
      await db.insertInto('server_meta').values({ key: 'read-rows', value: 'seen' }).execute();
      const rows = await readRows(db)(db.selectFrom('server_meta').select('value').where('key', '=', 'read-rows').compile());
      assert.deepEqual(rows, [{ value: 'seen' }]);
    });

    it('never sees the uncommitted writes of a transaction in progress', async () => {
      const read = readRows(db);
      const query = db.selectFrom('server_meta').select('value').where('key', '=', 'in-flight').compile();
      let inside!: () => void;
      const paused = new Promise<void>((resolve) => (inside = resolve));
      let release!: () => void;
      const transaction = db.transaction().execute(async (trx) => {
        await trx.insertInto('server_meta').values({ key: 'in-flight', value: 'uncommitted' }).execute();
        inside();
        await new Promise<void>((resolve) => (release = resolve));
        throw new Error('rolled back on purpose');
      });
      await paused;
      // Issued while the transaction holds the connection: it waits for the transaction to end.
      const during = read(query);
      release();
      await assert.rejects(transaction, /rolled back on purpose/);
      assert.deepEqual(await during, []);
    });

    it('reports a failing statement as a rejected promise', async () => {
      await assert.rejects(readRows(db)(sql`select * from no_such_table`.compile(db)), /no such table/);
    });
  });
});
