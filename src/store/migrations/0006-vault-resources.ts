// Vaults as Azure resources (the management API): the subscription and resource group that name them, their
// location, their ARM properties (settings, JSON) and soft deletion. Existing vaults join the server's own
// subscription and the 'coffer' resource group. Portable schema-builder calls only (SQLite and PostgreSQL).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('vaults').addColumn('subscription_id', 'text', (col) => col.notNull().defaultTo('')).execute();
  await db.schema.alterTable('vaults').addColumn('resource_group', 'text', (col) => col.notNull().defaultTo('coffer')).execute();
  await db.schema.alterTable('vaults').addColumn('location', 'text', (col) => col.notNull().defaultTo('local')).execute();
  // VaultSettings as JSON: tenant, sku, access policies, network rules, the enabledFor* flags, tags.
  await db.schema.alterTable('vaults').addColumn('settings', 'text', (col) => col.notNull().defaultTo('{}')).execute();
  await db.schema.alterTable('vaults').addColumn('updated_at', 'bigint', (col) => col.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('vaults').addColumn('deleted_at', 'bigint').execute();
  await db.schema.alterTable('vaults').addColumn('scheduled_purge_at', 'bigint').execute();
  await sql`update vaults set subscription_id = coalesce((select value from server_meta where key = 'subscription_id'), ''), updated_at = created_at`.execute(db);
  // The management lists: by subscription (and group), deleted vaults, and the purge scheduler's scan.
  await db.schema.createIndex('vaults_by_group').on('vaults').columns(['subscription_id', 'resource_group', 'name']).execute();
  await db.schema.createIndex('vaults_purge_due').on('vaults').column('scheduled_purge_at').execute();
}

export async function down(): Promise<void> {
  throw new Error('0006-vault-resources cannot be undone.');
}
