// Writes audit records into the audit_events table so they can be queried: the sink of a server on PostgreSQL,
// where every node shares the table. It stores only the record the builder made (never values or tokens) and
// never updates or deletes a row.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { auditEventJson, vaultNameOf, type AuditEvent } from '../audit-event.js';
import type { AuditSink } from '../audit-log.js';

/** 6 columns × 150 rows stays under SQLite's oldest limit of 999 bound variables per statement. */
const ROWS_PER_STATEMENT = 150;

export function createDatabaseSink(opts: { db: Kysely<Database> }): AuditSink {
  const { db } = opts;
  return {
    name: 'database',
    async writeBatch(events) {
      if (events.length === 0) return;
      const rows = events.map(toRow);
      // One statement per batch is one round trip and one commit on PostgreSQL, and a statement is atomic alone;
      // a batch larger than one statement takes a transaction, so it is written whole or not at all.
      if (rows.length <= ROWS_PER_STATEMENT) {
        await db.insertInto('audit_events').values(rows).execute();
        return;
      }
      await db.transaction().execute(async (tx) => {
        for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
          await tx.insertInto('audit_events').values(rows.slice(start, start + ROWS_PER_STATEMENT)).execute();
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
