// Vaults as Azure resources: what the management API (ARM, Microsoft.KeyVault/vaults) does to them.
// Subscriptions and resource groups are namespaces: any subscription GUID and any valid group name may hold vaults;
// a group exists while a vault (active or deleted) is in it, and the server's own subscription always has the
// 'coffer' group, where the default vault and vaults made by the CLI live. Vault names are unique on the server.
import { unixSeconds, type Clock } from '../../clock.js';
import { armErrors, CofferError } from '../../errors.js';
import type { VaultStore } from '../../store/vaults.js';
import { DEFAULT_RESOURCE_GROUP, type VaultService } from './vault-service.js';
import { isValidVaultName, defaultVaultSettings, type AccessPolicyEntry, type Vault, type VaultSettings } from './vault.js';
import { applyAccessPolicyUpdate, isGuid, normalizeLocation, parseAccessPolicyUpdate, parseVaultRequest } from './vault-properties.js';

export interface ResourceScope {
  subscriptionId: string;
  resourceGroup: string;
}

export type VaultManagement = ReturnType<typeof createVaultManagement>;

/** ARM resource group names: 1–90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.'. */
export const RESOURCE_GROUP_NAME = /^[-\w.()]{1,90}$/u;

export function createVaultManagement(deps: {
  vaults: VaultService;
  store: VaultStore;
  clock: Clock;
  tenantId: string;
  /** The server's own subscription: its 'coffer' group always exists. */
  subscriptionId: string;
}) {
  const { store, clock } = deps;

  function assertSubscription(subscriptionId: string): void {
    if (!isGuid(subscriptionId)) throw armErrors.invalidSubscriptionId(subscriptionId);
  }

  function assertScope(scope: ResourceScope): void {
    assertSubscription(scope.subscriptionId);
    if (!RESOURCE_GROUP_NAME.test(scope.resourceGroup) || scope.resourceGroup.endsWith('.')) throw armErrors.invalidResourceGroup(scope.resourceGroup);
  }

  const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const inScope = (vault: Vault, scope: ResourceScope) => sameText(vault.subscriptionId, scope.subscriptionId) && sameText(vault.resourceGroup, scope.resourceGroup);

  /** A group exists while a vault is in it; the server's own 'coffer' group always does. */
  async function assertGroupExists(scope: ResourceScope): Promise<void> {
    const builtIn = sameText(scope.subscriptionId, deps.subscriptionId) && sameText(scope.resourceGroup, DEFAULT_RESOURCE_GROUP);
    if (!builtIn && !(await store.hasResourceGroup(scope.subscriptionId, scope.resourceGroup))) throw armErrors.resourceGroupNotFound(scope.resourceGroup);
  }

  /** The active vault `name` in `scope`, or ARM's 404. */
  async function requireVault(scope: ResourceScope, name: string): Promise<Vault> {
    assertScope(scope);
    await assertGroupExists(scope);
    const vault = isValidVaultName(name) ? await store.getVaultByName(name) : undefined;
    if (!vault || vault.deletedAt !== null || !inScope(vault, scope)) throw armErrors.resourceNotFound(name, scope.resourceGroup);
    return vault;
  }

  async function save(vault: Vault, settings: VaultSettings, purgeProtection: boolean, caller: string): Promise<Vault> {
    const updated: Vault = { ...vault, settings: { ...settings, lastModifiedBy: caller }, purgeProtection, updatedAt: unixSeconds(clock) };
    await store.updateVault(updated);
    return updated;
  }

  return {
    /**
     * Vaults_CreateOrUpdate: creates the vault, replaces the properties of an existing one in the same group, or
     * (createMode 'recover') recovers a soft-deleted one as it was. `created` tells 201 from 200.
     */
    async putVault(scope: ResourceScope, name: string, body: unknown, opts: { caller: string; rbacByDefault: boolean }): Promise<{ vault: Vault; created: boolean }> {
      assertScope(scope);
      if (!isValidVaultName(name)) throw armErrors.vaultNameNotValid(name);
      const request = parseVaultRequest(body, { full: true, serverTenantId: deps.tenantId });
      const existing = await store.getVaultByName(name);
      if (existing && !inScope(existing, scope)) throw armErrors.vaultAlreadyExists(name);

      if (request.createMode === 'recover') {
        if (!existing || existing.deletedAt === null) throw armErrors.softDeletedVaultDoesNotExist();
        return { vault: await deps.vaults.recoverVault(name), created: false };
      }
      if (existing?.deletedAt != null) throw armErrors.vaultDeletedButRecoverable();

      if (!existing) {
        const settings: VaultSettings = {
          ...defaultVaultSettings(),
          enableRbacAuthorization: opts.rbacByDefault,
          ...request.settings,
          createdBy: opts.caller,
          lastModifiedBy: opts.caller,
        };
        try {
          const vault = await deps.vaults.createVault({
            name, retentionDays: request.retentionDays ?? 90, purgeProtection: request.purgeProtection ?? false,
            subscriptionId: scope.subscriptionId, resourceGroup: scope.resourceGroup, location: request.location!, settings,
          });
          return { vault, created: true };
        } catch (error) {
          // Another request took the name between the read and the insert.
          if (error instanceof CofferError && error.status === 409) throw armErrors.vaultAlreadyExists(name);
          throw error;
        }
      }
      if (request.location !== existing.location) {
        throw armErrors.badRequest(
          'location',
          `The resource '${existing.name}' already exists in location '${existing.location}' in resource group '${existing.resourceGroup}'. A resource with the same name cannot be created in location '${request.location}'.`,
        );
      }
      assertRetentionUnchanged(existing, request.retentionDays);
      // A PUT replaces the properties: what it leaves out returns to its default, except what cannot change.
      const settings: VaultSettings = {
        ...defaultVaultSettings(),
        enableRbacAuthorization: opts.rbacByDefault,
        ...request.settings,
        ...(existing.settings.createdBy === undefined ? {} : { createdBy: existing.settings.createdBy }),
      };
      return { vault: await save(existing, settings, existing.purgeProtection || (request.purgeProtection ?? false), opts.caller), created: false };
    },

    /** Vaults_Update (PATCH): changes only what the body names. */
    async patchVault(scope: ResourceScope, name: string, body: unknown, opts: { caller: string }): Promise<Vault> {
      const existing = await requireVault(scope, name);
      const request = parseVaultRequest(body, { full: false, serverTenantId: deps.tenantId });
      if (request.location !== undefined && request.location !== existing.location) {
        throw armErrors.badRequest('location', `The location of a vault cannot change; '${existing.name}' is in '${existing.location}'.`);
      }
      if (request.createMode === 'recover') throw armErrors.badRequest('properties.createMode', "createMode 'recover' is for a PUT of a deleted vault.");
      assertRetentionUnchanged(existing, request.retentionDays);
      const settings = { ...existing.settings, ...request.settings };
      return save(existing, settings, existing.purgeProtection || (request.purgeProtection ?? false), opts.caller);
    },

    getVault: requireVault,

    /** Vaults_ListByResourceGroup and Vaults_ListBySubscription (no group): active vaults, by name. */
    async listVaults(scope: { subscriptionId: string; resourceGroup?: string }, page: { after: string | undefined; limit: number }): Promise<Vault[]> {
      if (scope.resourceGroup === undefined) assertSubscription(scope.subscriptionId);
      else {
        assertScope(scope as ResourceScope);
        await assertGroupExists(scope as ResourceScope);
      }
      return store.listVaultsIn(scope, page);
    },

    /** Vaults_Delete: soft deletion. False when there was nothing to delete (ARM answers 204). */
    async deleteVault(scope: ResourceScope, name: string): Promise<boolean> {
      assertScope(scope);
      await assertGroupExists(scope);
      const vault = isValidVaultName(name) ? await store.getVaultByName(name) : undefined;
      if (!vault || vault.deletedAt !== null || !inScope(vault, scope)) return false;
      await deps.vaults.deleteVault(vault.name);
      return true;
    },

    async listDeletedVaults(subscriptionId: string, page: { after: string | undefined; limit: number }): Promise<Vault[]> {
      assertSubscription(subscriptionId);
      return store.listDeletedVaults(subscriptionId, page);
    },

    async getDeletedVault(subscriptionId: string, location: string, name: string): Promise<Vault> {
      assertSubscription(subscriptionId);
      const vault = isValidVaultName(name) ? await store.getVaultByName(name) : undefined;
      if (!vault || vault.deletedAt === null || !sameText(vault.subscriptionId, subscriptionId) || vault.location !== normalizeLocation(location)) {
        throw armErrors.deletedVaultNotFound(name);
      }
      return vault;
    },

    /** Vaults_PurgeDeleted: refused under purge protection until the retention ends. */
    async purgeDeletedVault(subscriptionId: string, location: string, name: string): Promise<void> {
      const vault = await this.getDeletedVault(subscriptionId, location, name);
      await deps.vaults.purgeVault(vault.name);
    },

    /** Vaults_CheckNameAvailability. */
    async checkNameAvailability(body: unknown): Promise<{ nameAvailable: boolean; reason?: string; message?: string }> {
      const given = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      if (typeof given.name !== 'string') throw armErrors.badRequest('name', 'name must be a string.');
      if (typeof given.type !== 'string' || !sameText(given.type, 'Microsoft.KeyVault/vaults')) {
        throw armErrors.badRequest('type', "type must be 'Microsoft.KeyVault/vaults'.");
      }
      if (!isValidVaultName(given.name)) {
        return { nameAvailable: false, reason: 'AccountNameInvalid', message: 'Vault name must only contain alphanumeric characters and dashes and cannot start with a number.' };
      }
      const existing = await store.getVaultByName(given.name);
      if (!existing) return { nameAvailable: true };
      const held = existing.deletedAt === null ? 'is already in use' : 'is held by a deleted vault until it is purged or recovered';
      return { nameAvailable: false, reason: 'AlreadyExists', message: `The vault name '${given.name}' ${held}.` };
    },

    /** Vaults_UpdateAccessPolicy: `add`, `replace` or `remove` entries; answers the resulting list. */
    async updateAccessPolicy(scope: ResourceScope, name: string, kind: string, body: unknown, opts: { caller: string }): Promise<{ vault: Vault; accessPolicies: AccessPolicyEntry[] }> {
      const existing = await requireVault(scope, name);
      const operation = (['add', 'replace', 'remove'] as const).find((candidate) => sameText(candidate, kind));
      if (!operation) throw armErrors.badRequest('operationKind', `The access policy operation '${kind}' is not one of add, replace, remove.`);
      const accessPolicies = applyAccessPolicyUpdate(existing.settings.accessPolicies, operation, parseAccessPolicyUpdate(body));
      const vault = await save(existing, { ...existing.settings, accessPolicies }, existing.purgeProtection, opts.caller);
      return { vault, accessPolicies };
    },
  };
}

function assertRetentionUnchanged(existing: Vault, requested: number | undefined): void {
  if (requested !== undefined && requested !== existing.retentionDays) {
    throw armErrors.badRequest(
      'properties.softDeleteRetentionInDays',
      `The property "softDeleteRetentionInDays" has been set to ${existing.retentionDays} already and can't be modified.`,
    );
  }
}
