// The worker-thread half of the SQLite audit sink: its own connection to the audit database, one transaction (one
// fsync) per batch. Runs off the main thread because better-sqlite3 commits synchronously, and a commit on the
// event loop would stall every request in flight for the length of an fsync.
//
// The audit log has a database file of its own (audit.db beside coffer.db). In the same file, every audit commit
// — one per few requests — would count as a change of the data: it would empty SQLite's page cache of every
// reading connection and the caches keyed to the data's change stamp (store/cached-lookup.ts).
import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { AUDIT_FILE_SCHEMA } from '../audit-file-schema.js';

export interface AuditRow {
  time: string;
  vaultName: string;
  operationName: string;
  httpStatus: number;
  callerOid: string | null;
  record: string;
}

export type WorkerRequest = { id: number; rows: AuditRow[] } | { id: number; close: true };
export type WorkerReply = { id: number; error?: string };

const sqlite = new BetterSqlite3((workerData as { file: string }).file);
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('synchronous = FULL');
sqlite.pragma('busy_timeout = 5000');
sqlite.exec(AUDIT_FILE_SCHEMA);
const insert = sqlite.prepare(
  'insert into audit_events (time, vault_name, operation_name, http_status, caller_oid, record) values (?, ?, ?, ?, ?, ?)',
);
const insertBatch = sqlite.transaction((rows: AuditRow[]) => {
  for (const row of rows) insert.run(row.time, row.vaultName, row.operationName, row.httpStatus, row.callerOid, row.record);
});

parentPort!.on('message', (message: WorkerRequest) => {
  if ('close' in message) {
    sqlite.close();
    parentPort!.postMessage({ id: message.id } satisfies WorkerReply);
    return;
  }
  try {
    insertBatch.immediate(message.rows);
    parentPort!.postMessage({ id: message.id } satisfies WorkerReply);
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: (error as Error).message } satisfies WorkerReply);
  }
});
