// The audit_events table of audit.db, the audit log's own SQLite file beside a SQLite store: the same columns as the
// table the store migrations create for PostgreSQL, so one reader (last-use.ts) and the store copy fit both.
export const AUDIT_FILE_SCHEMA = `
  create table if not exists audit_events (
    id integer primary key autoincrement,
    time text not null,
    vault_name text not null,
    operation_name text not null,
    http_status integer not null,
    caller_oid text,
    record text not null
  );
  create index if not exists audit_events_vault_time on audit_events (vault_name, time);
`;
