// When each caller last used its access to a vault, read from the audit records: the newest successful request
// (status below 400) per caller object id. Refused attempts are not use. On SQLite the records are in their own
// file (audit.db), read read-only beside a running server (WAL readers do not block the writer); on PostgreSQL
// they are the store's audit_events table, shared by every node.
import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import type { Db } from '../store/open.js';

/** Where the audit records are: the audit.db file of a SQLite data directory, or the shared store. */
export type AuditRecords = { file: string } | { db: Db };

/** caller object id → ISO time of its newest successful request to the vault. */
export async function readLastUse(records: AuditRecords, vaultName: string): Promise<Map<string, string>> {
  const rows = 'db' in records ? await fromStore(records.db, vaultName.toLowerCase()) : fromFile(records.file, vaultName.toLowerCase());
  return new Map(rows.map((row) => [row.oid.toLowerCase(), row.lastUsed]));
}

type LastUseRow = { oid: string; lastUsed: string };

function fromFile(file: string, vaultName: string): LastUseRow[] {
  if (!existsSync(file)) return [];
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('select caller_oid as oid, max(time) as lastUsed from audit_events where vault_name = ? and http_status < 400 and caller_oid is not null group by caller_oid')
      .all(vaultName) as LastUseRow[];
  } finally {
    db.close();
  }
}

async function fromStore(db: Db, vaultName: string): Promise<LastUseRow[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(({ fn }) => ['caller_oid as oid', fn.max('time').as('lastUsed')])
    .where('vault_name', '=', vaultName)
    .where('http_status', '<', 400)
    .where('caller_oid', 'is not', null)
    .groupBy('caller_oid')
    .execute();
  return rows as LastUseRow[];
}
