// Credentials beyond client secrets (issue 7): certificate credentials (public certificates whose keys sign client
// assertions), federated credentials (which external tokens a principal accepts as client assertions), and managed
// identities (the hashed IDENTITY_HEADER a workload presents, found by its public lookup id). Client secrets gain a
// display name. Only public certificates and salted hashes are stored: nothing here is a secret.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('credentials').addColumn('display_name', 'text').execute();

  await db.schema
    .createTable('certificate_credentials')
    // The keyId shown to administrators.
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('principal_id', 'text', (col) => col.notNull().references('principals.id').onDelete('cascade'))
    .addColumn('display_name', 'text')
    // DER of the public certificate.
    .addColumn('certificate', 'blob', (col) => col.notNull())
    // Upper-case hex, as Entra shows thumbprints; assertions name the certificate by one of them (x5t, x5t#S256).
    .addColumn('thumbprint_sha1', 'text', (col) => col.notNull())
    .addColumn('thumbprint_sha256', 'text', (col) => col.notNull())
    .addColumn('not_before', 'bigint', (col) => col.notNull())
    .addColumn('not_after', 'bigint', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('certificate_credentials_by_thumbprint')
    .on('certificate_credentials')
    .columns(['principal_id', 'thumbprint_sha256'])
    .unique()
    .execute();

  await db.schema
    .createTable('federated_credentials')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('principal_id', 'text', (col) => col.notNull().references('principals.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('issuer', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    // JSON array of the audiences an external token must name one of.
    .addColumn('audiences', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
  // Entra keeps names, and issuer + subject pairs, unique per application.
  await db.schema.createIndex('federated_credentials_by_name').on('federated_credentials').columns(['principal_id', 'name']).unique().execute();
  await db.schema
    .createIndex('federated_credentials_by_subject')
    .on('federated_credentials')
    .columns(['principal_id', 'issuer', 'subject'])
    .unique()
    .execute();

  await db.schema
    .createTable('managed_identities')
    .addColumn('principal_id', 'text', (col) => col.primaryKey().references('principals.id').onDelete('cascade'))
    // The public first part of IDENTITY_HEADER, which finds the row; the rest of the header is checked against the hash.
    .addColumn('header_lookup_id', 'text', (col) => col.notNull().unique())
    .addColumn('header_hash', 'text', (col) => col.notNull())
    // JSON array of addresses or CIDRs whose IMDS-style requests (no header) get this identity; '[]' for none.
    .addColumn('imds_addresses', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('0009-credentials cannot be undone.');
}
