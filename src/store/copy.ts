// `coffer store copy`: a whole server's data from one store into another, empty one (SQLite ↔ PostgreSQL), row for
// row. Nothing is decrypted: sealed values, wrapped vault keys and the master-key check travel as the bytes they are,
// so no master key is needed here, and the copy opens only with the key that sealed the source.
//
// Every table the migrations create is either copied (COPIED_TABLES, in an order that satisfies the foreign keys) or
// excluded on purpose (EXCLUDED_TABLES); a table that is neither makes the copy refuse, and store/copy.test.ts fails,
// so a table added later cannot be skipped silently. The audit records are copied too, from where each kind of store
// keeps them: on PostgreSQL its own audit_events table; beside a SQLite store, the audit.db file (AuditFile).
import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresAdapter, SqliteDialect, sql, type ControlledTransaction } from 'kysely';
import { StartupError } from '../errors.js';
import type { Db } from './open.js';
import type { AuditEventsTable, Database } from './schema.js';
import { AUDIT_FILE_SCHEMA } from '../audit/audit-file-schema.js';

/** A table copied as it is, and the primary key it is read in order of (keyset paging). */
export interface CopiedTable {
  name: Exclude<keyof Database, 'audit_events'>;
  key: readonly string[];
}

/** Parents before children: every table a foreign key points at comes before the table that points. */
export const COPIED_TABLES: readonly CopiedTable[] = [
  { name: 'server_meta', key: ['key'] },
  { name: 'signing_keys', key: ['kid'] },
  // Client assertions already exchanged: copied so that none can be replayed against the new store before it expires.
  { name: 'used_assertions', key: ['key'] },
  { name: 'vaults', key: ['id'] },
  { name: 'objects', key: ['id'] },
  { name: 'object_versions', key: ['object_id', 'version'] },
  { name: 'rotation_policies', key: ['vault_id', 'name_key'] },
  { name: 'event_outbox', key: ['id'] },
  { name: 'certificate_contacts', key: ['vault_id'] },
  { name: 'certificate_issuers', key: ['vault_id', 'name_key'] },
  { name: 'certificate_policies', key: ['vault_id', 'name_key'] },
  { name: 'certificate_operations', key: ['vault_id', 'name_key'] },
  { name: 'certificate_authorities', key: ['vault_id'] },
  { name: 'principals', key: ['id'] },
  { name: 'applications', key: ['id'] },
  { name: 'credentials', key: ['id'] },
  { name: 'certificate_credentials', key: ['id'] },
  { name: 'federated_credentials', key: ['id'] },
  { name: 'managed_identities', key: ['principal_id'] },
  { name: 'user_assigned_identities', key: ['principal_id'] },
  { name: 'groups', key: ['id'] },
  { name: 'group_members', key: ['group_id', 'member_id'] },
  { name: 'role_definitions', key: ['id'] },
  { name: 'role_assignments', key: ['id'] },
  { name: 'role_eligibilities', key: ['id'] },
];

/** Tables in a store that are not copied row for row, and why. */
export const EXCLUDED_TABLES: Readonly<Record<string, string>> = {
  audit_events: 'copied as audit records: from and to wherever each kind of store keeps them (see copyStore)',
  kysely_migration: 'the target has its own: opening it ran the same migrations',
  kysely_migration_lock: 'the target has its own: opening it ran the same migrations',
};

/** The audit table, in a store or in an audit.db file beside a SQLite store (audit/sinks/sqlite-worker-thread.ts). */
export interface AuditDatabase {
  audit_events: AuditEventsTable;
}

export type AuditFile = Kysely<AuditDatabase>;

export interface CopySource {
  db: Db;
  /** audit.db beside a SQLite store, when there is one. Records in the store's own audit_events table are copied too. */
  auditFile?: AuditFile | undefined;
}

export interface CopyTarget {
  db: Db;
  /** audit.db beside a SQLite store: the audit records go there. Absent: into the store's own audit_events table. */
  auditFile?: AuditFile | undefined;
}

export interface CopyResult {
  /** Rows copied per table; audit_events counts the audit records. */
  tables: Record<string, number>;
}

type LooseDb = Kysely<Record<string, Record<string, unknown>>>;
type Row = Record<string, unknown>;

const loose = (db: Kysely<any>): LooseDb => db as LooseDb;

/** The highest number of bound values in one insert: under PostgreSQL's 65535 and SQLite's 32766. */
const MAX_PARAMETERS = 30_000;

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** The tables of a store (SQLite: the file; PostgreSQL: the current schema). */
export async function listTables(db: Kysely<any>): Promise<string[]> {
  const rows = isPostgres(db)
    ? await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
    : await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite\_%' escape '\\'`.execute(db);
  return rows.rows.map((row) => row.name).sort();
}

/** Tables of a store that this version of Coffer would neither copy nor knowingly leave out. */
export function unknownTables(tables: readonly string[]): string[] {
  const known = new Set<string>([...COPIED_TABLES.map((table) => table.name), ...Object.keys(EXCLUDED_TABLES)]);
  return tables.filter((table) => !known.has(table));
}

/**
 * Opens (creating it when `create`) the audit database file beside a SQLite store, with the table the audit worker
 * creates (same columns, same index). Without `create`, a missing file is undefined: there is nothing to copy.
 */
export function openAuditFile(file: string, opts: { create: boolean }): AuditFile | undefined {
  if (!opts.create && !existsSync(file)) return undefined;
  const sqlite = new BetterSqlite3(file, { fileMustExist: !opts.create });
  sqlite.pragma('busy_timeout = 5000');
  if (opts.create) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.exec(AUDIT_FILE_SCHEMA);
  }
  return new Kysely<AuditDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
}

/**
 * Copies everything `from` holds into `to`, which must hold nothing. The source is read in one snapshot (a read
 * transaction); the target is written in one transaction, committed only when every table's count matches, so a
 * failure leaves it as empty as it was. Refused (StartupError, nothing written) when the target holds data, when the
 * source holds none, or when either has a table this version does not know.
 */
export async function copyStore(opts: { from: CopySource; to: CopyTarget; batchSize?: number }): Promise<CopyResult> {
  const { from, to } = opts;
  const batchSize = opts.batchSize ?? 500;

  for (const [side, db] of [['source', from.db], ['target', to.db]] as const) {
    const unknown = unknownTables(await listTables(db));
    if (unknown.length > 0) {
      throw new StartupError(`The ${side} store has tables this version of Coffer does not know how to copy (${unknown.join(', ')}); use the Coffer version that created them.`);
    }
  }
  const occupied = await firstOccupied(to);
  if (occupied !== undefined) {
    throw new StartupError(`The target store already holds data (${occupied}); store copy writes only into an empty store.`);
  }
  const check = await from.db.selectFrom('server_meta').select('key').where('key', '=', 'master_key_check').executeTakeFirst();
  if (check === undefined) throw new StartupError('The source store holds no Coffer data (no master key check): nothing to copy.');

  // One snapshot of the source: PostgreSQL's repeatable read; on SQLite the store's transaction (begin immediate,
  // store/open.ts) keeps writers waiting until the copy ends, and audit.db's is a read transaction.
  let source: ControlledTransaction<Database> | undefined;
  let sourceAudit: ControlledTransaction<AuditDatabase> | undefined;
  let target: ControlledTransaction<Database> | undefined;
  let targetAudit: ControlledTransaction<AuditDatabase> | undefined;
  const tables: Record<string, number> = {};
  try {
    source = await begin(from.db, { readOnly: true });
    sourceAudit = from.auditFile ? await begin(from.auditFile, { readOnly: true }) : undefined;
    target = await begin(to.db, { readOnly: false });
    targetAudit = to.auditFile ? await begin(to.auditFile, { readOnly: false }) : undefined;
    for (const table of COPIED_TABLES) {
      tables[table.name] = await copyTable(source, target, table.name, table.key, batchSize);
      await expectCount(source, target, table.name);
    }
    tables.audit_events = await copyAudit([source, ...(sourceAudit ? [sourceAudit] : [])], targetAudit ?? target, batchSize);
    if (isPostgres(to.db)) await resetSequences(target);
  } catch (error) {
    await Promise.allSettled([target?.rollback().execute(), targetAudit?.rollback().execute()]);
    throw error;
  } finally {
    // Read-only: committing or rolling back is the same; the snapshot ends.
    await Promise.allSettled([source?.rollback().execute(), sourceAudit?.rollback().execute()]);
  }
  try {
    await target.commit().execute();
  } catch (error) {
    await targetAudit?.rollback().execute().catch(() => undefined);
    throw error;
  }
  if (targetAudit) {
    try {
      await targetAudit.commit().execute();
    } catch (error) {
      // The store was committed, the audit file not: empty the store again so the copy can simply be run again.
      await emptyTables(to.db).catch(() => undefined);
      throw error;
    }
  }
  return { tables };
}

async function begin<DB>(db: Kysely<DB>, opts: { readOnly: boolean }): Promise<ControlledTransaction<DB>> {
  if (!isPostgres(db)) return db.startTransaction().execute();
  return opts.readOnly
    ? db.startTransaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute()
    : db.startTransaction().execute();
}

/** The first table of the target that holds a row, or undefined when it holds none (audit records included). */
async function firstOccupied(to: CopyTarget): Promise<string | undefined> {
  for (const name of [...COPIED_TABLES.map((table) => table.name), 'audit_events']) {
    if (await hasRows(to.db, name)) return `table ${name}`;
  }
  if (to.auditFile && (await hasRows(to.auditFile, 'audit_events'))) return 'audit records in audit.db';
  return undefined;
}

async function hasRows(db: Kysely<any>, table: string): Promise<boolean> {
  return (await loose(db).selectFrom(table).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst()) !== undefined;
}

/** Reads `table` in primary-key order, a batch at a time (keyset paging: each batch starts after the last key). */
async function* batches(db: Kysely<any>, table: string, key: readonly string[], size: number): AsyncGenerator<Row[]> {
  let last: Row | undefined;
  for (;;) {
    let query = loose(db).selectFrom(table).selectAll();
    if (last !== undefined) {
      const after = last;
      query = query.where(sql<boolean>`(${sql.join(key.map((column) => sql.ref(column)))}) > (${sql.join(key.map((column) => after[column]))})`);
    }
    for (const column of key) query = query.orderBy(sql.ref(column));
    const rows = (await query.limit(size).execute()) as Row[];
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < size) return;
    last = rows[rows.length - 1];
  }
}

async function insertRows(db: Kysely<any>, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const perInsert = Math.max(1, Math.floor(MAX_PARAMETERS / Object.keys(rows[0]!).length));
  for (let start = 0; start < rows.length; start += perInsert) {
    await loose(db).insertInto(table).values(rows.slice(start, start + perInsert)).execute();
  }
}

async function copyTable(source: Kysely<any>, target: Kysely<any>, table: string, key: readonly string[], batchSize: number): Promise<number> {
  let copied = 0;
  for await (const rows of batches(source, table, key, batchSize)) {
    await insertRows(target, table, rows);
    copied += rows.length;
  }
  return copied;
}

async function countRows(db: Kysely<any>, table: string): Promise<number> {
  const row = await loose(db).selectFrom(table).select(sql<number | string>`count(*)`.as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

async function expectCount(source: Kysely<any>, target: Kysely<any>, table: string): Promise<void> {
  const [expected, actual] = await Promise.all([countRows(source, table), countRows(target, table)]);
  if (expected !== actual) throw new Error(`store copy: ${table} has ${expected} rows in the source but ${actual} in the target; nothing was written.`);
}

/**
 * Audit records from each source in turn (a SQLite store's own audit_events table, which held them before audit.db
 * did, then audit.db), ids kept. Should a later source's ids overlap an earlier one's, they move up past them, so
 * the records stay in order.
 */
async function copyAudit(sources: Kysely<any>[], target: Kysely<any>, batchSize: number): Promise<number> {
  let copied = 0;
  let highest = 0;
  for (const source of sources) {
    const { low, high } = (await loose(source)
      .selectFrom('audit_events')
      .select([sql<number | null>`min(id)`.as('low'), sql<number | null>`max(id)`.as('high')])
      .executeTakeFirstOrThrow()) as { low: number | string | null; high: number | string | null };
    if (low === null || high === null) continue;
    const shift = Number(low) <= highest ? highest : 0;
    for await (const rows of batches(source, 'audit_events', ['id'], batchSize)) {
      await insertRows(target, 'audit_events', shift === 0 ? rows : rows.map((row) => ({ ...row, id: Number(row.id) + shift })));
      copied += rows.length;
    }
    highest = Number(high) + shift;
  }
  const written = await countRows(target, 'audit_events');
  if (written !== copied) throw new Error(`store copy: ${copied} audit records read but ${written} in the target; nothing was written.`);
  return copied;
}

/** PostgreSQL: every serial column's sequence continues after the copied ids, so new rows do not collide. */
async function resetSequences(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ table: string; column: string }>`
    select table_name as "table", column_name as "column" from information_schema.columns
    where table_schema = current_schema() and column_default like 'nextval(%'`.execute(db);
  for (const { table, column } of rows) {
    await sql`select setval(pg_get_serial_sequence(${table}, ${column}), coalesce(max(${sql.ref(column)}), 0) + 1, false) from ${sql.table(table)}`.execute(db);
  }
}

/** Deletes every copied row again, children first. */
async function emptyTables(db: Db): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const table of [...COPIED_TABLES].reverse()) await loose(tx).deleteFrom(table.name).execute();
    await tx.deleteFrom('audit_events').execute();
  });
}
