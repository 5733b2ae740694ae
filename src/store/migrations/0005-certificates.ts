// Certificates beyond their versions (which live in objects/object_versions with their linked key and secret):
// the current issuance policy per certificate name, the one pending create operation per name (with the sealed
// private key an `Unknown` issuer's CSR waits on), and each vault's built-in CA. Portable schema-builder calls only.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('certificate_policies')
    .addColumn('vault_id', 'text', (col) => col.notNull().references('vaults.id').onDelete('cascade'))
    .addColumn('name_key', 'text', (col) => col.notNull())
    .addColumn('policy', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('certificate_policies_pk', ['vault_id', 'name_key'])
    .execute();

  await db.schema
    .createTable('certificate_operations')
    .addColumn('vault_id', 'text', (col) => col.notNull().references('vaults.id').onDelete('cascade'))
    .addColumn('name_key', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('request_id', 'text', (col) => col.notNull())
    // inProgress | completed | failed | cancelled
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('status_details', 'text')
    .addColumn('issuer_name', 'text', (col) => col.notNull())
    .addColumn('csr', 'blob')
    .addColumn('cancellation_requested', 'integer', (col) => col.notNull())
    .addColumn('error', 'text')
    // The version the finished certificate gets (its key and secret share it).
    .addColumn('version', 'text', (col) => col.notNull())
    .addColumn('policy', 'text', (col) => col.notNull())
    // Tags and enabled flag given to CreateCertificate, for the version it makes (JSON).
    .addColumn('version_attributes', 'text', (col) => col.notNull())
    // The new key pair's private material, sealed, until the certificate is issued or merged.
    .addColumn('sealed_key', 'blob')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('certificate_operations_pk', ['vault_id', 'name_key'])
    .execute();
  // Operations left in progress by a stopped server are found and finished.
  await db.schema.createIndex('certificate_operations_status').on('certificate_operations').column('status').execute();

  await db.schema
    .createTable('certificate_authorities')
    .addColumn('vault_id', 'text', (col) => col.primaryKey().references('vaults.id').onDelete('cascade'))
    .addColumn('certificate', 'blob', (col) => col.notNull())
    .addColumn('sealed_key', 'blob', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('certificate_authorities').execute();
  await db.schema.dropTable('certificate_operations').execute();
  await db.schema.dropTable('certificate_policies').execute();
}
