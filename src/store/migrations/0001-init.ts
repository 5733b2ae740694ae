// The first schema: vaults, objects and their versions, identities, token-signing keys and the audit table.
// Portable schema-builder calls only, so the same migration runs on SQLite and PostgreSQL.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('server_meta')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('value', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('vaults')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('retention_days', 'integer', (col) => col.notNull())
    .addColumn('purge_protection', 'integer', (col) => col.notNull())
    .addColumn('wrapped_key', 'blob', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('objects')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('vault_id', 'text', (col) => col.notNull().references('vaults.id').onDelete('cascade'))
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('name_key', 'text', (col) => col.notNull())
    .addColumn('current_version', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('deleted_at', 'bigint')
    .addColumn('scheduled_purge_at', 'bigint')
    .addUniqueConstraint('objects_vault_kind_name', ['vault_id', 'kind', 'name_key'])
    .execute();
  // Keyset paging over active and deleted objects, and the purge scheduler's scan.
  await db.schema.createIndex('objects_listing').on('objects').columns(['vault_id', 'kind', 'deleted_at', 'name_key']).execute();
  await db.schema.createIndex('objects_purge_due').on('objects').columns(['scheduled_purge_at']).execute();

  await db.schema
    .createTable('object_versions')
    .addColumn('object_id', 'text', (col) => col.notNull().references('objects.id').onDelete('cascade'))
    .addColumn('version', 'text', (col) => col.notNull())
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('enabled', 'integer', (col) => col.notNull())
    .addColumn('not_before', 'bigint')
    .addColumn('expires', 'bigint')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('content_type', 'text')
    .addColumn('tags', 'text')
    .addColumn('sealed_value', 'blob', (col) => col.notNull())
    .addPrimaryKeyConstraint('object_versions_pk', ['object_id', 'version'])
    .execute();

  await db.schema
    .createTable('principals')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('app_id', 'text', (col) => col.notNull().unique())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('is_admin', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('credentials')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('principal_id', 'text', (col) => col.notNull().references('principals.id').onDelete('cascade'))
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('secret_hash', 'text', (col) => col.notNull())
    .addColumn('hint', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'bigint')
    .execute();
  await db.schema.createIndex('credentials_principal').on('credentials').column('principal_id').execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (col) => col.primaryKey())
    .addColumn('sealed_private_key', 'blob', (col) => col.notNull())
    .addColumn('public_jwk', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('retired_at', 'bigint')
    .execute();

  await db.schema
    .createTable('audit_events')
    // serial on PostgreSQL; an INTEGER PRIMARY KEY is the rowid on SQLite.
    .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
    .addColumn('time', 'text', (col) => col.notNull())
    .addColumn('vault_name', 'text', (col) => col.notNull())
    .addColumn('operation_name', 'text', (col) => col.notNull())
    .addColumn('http_status', 'integer', (col) => col.notNull())
    .addColumn('caller_oid', 'text')
    .addColumn('record', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('audit_events_vault_time').on('audit_events').columns(['vault_name', 'time']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['audit_events', 'signing_keys', 'credentials', 'principals', 'object_versions', 'objects', 'vaults', 'server_meta']) {
    await db.schema.dropTable(table).execute();
  }
}
