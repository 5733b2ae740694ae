// Opens the database (SQLite in the data directory by default) and brings its schema up to date.
// SQLite runs in WAL mode with synchronous=FULL: an acknowledged write survives power loss.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider, type SqliteDatabase } from 'kysely';
import { StartupError } from '../errors.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export async function openSqliteStore(opts: { file: string }): Promise<Db> {
  const sqlite = new BetterSqlite3(opts.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // Several processes (server workers, the CLI) may share the file; wait for a lock instead of failing at once.
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  await migrate(db);
  return db;
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
function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
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
      return statement;
    },
  };
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrate(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new StartupError(`Database migration ${failed} failed: ${(error as Error).message}`);
  }
}
