// For tests only: a fresh, migrated store. SQLite in memory by default; on PostgreSQL when COFFER_TEST_POSTGRES
// names a server (e.g. postgres://postgres@127.0.0.1:5432/test), in a database of its own that closing drops.
import { createHash, randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrate, openPostgresStore, type Db } from './open.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

/** The PostgreSQL server tests run on, or undefined for SQLite. */
export const testPostgresUrl: string | undefined = process.env.COFFER_TEST_POSTGRES || undefined;

/**
 * The options of a suite about PostgreSQL itself (several nodes, notifications, advisory locks). `npm test` runs such
 * suites in its PostgreSQL pass only (test/run-tests.ts looks for this name); run by hand on SQLite, they say why not.
 */
export const onPostgresOnly = { skip: testPostgresUrl === undefined ? 'about PostgreSQL: set COFFER_TEST_POSTGRES' : false };

/**
 * Creates a database on the COFFER_TEST_POSTGRES server; returns its URL and how to drop it. It is a copy of a
 * migrated template (a copy takes half the time migrating does), unless `empty` asks for a database without
 * even the schema — for tests of migrating itself.
 */
export async function createTestDatabase(opts: { empty?: boolean; options?: string } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  if (testPostgresUrl === undefined) throw new Error('COFFER_TEST_POSTGRES is not set');
  const name = `coffer_test_${randomBytes(6).toString('hex')}`;
  // `options`: CREATE DATABASE options of an empty database (a test's constant, such as a collation to test against).
  const options = opts.empty ? (opts.options ?? '') : `template ${await migratedTemplate()}`;
  await onServer(`create database ${name} ${options}`);
  return { url: databaseUrl(name), drop: () => onServer(`drop database if exists ${name} with (force)`) };
}

function databaseUrl(name: string): string {
  const url = new URL(testPostgresUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Any fixed number: serializes building the template between the test processes that run at once. */
const TEMPLATE_LOCK = 0x436f6674; // "Coft"
let template: Promise<string> | undefined;

/**
 * The migrated template, named after the migrations it holds, so a schema change gets a new one and older ones
 * are dropped. Built under a different name and renamed when done, so a test run killed half-way leaves no
 * half-migrated template behind. Opening a copy still runs what open.ts does after migrating (idempotent).
 */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const name = `coffer_template_${createHash('sha256').update(Object.keys(migrations).join('\n')).digest('hex').slice(0, 12)}`;
    const client = new pg.Client({ connectionString: testPostgresUrl });
    await client.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK]);
      const existing = await client.query<{ datname: string }>("select datname from pg_database where datname like 'coffer\\_template\\_%'");
      if (existing.rows.some((row) => row.datname === name)) return name;
      for (const { datname } of existing.rows) await client.query(`drop database if exists ${datname} with (force)`);
      const building = `${name}_building`;
      await client.query(`create database ${building}`);
      const db = await openPostgresStore({ url: databaseUrl(building) });
      await db.destroy();
      await client.query(`alter database ${building} rename to ${name}`);
      return name;
    } finally {
      await client.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => undefined);
      await client.end();
    }
  })();
  return template;
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
