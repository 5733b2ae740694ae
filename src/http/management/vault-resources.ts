// Vaults → ARM JSON: Vault, DeletedVault, the generic resource item, and the access-policy answer. Member order and
// presence follow what Azure answers (notes in docs/parity.md): networkAcls only when set, enablePurgeProtection
// only when on.
import type { Vault } from '../../domain/vaults/vault.js';

export interface VaultUrls {
  /** The data-plane URL of a vault, with a trailing slash, as `vaultUri`. */
  vaultUri(vault: Vault): string;
  tenantId: string;
}

export function vaultResourceId(vault: Pick<Vault, 'subscriptionId' | 'resourceGroup' | 'name'>): string {
  return `/subscriptions/${vault.subscriptionId}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault.name}`;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export function toVaultResource(vault: Vault, urls: VaultUrls) {
  const s = vault.settings;
  return {
    id: vaultResourceId(vault),
    name: vault.name,
    type: 'Microsoft.KeyVault/vaults',
    location: vault.location,
    tags: s.tags,
    systemData: {
      ...(s.createdBy === undefined ? {} : { createdBy: s.createdBy, createdByType: 'Application' }),
      createdAt: iso(vault.createdAt),
      ...(s.lastModifiedBy === undefined ? {} : { lastModifiedBy: s.lastModifiedBy, lastModifiedByType: 'Application' }),
      lastModifiedAt: iso(vault.updatedAt),
    },
    properties: {
      sku: s.sku,
      tenantId: s.tenantId ?? urls.tenantId,
      ...(s.networkAcls === undefined ? {} : { networkAcls: { ...s.networkAcls, ipRules: s.networkAcls.ipRules.map((value) => ({ value })) } }),
      accessPolicies: s.accessPolicies,
      enabledForDeployment: s.enabledForDeployment,
      enabledForDiskEncryption: s.enabledForDiskEncryption,
      enabledForTemplateDeployment: s.enabledForTemplateDeployment,
      enableSoftDelete: true,
      softDeleteRetentionInDays: vault.retentionDays,
      enableRbacAuthorization: s.enableRbacAuthorization,
      ...(vault.purgeProtection ? { enablePurgeProtection: true } : {}),
      vaultUri: urls.vaultUri(vault),
      provisioningState: 'Succeeded',
      publicNetworkAccess: s.publicNetworkAccess,
    },
  };
}

export function toDeletedVaultResource(vault: Vault) {
  return {
    id: `/subscriptions/${vault.subscriptionId}/providers/Microsoft.KeyVault/locations/${vault.location}/deletedVaults/${vault.name}`,
    name: vault.name,
    type: 'Microsoft.KeyVault/deletedVaults',
    properties: {
      vaultId: vaultResourceId(vault),
      location: vault.location,
      deletionDate: iso(vault.deletedAt ?? 0),
      scheduledPurgeDate: iso(vault.scheduledPurgeAt ?? 0),
      tags: vault.settings.tags,
      purgeProtectionEnabled: vault.purgeProtection,
    },
  };
}

/** An item of the generic resources list (`/subscriptions/S/resources`, api-version 2015-11-01). */
export function toGenericResource(vault: Vault) {
  return { id: vaultResourceId(vault), name: vault.name, type: 'Microsoft.KeyVault/vaults', location: vault.location, tags: vault.settings.tags };
}
