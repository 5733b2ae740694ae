// Per-version properties of a kind's own (for keys: kty, key_ops, the public JWK members, exportability) as a
// JSON text column, so secrets, keys and certificates keep sharing one versions table.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('object_versions').addColumn('properties', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('object_versions').dropColumn('properties').execute();
}
