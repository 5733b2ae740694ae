// Key rotation policies with the scheduler's "next due" times, and the event outbox (Event Grid-shaped events
// waiting for delivery). Portable schema-builder calls only, so the same migration runs on SQLite and PostgreSQL.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rotation_policies')
    .addColumn('vault_id', 'text', (col) => col.notNull().references('vaults.id').onDelete('cascade'))
    .addColumn('name_key', 'text', (col) => col.notNull())
    // Purging the key erases its policy with it, so a new key of the same name never inherits an old policy.
    .addColumn('object_id', 'text', (col) => col.notNull().references('objects.id').onDelete('cascade'))
    .addColumn('policy', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('next_rotate_at', 'bigint')
    .addColumn('next_notify_at', 'bigint')
    .addColumn('notified_version', 'text')
    // The current version (and its expiry and enabled flag) the next-due times were computed from.
    .addColumn('basis_version', 'text')
    .addColumn('basis_expires', 'bigint')
    .addColumn('basis_enabled', 'integer')
    .addPrimaryKeyConstraint('rotation_policies_pk', ['vault_id', 'name_key'])
    .execute();
  // The rotation scheduler's two scans: keys due to rotate, keys due a near-expiry notification.
  await db.schema.createIndex('rotation_policies_rotate_due').on('rotation_policies').column('next_rotate_at').execute();
  await db.schema.createIndex('rotation_policies_notify_due').on('rotation_policies').column('next_notify_at').execute();
  await db.schema.createIndex('rotation_policies_object').on('rotation_policies').column('object_id').execute();

  await db.schema
    .createTable('event_outbox')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('vault_id', 'text', (col) => col.notNull().references('vaults.id').onDelete('cascade'))
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('data', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  // Delivery reads undelivered events oldest first.
  await db.schema.createIndex('event_outbox_pending').on('event_outbox').columns(['delivered_at', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('event_outbox').execute();
  await db.schema.dropTable('rotation_policies').execute();
}
