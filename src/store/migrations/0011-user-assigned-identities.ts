// User-assigned managed identities as ARM resources (Microsoft.ManagedIdentity/userAssignedIdentities): what ARM
// names beyond the managed identity's principal — subscription, resource group, name, location, tags. One row per
// identity made through the management API; the principal (kind 'managedIdentity'), its IDENTITY_HEADER hash and its
// federated credentials live where every managed identity's do. Portable schema-builder calls only.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_assigned_identities')
    // Deleting the principal deletes the resource with it.
    .addColumn('principal_id', 'text', (col) => col.primaryKey().references('principals.id').onDelete('cascade'))
    // Lower-case GUID.
    .addColumn('subscription_id', 'text', (col) => col.notNull())
    // The group and the name as the caller spelled them; ARM compares both without regard to case (the *_key columns).
    .addColumn('resource_group', 'text', (col) => col.notNull())
    .addColumn('resource_group_key', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('name_key', 'text', (col) => col.notNull())
    // Normalized ARM location ('westeurope').
    .addColumn('location', 'text', (col) => col.notNull())
    // JSON object of strings.
    .addColumn('tags', 'text', (col) => col.notNull())
    // 'None' | 'Regional' (api-version 2024-11-30), or null when never set.
    .addColumn('isolation_scope', 'text')
    // Object ids of the callers, for systemData.
    .addColumn('created_by', 'text')
    .addColumn('updated_by', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute();
  // One identity of a name per resource group; the lists page by group and name.
  await db.schema
    .createIndex('user_assigned_identities_by_name')
    .on('user_assigned_identities')
    .columns(['subscription_id', 'resource_group_key', 'name_key'])
    .unique()
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('0011-user-assigned-identities cannot be undone.');
}
