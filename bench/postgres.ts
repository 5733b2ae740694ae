// The benchmark's PostgreSQL side (--store postgres): fresh databases for the run on the given server (dropped at the
// end, also on Ctrl-C, through cleanup.ts), the backend processes serving a database (their CPU counts as the
// server's), and database size per secret.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { trackDatabase } from './cleanup.js';

/** The server `--store postgres` means. */
export const DEFAULT_POSTGRES_SERVER = 'postgres://postgres@127.0.0.1:5432/test';

/** A URL without its password, for logs and results. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

export interface BenchPostgres {
  /** The server URL given (its database is only where the benchmark connects to create and drop its own). */
  serverUrl: string;
  /** A fresh empty database `coffer_bench_<random><suffix>`, dropped when the benchmark ends. */
  createDatabase(suffix?: string): Promise<{ name: string; url: string }>;
  /** Pids of the backends connected to a database (PostgreSQL on this machine: they are local processes). */
  backendPids(database: string): Promise<number[]>;
  /** Database size and the secret tables' size (with indexes and TOAST), in bytes. */
  sizes(database: string): Promise<{ databaseBytes: number; secretTablesBytes: number }>;
  close(): Promise<void>;
}

export async function connectBenchPostgres(serverUrl: string): Promise<BenchPostgres> {
  const admin = new pg.Client({ connectionString: serverUrl, application_name: 'coffer-bench' });
  await admin.connect();
  const run = `coffer_bench_${randomBytes(5).toString('hex')}`;
  return {
    serverUrl,
    async createDatabase(suffix = '') {
      const name = `${run}${suffix}`;
      if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad database name ${name}`);
      trackDatabase(serverUrl, name); // before creating: a Ctrl-C in between still drops it (if exists)
      await admin.query(`create database ${name}`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return { name, url: url.toString() };
    },
    async backendPids(database) {
      const result = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [database]);
      return result.rows.map((row) => Number(row.pid));
    },
    async sizes(database) {
      const size = await admin.query<{ bytes: string }>('select pg_database_size($1) as bytes', [database]);
      const url = new URL(serverUrl);
      url.pathname = `/${database}`;
      const inDb = new pg.Client({ connectionString: url.toString(), application_name: 'coffer-bench' });
      await inDb.connect();
      try {
        const tables = await inDb.query<{ bytes: string }>(
          "select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes from pg_class c where c.relkind = 'r' and c.relname in ('objects', 'object_versions') and pg_table_is_visible(c.oid)",
        );
        return { databaseBytes: Number(size.rows[0]!.bytes), secretTablesBytes: Number(tables.rows[0]!.bytes) };
      } finally {
        await inDb.end();
      }
    },
    close: () => admin.end(),
  };
}
