// Writes audit records into the audit_events table, one transaction per batch, so they can be queried.
// It stores only the record the builder made (never values or tokens) and never updates or deletes a row.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { vaultNameOf, type AuditEvent } from '../audit-event.js';
import type { AuditSink } from '../audit-log.js';

// 7 columns × 100 rows stays under SQLite's oldest limit of 999 bound variables per statement.
const rowsPerInsert = 100;

export function createDatabaseSink(opts: { db: Kysely<Database> }): AuditSink {
  const { db } = opts;
  return {
    name: 'database',
    async writeBatch(events) {
      if (events.length === 0) return;
      const rows = events.map(toRow);
      await db.transaction().execute(async (tx) => {
        for (let start = 0; start < rows.length; start += rowsPerInsert) {
          await tx.insertInto('audit_events').values(rows.slice(start, start + rowsPerInsert)).execute();
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
    record: JSON.stringify(event),
  };
}
