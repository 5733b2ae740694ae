// Opens the database (SQLite in the data directory by default, PostgreSQL when --store names one) and brings its
// schema up to date. SQLite runs in WAL mode with synchronous=FULL: an acknowledged write survives power loss.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type CompiledQuery, type MigrationProvider, type SqliteDatabase } from 'kysely';
import { StartupError } from '../errors.js';
import { migrations } from './migrations/index.js';
import { createChangeFeed, installChangeTriggers, type ChangeFeedOwner } from './change-feed.js';
import { ADVISORY_LOCKS, createPostgresKysely, createPostgresPool, isPostgresUrl, postgresSchemaWords, useBinaryTextOrder, withAdvisoryLock } from './postgres.js';
import type { Pool } from 'pg';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

/** What the SQLite store offers beyond Kysely: a cheap change stamp and synchronous reads (see below). */
interface SqliteAccess {
  sqlite: BetterSqlite3.Database;
  prepare(sql: string): BetterSqlite3.Statement;
  /** Statements that may write, run by this connection: begin, insert, update, delete, commit, rollback… */
  localWrites: number;
}

const sqliteAccess = new WeakMap<Db, SqliteAccess>();
/** Stores on PostgreSQL, and their pool (migrations lock on a connection of their own). */
const postgresPools = new WeakMap<Db, Pool>();
/** Stores on PostgreSQL, and how they hear of other nodes' changes (change-feed.ts). */
const changeFeeds = new WeakMap<Db, ChangeFeedOwner>();

/**
 * Opens the store `url` names (a `postgres://` URL) or, when absent, the SQLite file `file` in the data directory.
 */
export async function openStore(opts: { url: string | undefined; file: string }): Promise<Db> {
  if (opts.url === undefined || opts.url === '') return openSqliteStore({ file: opts.file });
  if (!isPostgresUrl(opts.url)) throw new StartupError(`store: '${redactUrl(opts.url)}' is not a postgres:// URL`);
  return openPostgresStore({ url: opts.url });
}

export async function openPostgresStore(opts: { url: string; onChangeFeedError?: (error: Error) => void }): Promise<Db> {
  const changes = createChangeFeed({ connectionString: opts.url, ...(opts.onChangeFeedError ? { onError: opts.onChangeFeedError } : {}) });
  const pool = createPostgresPool(opts.url, changes.Client);
  // Kysely's destroy() ends the pool; the listening connection is not the pool's, so it goes with it.
  const endPool = pool.end.bind(pool);
  pool.end = (async () => {
    await changes.feed.close();
    await endPool();
  }) as Pool['end'];
  const db = createPostgresKysely(pool);
  postgresPools.set(db, pool);
  changeFeeds.set(db, changes);
  try {
    await migrate(db);
  } catch (error) {
    await db.destroy();
    if (error instanceof StartupError) throw error;
    throw new StartupError(`Cannot open the PostgreSQL store ${redactUrl(opts.url)}: ${(error as Error).message}`);
  }
  return db;
}

export function isPostgresStore(db: Db): boolean {
  return postgresPools.has(db);
}

/** A connection URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

export async function openSqliteStore(opts: { file: string }): Promise<Db> {
  const sqlite = new BetterSqlite3(opts.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // Several processes (server workers, the CLI) may share the file; wait for a lock instead of failing at once.
  sqlite.pragma('busy_timeout = 5000');
  const access: SqliteAccess = { sqlite, prepare: () => undefined as never, localWrites: 0 };
  const database = withStatementCache(sqlite, access);
  access.prepare = (sql) => database.prepare(sql) as BetterSqlite3.Statement;
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  sqliteAccess.set(db, access);
  await migrate(db);
  return db;
}

/**
 * Tells whether stored data may have changed, whoever changed it: this process or another one sharing the database
 * (server workers, the CLI). A cache remembers the stamp it was filled at and is valid while the stamp stays the
 * same (cached-lookup.ts).
 */
export interface ChangeStamp {
  /** Changes whenever any connection wrote. On SQLite: one `PRAGMA data_version` plus this connection's count. */
  current(): number;
  /** Changes whenever this connection wrote; costs nothing. */
  local(): number;
}

/**
 * On SQLite, `PRAGMA data_version` changes when another connection commits, and this connection counts its own
 * writing statements. On PostgreSQL, the change feed counts other nodes' commits as they are notified, and the
 * statements this process sends that may write (change-feed.ts).
 */
export function changeStamp(db: Db): ChangeStamp {
  const changes = changeFeeds.get(db);
  if (changes) {
    changes.start();
    return { current: changes.feed.version, local: changes.feed.localWrites };
  }
  const access = sqliteAccess.get(db);
  if (!access) {
    // A store without a change signal changes its stamp on every call: nothing is cached.
    let calls = 0;
    return { current: () => ++calls, local: () => ++calls };
  }
  const dataVersion = access.sqlite.prepare('pragma data_version').pluck();
  let seenVersion = -1;
  let otherCommits = 0;
  return {
    current() {
      const version = dataVersion.get() as number;
      if (version !== seenVersion) {
        seenVersion = version;
        otherCommits++;
      }
      // Both counters only grow, so their sum changes whenever either does.
      return otherCommits + access.localWrites;
    },
    local: () => access.localWrites,
  };
}

/**
 * Runs the first-start bootstrap (default vault, administrator, signing key) once when several nodes start on one
 * PostgreSQL database together; on SQLite one process initializes before its workers start.
 */
export async function withBootstrapLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const pool = postgresPools.get(db);
  return pool ? withAdvisoryLock(pool, ADVISORY_LOCKS.bootstrap, fn) : fn();
}

/**
 * What a request awaits before it reads through caches, so it sees every change acknowledged before it arrived —
 * made by any node. Undefined when the store needs no wait (SQLite's stamp is read synchronously).
 */
export function changeBarrier(db: Db): (() => Promise<void>) | undefined {
  const changes = changeFeeds.get(db);
  if (!changes) return undefined;
  changes.start();
  return changes.feed.sync;
}

/**
 * Runs a compiled read straight on the SQLite connection, skipping Kysely's connection hand-off (a mutex and a
 * chain of promises that cost more than the point read itself). Only outside a transaction: Kysely's transactions
 * hold the one connection across awaits, and a read slipped into one would see its uncommitted writes — so while
 * one is open, the read queues behind it the usual way. Other stores run every read through Kysely.
 */
export function readRows(db: Db): <T>(query: CompiledQuery<T>) => Promise<T[]> {
  const access = sqliteAccess.get(db);
  const viaKysely = async <T>(query: CompiledQuery<T>) => (await db.executeQuery(query)).rows;
  if (!access) return viaKysely;
  return <T>(query: CompiledQuery<T>) => {
    if (access.sqlite.inTransaction) return viaKysely(query);
    try {
      return Promise.resolve(access.prepare(query.sql).all(query.parameters as unknown[]) as T[]);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every query afresh, and preparing costs more than running a point read. Reusing statements by
 * their SQL text is safe here: Kysely runs one query at a time on this connection, and SQLite re-prepares a
 * statement by itself if the schema changes under it.
 *
 * It also turns Kysely's `begin` into `begin immediate`. Other connections write to this file too (the audit
 * thread, CLI commands, other server workers); a deferred transaction that reads and then writes fails at once
 * with SQLITE_BUSY when another connection committed in between — busy_timeout does not cover that. Taking the
 * write lock at `begin` makes it wait its turn instead.
 */
function withStatementCache(sqlite: BetterSqlite3.Database, access: Pick<SqliteAccess, 'localWrites'>): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      statements.clear();
      sqlite.close();
    },
    prepare(text: string) {
      const sql = text === 'begin' ? 'begin immediate' : text;
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      // Counted when handed out, before it runs: a cache filled after this sees a newer stamp than the data it read.
      if (!statement.reader) access.localWrites++;
      return statement;
    },
  };
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrate(db: Db): Promise<void> {
  const pool = postgresPools.get(db);
  const { error, results } = pool
    ? await withAdvisoryLock(pool, ADVISORY_LOCKS.migrations, async () => {
        const migrated = await new Migrator({ db: db.withPlugin(postgresSchemaWords), provider }).migrateToLatest();
        if (migrated.error === undefined) {
          await useBinaryTextOrder(db);
          await installChangeTriggers(db);
        }
        return migrated;
      })
    : await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new StartupError(`Database migration ${failed} failed: ${(error as Error).message}`);
  }
}
