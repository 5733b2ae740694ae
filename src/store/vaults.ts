// Vault rows ↔ Vault objects. Unique-name violations become a Conflict; nothing else of SQL leaks out.
import type { Selectable } from 'kysely';
import type { Vault } from '../domain/vaults/vault.js';
import { errors } from '../errors.js';
import { cachedLookup } from './cached-lookup.js';
import { changeStamp, readRows, type Db } from './open.js';
import { precompile } from './precompiled.js';
import type { VaultsTable } from './schema.js';
import { isUniqueViolation } from './sql-errors.js';

export interface VaultStore {
  getVaultByName(name: string): Promise<Vault | undefined>;
  listVaults(): Promise<Vault[]>;
  insertVault(vault: Vault): Promise<void>;
  deleteVault(id: string): Promise<void>;
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
      const rows = await db.selectFrom('vaults').selectAll().orderBy('name').execute();
      return rows.map(toVault);
    },
    async insertVault(vault) {
      try {
        await db
          .insertInto('vaults')
          .values({
            id: vault.id,
            name: vault.name,
            created_at: vault.createdAt,
            retention_days: vault.retentionDays,
            purge_protection: vault.purgeProtection ? 1 : 0,
            wrapped_key: vault.wrappedKey,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw errors.conflict(`A vault named '${vault.name}' already exists.`);
        throw error;
      }
    },
    async deleteVault(id) {
      await db.deleteFrom('vaults').where('id', '=', id).execute();
    },
  };
}

function toVault(row: Selectable<VaultsTable>): Vault {
  return {
    id: row.id,
    name: row.name,
    createdAt: Number(row.created_at),
    retentionDays: row.retention_days,
    purgeProtection: row.purge_protection === 1,
    wrappedKey: row.wrapped_key,
  };
}
