// Client assertions already exchanged for a token, until they expire, so a captured one cannot be replayed against
// any node or worker (auth/tokens/assertion-replay.ts). Portable schema-builder calls only.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('used_assertions')
    // SHA-256 (hex) of client id, jti and resource: the assertion itself is never stored.
    .addColumn('key', 'text', (col) => col.primaryKey())
    // Unix seconds after which the assertion is refused anyway, so the row may go.
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('used_assertions_expires_at').on('used_assertions').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('used_assertions').execute();
}
