// For tests only: a fresh, migrated store. SQLite in memory by default; on PostgreSQL when COFFER_TEST_POSTGRES
// names a server (e.g. postgres://postgres@127.0.0.1:5432/test), in a database of its own that closing drops.
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrate, openPostgresStore, type Db } from './open.js';
import type { Database } from './schema.js';

/** The PostgreSQL server tests run on, or undefined for SQLite. */
export const testPostgresUrl: string | undefined = process.env.COFFER_TEST_POSTGRES || undefined;

/**
 * The options of a suite about PostgreSQL itself (several nodes, notifications, advisory locks). `npm test` runs such
 * suites in its PostgreSQL pass only (test/run-tests.ts looks for this name); run by hand on SQLite, they say why not.
 */
export const onPostgresOnly = { skip: testPostgresUrl === undefined ? 'about PostgreSQL: set COFFER_TEST_POSTGRES' : false };

/** Creates an empty database on the COFFER_TEST_POSTGRES server; returns its URL and how to drop it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (testPostgresUrl === undefined) throw new Error('COFFER_TEST_POSTGRES is not set');
  const name = `coffer_test_${randomBytes(6).toString('hex')}`;
  await onServer(`create database ${name}`);
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`drop database if exists ${name} with (force)`) };
}

async function onServer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const dropsByDb = new WeakMap<Db, () => Promise<void>>();

/** A fresh migrated store; release it with closeTestStore (which drops its PostgreSQL database). */
export async function openTestStore(): Promise<Db> {
  if (testPostgresUrl === undefined) {
    const sqlite = new BetterSqlite3(':memory:');
    // As openSqliteStore does, and as PostgreSQL always does.
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrate(db);
    return db;
  }
  const database = await createTestDatabase();
  const db = await openPostgresStore({ url: database.url });
  dropsByDb.set(db, database.drop);
  return db;
}

export async function closeTestStore(db: Db | undefined): Promise<void> {
  if (db === undefined) return;
  await db.destroy();
  await dropsByDb.get(db)?.();
}
