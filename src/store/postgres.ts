// PostgreSQL as Coffer's store (DESIGN.md §7): the same Kysely schema and migrations as SQLite, through `pg`.
// What differs from SQLite is kept here: how the pool reads numbers, how two schema words translate, and how
// several nodes starting together run the migrations once.
import {
  Kysely,
  OperationNodeTransformer,
  PostgresDialect,
  sql,
  type ColumnDefinitionNode,
  type DataTypeNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

/** Whether a `--store` value names PostgreSQL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

const INT8_OID = 20;

/**
 * Coffer's bigint columns hold millisecond timestamps and counts, far below 2^53, and the store code expects
 * numbers as SQLite returns them; `pg` returns int8 (and count(*)) as strings unless told otherwise. Set on this
 * pool only, not on `pg`'s global type table.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

/** `Client`: the class the pool makes connections of (the change feed's, which counts writing statements). */
export function createPostgresPool(url: string, Client?: typeof pg.Client): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, types, max: 10, ...(Client ? { Client } : {}) });
  // An idle client losing its connection (PostgreSQL restarted) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return pool;
}

export function createPostgresKysely(pool: pg.Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * The migrations are written once for both dialects with two SQLite words PostgreSQL lacks: `blob` (PostgreSQL:
 * `bytea`) and `autoIncrement()` (which Kysely prints as `auto_increment`; PostgreSQL: `serial`). Applied to
 * migrations only, so shipped migrations stay byte-for-byte what SQLite runs.
 */
class PostgresSchemaWords extends OperationNodeTransformer {
  protected override transformDataType(node: DataTypeNode): DataTypeNode {
    return node.dataType === 'blob' ? { ...node, dataType: 'bytea' } : node;
  }

  protected override transformColumnDefinition(node: ColumnDefinitionNode): ColumnDefinitionNode {
    const transformed = super.transformColumnDefinition(node);
    if (!transformed.autoIncrement) return transformed;
    const dataType: DataTypeNode = { kind: 'DataTypeNode', dataType: 'serial' };
    return { ...transformed, autoIncrement: false, dataType };
  }
}

export const postgresSchemaWords: KyselyPlugin = {
  transformQuery: (args: PluginTransformQueryArgs): RootOperationNode => new PostgresSchemaWords().transformNode(args.node),
  transformResult: async (args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => args.result,
};

/** Fixed numbers, the same on every node, naming the session advisory locks nodes take on the shared database. */
export const ADVISORY_LOCKS = {
  /** Serializes migrations ("Coff"). */
  migrations: 0x436f6666,
  /** Serializes the first-start bootstrap: default vault, administrator, signing key ("Cofb"). */
  bootstrap: 0x436f6662,
  /** Held by the one node that runs the scheduled jobs ("Cofj"; scheduler/leadership.ts). */
  scheduler: 0x436f666a,
} as const;

/**
 * Runs `fn` while holding the session advisory lock `key` on a connection of its own, so when several nodes start
 * at once one runs it and the others wait, then find nothing left to do. (Kysely's own migration lock table is
 * created with `create table if not exists`, which two sessions running at once can still fail on in PostgreSQL.)
 */
export async function withAdvisoryLock<T>(pool: pg.Pool, key: number, fn: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [key]);
    try {
      return await fn();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [key]);
    }
  } finally {
    client.release();
  }
}

/** Closes a connection we are done with, whatever state it is in; its late events and errors no longer matter. */
export async function endQuietly(client: pg.Client | undefined): Promise<void> {
  if (client === undefined) return;
  client.removeAllListeners();
  client.on('error', () => {});
  await client.end().catch(() => undefined);
}

/**
 * Text compares and sorts the same on every store: byte by byte, as SQLite's default BINARY collation and
 * JavaScript's `<` do. A PostgreSQL database takes its default collation from its locale (en_US.UTF-8 in many
 * installations and in the official container image), which sorts 'a-c' between 'ab' and 'ad' and ignores case at
 * first: listings would come in another order than on SQLite, and code that merges listings in JavaScript
 * (certificates with their pending first versions) would misplace rows. So every text column takes the "C"
 * collation. Run after the migrations at every start, under their lock; it changes only columns that lack it, so
 * columns later migrations add are covered without their saying so.
 */
export async function useBinaryTextOrder(db: Kysely<any>): Promise<void> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
     where table_schema = current_schema() and data_type = 'text' and coalesce(collation_name, '') <> 'C'
       and table_name not like 'kysely\\_%'
     order by table_name, ordinal_position`.execute(db);
  for (const { table_name: table, column_name: column } of columns.rows) {
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type text collate "C"`.execute(db);
  }
}
