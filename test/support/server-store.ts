// For conformance tests that look into a server's store, alike on SQLite and PostgreSQL: where the server keeps its
// data (the data directory's coffer.db, or a PostgreSQL database of the test's own when COFFER_TEST_POSTGRES is set),
// and Kysely handles to read it. Make one before starting the server and pass `startOptions` to startServer (and to
// every server started on the same data directory).
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { createPostgresKysely, createPostgresPool } from '../../src/store/postgres.js';
import type { Database } from '../../src/store/schema.js';
import { createTestDatabase, testPostgresUrl } from '../../src/store/test-store.js';

export interface ServerStore {
  /** PostgreSQL (COFFER_TEST_POSTGRES) or SQLite. */
  readonly postgres: boolean;
  /** startServer's options that put the server's store here. */
  readonly startOptions: { store?: string };
  /** Environment for `coffer` commands run on the data directory: they find the store as the server does. */
  readonly env: Record<string, string>;
  /**
   * The server's store, read-only on SQLite unless `writable`. Open it once the server has started (it makes the
   * SQLite file).
   */
  open(dataDir: string, opts?: { writable?: boolean }): Kysely<Database>;
  /** Where the server keeps its queryable audit records: audit.db beside a SQLite store, else the store itself. */
  openAudit(dataDir: string): Kysely<Database>;
  /**
   * What a scan of the data directory's files does not read on PostgreSQL: every row of every table as text (bytea
   * as hex), like a plain dump. Nothing on SQLite, whose store is a file of the data directory.
   */
  dump(): Promise<Array<{ file: string; bytes: Buffer }>>;
  /** Closes every handle opened and drops the PostgreSQL database. After the server stopped. */
  dispose(): Promise<void>;
}

export async function serverStore(): Promise<ServerStore> {
  const handles: Array<Kysely<Database>> = [];
  const keep = (db: Kysely<Database>) => (handles.push(db), db);
  const sqliteFile = (file: string, writable = false) => {
    const database = new BetterSqlite3(file, { readonly: !writable, fileMustExist: true });
    // As every connection of the server waits for a lock instead of failing at once.
    database.pragma('busy_timeout = 5000');
    return keep(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }));
  };
  const closeAll = async () => {
    await Promise.all(handles.splice(0).map((db) => db.destroy()));
  };
  if (testPostgresUrl === undefined) {
    return {
      postgres: false,
      startOptions: {},
      env: {},
      open: (dataDir, opts) => sqliteFile(path.join(dataDir, 'coffer.db'), opts?.writable),
      openAudit: (dataDir) => sqliteFile(path.join(dataDir, 'audit.db')),
      dump: async () => [],
      dispose: closeAll,
    };
  }
  const database = await createTestDatabase();
  let shared: Kysely<Database> | undefined;
  const postgres = () => (shared ??= keep(createPostgresKysely(createPostgresPool(database.url))));
  return {
    postgres: true,
    startOptions: { store: database.url },
    env: { COFFER_STORE_URL: database.url },
    open: postgres,
    openAudit: postgres,
    async dump() {
      const db = postgres();
      const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`.execute(db);
      const dumped = [];
      for (const { name } of tables.rows) {
        const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(name)} as t`.execute(db);
        dumped.push({ file: `postgres table ${name}`, bytes: Buffer.from(rows.rows.map((row) => row.row).join('\n'), 'utf8') });
      }
      return dumped;
    },
    async dispose() {
      await closeAll();
      shared = undefined;
      await database.drop();
    },
  };
}
