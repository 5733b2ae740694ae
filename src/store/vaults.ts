// Vault rows ↔ Vault objects. Unique-name violations become a Conflict; nothing else of SQL leaks out.
// A soft-deleted vault keeps its row (and so its name) until purged; `getVaultByName` returns it, the lists of
// active vaults do not.
import { sql, type Selectable } from 'kysely';
import { defaultVaultSettings, type Vault, type VaultSettings } from '../domain/vaults/vault.js';
import { errors } from '../errors.js';
import { cachedLookup } from './cached-lookup.js';
import { changeStamp, readRows, type Db } from './open.js';
import { precompile } from './precompiled.js';
import type { VaultsTable } from './schema.js';
import { isUniqueViolation } from './sql-errors.js';

export interface VaultStore {
  /** The vault of that name, deleted or not. */
  getVaultByName(name: string): Promise<Vault | undefined>;
  /** Active vaults, by name. */
  listVaults(): Promise<Vault[]>;
  /** Active vaults of a subscription (and resource group, compared case-insensitively), by name, after `after`. */
  listVaultsIn(scope: { subscriptionId: string; resourceGroup?: string }, page: { after: string | undefined; limit: number }): Promise<Vault[]>;
  /** Soft-deleted vaults of a subscription, by name, after `after`. */
  listDeletedVaults(subscriptionId: string, page: { after: string | undefined; limit: number }): Promise<Vault[]>;
  /** Whether any vault, deleted or not, lives in that resource group (groups exist through their vaults). */
  hasResourceGroup(subscriptionId: string, resourceGroup: string): Promise<boolean>;
  insertVault(vault: Vault): Promise<void>;
  /** Writes what the management API may change: settings, purge protection, the update time. */
  updateVault(vault: Pick<Vault, 'id' | 'settings' | 'purgeProtection' | 'updatedAt'>): Promise<void>;
  markDeleted(id: string, deletedAt: number, scheduledPurgeAt: number): Promise<void>;
  markRecovered(id: string, at: number): Promise<void>;
  /** Erases the vault and, by cascade, everything in it. */
  purgeVault(id: string): Promise<void>;
  /** Deleted vaults whose retention ended at or before `now` (for the purge scheduler). */
  findPurgeDueVaults(now: number, limit: number): Promise<Vault[]>;
}

export function createVaultStore(db: Db): VaultStore {
  // Read on every data-plane request: compiled once (see precompiled.ts) and cached while nothing changes.
  const byName = precompile<Selectable<VaultsTable>, [string]>(1, (name) => db.selectFrom('vaults').selectAll().where('name', '=', name!));
  const read = readRows(db);
  const vaultByName = cachedLookup<Vault>({
    stamp: changeStamp(db),
    load: async (name) => {
      const row = (await read(byName(name)))[0];
      return row && toVault(row);
    },
  });
  return {
    getVaultByName: (name) => vaultByName(name.toLowerCase()),
    async listVaults() {
      const rows = await db.selectFrom('vaults').selectAll().where('deleted_at', 'is', null).orderBy('name').execute();
      return rows.map(toVault);
    },
    async listVaultsIn(scope, page) {
      let query = db.selectFrom('vaults').selectAll().where('deleted_at', 'is', null).where('subscription_id', '=', scope.subscriptionId.toLowerCase());
      if (scope.resourceGroup !== undefined) query = query.where(sql<string>`lower(resource_group)`, '=', scope.resourceGroup.toLowerCase());
      if (page.after !== undefined) query = query.where('name', '>', page.after);
      return (await query.orderBy('name').limit(page.limit).execute()).map(toVault);
    },
    async listDeletedVaults(subscriptionId, page) {
      let query = db.selectFrom('vaults').selectAll().where('deleted_at', 'is not', null).where('subscription_id', '=', subscriptionId.toLowerCase());
      if (page.after !== undefined) query = query.where('name', '>', page.after);
      return (await query.orderBy('name').limit(page.limit).execute()).map(toVault);
    },
    async hasResourceGroup(subscriptionId, resourceGroup) {
      const row = await db
        .selectFrom('vaults')
        .select('id')
        .where('subscription_id', '=', subscriptionId.toLowerCase())
        .where(sql<string>`lower(resource_group)`, '=', resourceGroup.toLowerCase())
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
    async insertVault(vault) {
      try {
        await db
          .insertInto('vaults')
          .values({
            id: vault.id,
            name: vault.name,
            created_at: vault.createdAt,
            updated_at: vault.updatedAt,
            retention_days: vault.retentionDays,
            purge_protection: vault.purgeProtection ? 1 : 0,
            wrapped_key: vault.wrappedKey,
            subscription_id: vault.subscriptionId.toLowerCase(),
            resource_group: vault.resourceGroup,
            location: vault.location,
            settings: JSON.stringify(vault.settings),
            deleted_at: null,
            scheduled_purge_at: null,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw errors.conflict(`A vault named '${vault.name}' already exists.`);
        throw error;
      }
    },
    async updateVault(vault) {
      await db
        .updateTable('vaults')
        .set({ settings: JSON.stringify(vault.settings), purge_protection: vault.purgeProtection ? 1 : 0, updated_at: vault.updatedAt })
        .where('id', '=', vault.id)
        .execute();
    },
    async markDeleted(id, deletedAt, scheduledPurgeAt) {
      await db.updateTable('vaults').set({ deleted_at: deletedAt, scheduled_purge_at: scheduledPurgeAt }).where('id', '=', id).execute();
    },
    async markRecovered(id, at) {
      await db.updateTable('vaults').set({ deleted_at: null, scheduled_purge_at: null, updated_at: at }).where('id', '=', id).execute();
    },
    async purgeVault(id) {
      await db.deleteFrom('vaults').where('id', '=', id).execute();
    },
    async findPurgeDueVaults(now, limit) {
      const rows = await db.selectFrom('vaults').selectAll().where('scheduled_purge_at', 'is not', null).where('scheduled_purge_at', '<=', now).orderBy('scheduled_purge_at').orderBy('id').limit(limit).execute();
      return rows.map(toVault);
    },
  };
}

function toVault(row: Selectable<VaultsTable>): Vault {
  return {
    id: row.id,
    name: row.name,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    retentionDays: row.retention_days,
    purgeProtection: Number(row.purge_protection) === 1,
    wrappedKey: row.wrapped_key,
    subscriptionId: row.subscription_id,
    resourceGroup: row.resource_group,
    location: row.location,
    // Vaults made before the management API have '{}': the defaults fill what is missing.
    settings: { ...defaultVaultSettings(), ...(JSON.parse(row.settings) as Partial<VaultSettings>) },
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
    scheduledPurgeAt: row.scheduled_purge_at === null ? null : Number(row.scheduled_purge_at),
  };
}
