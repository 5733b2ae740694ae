// Creating, listing, deleting, recovering and purging vaults. Each vault gets its own key, wrapped by the master
// key. Deletion is soft, as in Azure: a deleted vault keeps its name and everything in it, serves nothing, and is
// purged when its retention ends (or earlier on request, unless purge protection forbids it).
import { randomUUID } from 'node:crypto';
import { unixSeconds, type Clock } from '../../clock.js';
import type { Envelope } from '../../crypto/envelope.js';
import { errors } from '../../errors.js';
import type { VaultStore } from '../../store/vaults.js';
import { assertValidVaultName, DEFAULT_VAULT_NAME, defaultVaultSettings, type Vault, type VaultSettings } from './vault.js';

export const DEFAULT_RESOURCE_GROUP = 'coffer';
export const DEFAULT_LOCATION = 'local';

export interface CreateVaultInput {
  name: string;
  retentionDays?: number | undefined;
  purgeProtection?: boolean | undefined;
  subscriptionId?: string | undefined;
  resourceGroup?: string | undefined;
  location?: string | undefined;
  settings?: VaultSettings | undefined;
}

export type VaultService = ReturnType<typeof createVaultService>;

export function createVaultService(deps: {
  vaults: VaultStore;
  envelope: Pick<Envelope, 'createVaultKey'>;
  clock: Clock;
  defaultRetentionDays: number;
  /** The server's own subscription, where vaults made without the management API live. */
  subscriptionId: string;
}) {
  async function requireVault(name: string): Promise<Vault> {
    const vault = await deps.vaults.getVaultByName(name);
    if (!vault) throw errors.badParameter(`There is no vault named '${name}'.`);
    return vault;
  }

  return {
    async createVault(input: CreateVaultInput): Promise<Vault> {
      assertValidVaultName(input.name);
      const retentionDays = input.retentionDays ?? deps.defaultRetentionDays;
      if (!Number.isInteger(retentionDays) || retentionDays < 7 || retentionDays > 90) {
        throw errors.badParameter(`Soft-delete retention must be 7 to 90 days; ${retentionDays} was given.`);
      }
      const id = randomUUID();
      const now = unixSeconds(deps.clock);
      const vault: Vault = {
        id,
        name: input.name.toLowerCase(),
        createdAt: now,
        updatedAt: now,
        retentionDays,
        purgeProtection: input.purgeProtection ?? false,
        wrappedKey: deps.envelope.createVaultKey(id),
        subscriptionId: (input.subscriptionId ?? deps.subscriptionId).toLowerCase(),
        resourceGroup: input.resourceGroup ?? DEFAULT_RESOURCE_GROUP,
        location: input.location ?? DEFAULT_LOCATION,
        settings: input.settings ?? defaultVaultSettings(),
        deletedAt: null,
        scheduledPurgeAt: null,
      };
      await deps.vaults.insertVault(vault);
      return vault;
    },

    /** The vault of that name, deleted or not. */
    getVault: (name: string) => deps.vaults.getVaultByName(name),
    /** Active vaults. */
    listVaults: () => deps.vaults.listVaults(),

    /** Soft-deletes the vault: its objects become unreachable until it is recovered; purged when retention ends. */
    async deleteVault(name: string): Promise<Vault> {
      if (name.toLowerCase() === DEFAULT_VAULT_NAME) throw errors.badParameter("The 'default' vault serves localhost and cannot be deleted.");
      const vault = await requireVault(name);
      if (vault.deletedAt !== null) throw errors.badParameter(`The vault '${vault.name}' is already deleted.`);
      const now = unixSeconds(deps.clock);
      const scheduledPurgeAt = now + vault.retentionDays * 86_400;
      await deps.vaults.markDeleted(vault.id, now, scheduledPurgeAt);
      return { ...vault, deletedAt: now, scheduledPurgeAt };
    },

    /** Brings a soft-deleted vault back with every object it held. */
    async recoverVault(name: string): Promise<Vault> {
      const vault = await requireVault(name);
      if (vault.deletedAt === null) throw errors.badParameter(`The vault '${vault.name}' is not deleted.`);
      const now = unixSeconds(deps.clock);
      await deps.vaults.markRecovered(vault.id, now);
      return { ...vault, deletedAt: null, scheduledPurgeAt: null, updatedAt: now };
    },

    /** Destroys a soft-deleted vault and everything in it; refused under purge protection until retention ends. */
    async purgeVault(name: string): Promise<void> {
      const vault = await requireVault(name);
      if (vault.deletedAt === null) throw errors.badParameter(`The vault '${vault.name}' is not deleted; delete it first.`);
      if (vault.purgeProtection && (vault.scheduledPurgeAt ?? 0) > unixSeconds(deps.clock)) throw errors.vaultPurgeProtected(vault.name);
      await deps.vaults.purgeVault(vault.id);
    },
  };
}
