// Writes audit records into the audit_events table, one transaction per batch, so they can be queried.
// It stores only the record the builder made (never values or tokens) and never updates or deletes a row.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { auditEventJson, vaultNameOf, type AuditEvent } from '../audit-event.js';
import type { AuditSink } from '../audit-log.js';
import { precompile } from '../../store/precompiled.js';

// 7 columns × 100 rows stays under SQLite's oldest limit of 999 bound variables per statement.
export function createDatabaseSink(opts: { db: Kysely<Database> }): AuditSink {
  const { db } = opts;
  // One statement, compiled and prepared once, run per event inside one transaction (one commit, one fsync per
  // batch). A multi-row insert would be new SQL — a new compile and prepare — for every batch size.
  const insert = precompile<unknown, [string, string, string, number, string | null, string]>(6, (time, vaultName, operationName, httpStatus, callerOid, record) =>
    db.insertInto('audit_events').values({
      time: time!,
      vault_name: vaultName!,
      operation_name: operationName!,
      http_status: httpStatus as unknown as number,
      caller_oid: callerOid!,
      record: record!,
    }),
  );
  return {
    name: 'database',
    async writeBatch(events) {
      if (events.length === 0) return;
      await db.transaction().execute(async (tx) => {
        for (const event of events) {
          const row = toRow(event);
          await tx.executeQuery(insert(row.time, row.vault_name, row.operation_name, row.http_status, row.caller_oid, row.record));
        }
      });
    },
  };
}

function toRow(event: AuditEvent) {
  return {
    time: event.time,
    vault_name: vaultNameOf(event),
    operation_name: event.operationName,
    http_status: event.properties.httpStatusCode,
    caller_oid: event.identity?.claim['oid'] ?? null,
    record: auditEventJson(event),
  };
}
