// Creating, listing and deleting vaults. Each vault gets its own key, wrapped by the master key.
import { randomUUID } from 'node:crypto';
import { unixSeconds, type Clock } from '../../clock.js';
import type { Envelope } from '../../crypto/envelope.js';
import { errors } from '../../errors.js';
import type { VaultStore } from '../../store/vaults.js';
import { assertValidVaultName, DEFAULT_VAULT_NAME, type Vault } from './vault.js';

export interface CreateVaultInput {
  name: string;
  retentionDays?: number | undefined;
  purgeProtection?: boolean | undefined;
}

export type VaultService = ReturnType<typeof createVaultService>;

export function createVaultService(deps: { vaults: VaultStore; envelope: Pick<Envelope, 'createVaultKey'>; clock: Clock; defaultRetentionDays: number }) {
  return {
    async createVault(input: CreateVaultInput): Promise<Vault> {
      assertValidVaultName(input.name);
      const retentionDays = input.retentionDays ?? deps.defaultRetentionDays;
      if (!Number.isInteger(retentionDays) || retentionDays < 7 || retentionDays > 90) {
        throw errors.badParameter(`Soft-delete retention must be 7 to 90 days; ${retentionDays} was given.`);
      }
      const id = randomUUID();
      const vault: Vault = {
        id,
        name: input.name.toLowerCase(),
        createdAt: unixSeconds(deps.clock),
        retentionDays,
        purgeProtection: input.purgeProtection ?? false,
        wrappedKey: deps.envelope.createVaultKey(id),
      };
      await deps.vaults.insertVault(vault);
      return vault;
    },

    getVault: (name: string) => deps.vaults.getVaultByName(name),
    listVaults: () => deps.vaults.listVaults(),

    /** Divergence: Azure soft-deletes vaults through ARM; until the management API lands, deletion is immediate and final. */
    async deleteVault(name: string): Promise<void> {
      if (name.toLowerCase() === DEFAULT_VAULT_NAME) throw errors.badParameter("The 'default' vault serves localhost and cannot be deleted.");
      const vault = await deps.vaults.getVaultByName(name);
      if (!vault) throw errors.badParameter(`There is no vault named '${name}'.`);
      await deps.vaults.deleteVault(vault.id);
    },
  };
}
