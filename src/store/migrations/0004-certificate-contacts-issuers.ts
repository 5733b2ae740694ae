// A vault's certificate contacts and certificate issuers. Portable schema-builder calls only, so the same migration
// runs on SQLite and PostgreSQL; deleting a vault deletes both with it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('certificate_contacts')
    .addColumn('vault_id', 'text', (col) => col.primaryKey().references('vaults.id').onDelete('cascade'))
    .addColumn('contacts', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('certificate_issuers')
    .addColumn('vault_id', 'text', (col) => col.notNull().references('vaults.id').onDelete('cascade'))
    .addColumn('name_key', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('id', 'text', (col) => col.notNull())
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('account_id', 'text')
    // Sealed by the vault envelope, bound to (vault, issuer id): the password never reaches the database in clear.
    .addColumn('sealed_password', 'blob')
    .addColumn('org_details', 'text')
    .addColumn('enabled', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    // GetCertificateIssuers pages by (vault_id, name_key): the primary key is that index.
    .addPrimaryKeyConstraint('certificate_issuers_pk', ['vault_id', 'name_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('certificate_issuers').execute();
  await db.schema.dropTable('certificate_contacts').execute();
}
