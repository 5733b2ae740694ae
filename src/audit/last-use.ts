// When each caller last used its access to a vault, read from the audit database: the newest successful request
// (status below 400) per caller object id. Refused attempts are not use. Read-only, so it works beside a running
// server (SQLite WAL readers do not block the writer).
import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';

/** caller object id → ISO time of its newest successful request to the vault. */
export function readLastUse(auditDatabaseFile: string, vaultName: string): Map<string, string> {
  if (!existsSync(auditDatabaseFile)) return new Map();
  const db = new BetterSqlite3(auditDatabaseFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('select caller_oid as oid, max(time) as lastUsed from audit_events where vault_name = ? and http_status < 400 and caller_oid is not null group by caller_oid')
      .all(vaultName.toLowerCase()) as Array<{ oid: string; lastUsed: string }>;
    return new Map(rows.map((row) => [row.oid.toLowerCase(), row.lastUsed]));
  } finally {
    db.close();
  }
}
