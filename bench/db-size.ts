// Database size per secret: checkpoints the WAL of a stopped server's coffer.db, then reports file bytes
// and (through SQLite's dbstat table, when compiled in) the bytes of the secret tables and their indexes.
import { statSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export interface DbSize {
  /** 'postgres': fileBytes is pg_database_size (audit records included: they live in the shared store there), the
   *  secret tables' bytes pg_total_relation_size (indexes and TOAST included). Absent: SQLite. */
  kind?: 'sqlite' | 'postgres';
  secrets: number;
  fileBytes: number;
  fileBytesPerSecret: number;
  /** objects + object_versions with their indexes; undefined without dbstat. */
  secretTablesBytes?: number;
  secretTablesBytesPerSecret?: number;
}

const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** Call only while no server has the database open. */
export function measureDbSize(dataDir: string, secrets: number): DbSize {
  const file = path.join(dataDir, 'coffer.db');
  const db = new BetterSqlite3(file);
  let secretTablesBytes: number | undefined;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    try {
      const rows = db
        .prepare("SELECT m.tbl_name AS tbl, SUM(s.pgsize) AS bytes FROM dbstat s JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name")
        .all() as Array<{ tbl: string; bytes: number }>;
      secretTablesBytes = rows.filter((row) => row.tbl === 'objects' || row.tbl === 'object_versions').reduce((sum, row) => sum + row.bytes, 0);
    } catch {
      secretTablesBytes = undefined; // SQLite built without SQLITE_ENABLE_DBSTAT_VTAB
    }
  } finally {
    db.close();
  }
  const fileBytes = size(file) + size(`${file}-wal`);
  return {
    secrets,
    fileBytes,
    fileBytesPerSecret: fileBytes / secrets,
    ...(secretTablesBytes === undefined ? {} : { secretTablesBytes, secretTablesBytesPerSecret: secretTablesBytes / secrets }),
  };
}

/** The same figures for a PostgreSQL database (see DbSize.kind). */
export function pgDbSize(sizes: { databaseBytes: number; secretTablesBytes: number }, secrets: number): DbSize {
  return {
    kind: 'postgres',
    secrets,
    fileBytes: sizes.databaseBytes,
    fileBytesPerSecret: sizes.databaseBytes / secrets,
    secretTablesBytes: sizes.secretTablesBytes,
    secretTablesBytesPerSecret: sizes.secretTablesBytes / secrets,
  };
}
