// Principals marked as trusted services, which a vault firewall with `bypass: AzureServices` lets through.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('principals').addColumn('trusted_service', 'integer', (col) => col.notNull().defaultTo(0)).execute();
}

export async function down(): Promise<void> {
  throw new Error('0007-trusted-services cannot be undone.');
}
