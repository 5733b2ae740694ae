// What a vault is and Azure's rules about it: name syntax and the recovery level its settings imply.
import { errors } from '../../errors.js';

export interface Vault {
  id: string;
  /** Lower-case DNS label. */
  name: string;
  createdAt: number;
  updatedAt: number;
  /** Soft-delete retention, 7–90 days; fixed at creation as in Azure. */
  retentionDays: number;
  /** Once on, deleted objects cannot be purged before their retention ends. */
  purgeProtection: boolean;
  /** The vault key, wrapped by the master key. */
  wrappedKey: Buffer;
  /** The ARM namespace that names the vault: its subscription (a GUID) and resource group (as first written). */
  subscriptionId: string;
  resourceGroup: string;
  /** ARM location, lower case without spaces ('westeurope'); 'local' for vaults made by the CLI. */
  location: string;
  settings: VaultSettings;
  /** Soft deletion of the vault itself (Unix seconds); a deleted vault serves nothing until recovered. */
  deletedAt: number | null;
  scheduledPurgeAt: number | null;
}

/** An access-policy entry, as ARM's AccessPolicyEntry: permissions per object kind, in lower case. */
export interface AccessPolicyEntry {
  tenantId: string;
  objectId: string;
  applicationId?: string;
  permissions: { keys: string[]; secrets: string[]; certificates: string[]; storage: string[] };
}

/** ARM's NetworkRuleSet; `ipRules` hold canonical CIDRs (network/ip-rules.ts). */
export interface NetworkAcls {
  bypass: 'AzureServices' | 'None';
  defaultAction: 'Allow' | 'Deny';
  ipRules: string[];
  virtualNetworkRules: Array<{ id: string; ignoreMissingVnetServiceEndpoint: boolean }>;
}

/** The vault's ARM properties that are not columns of their own. */
export interface VaultSettings {
  /** The tenant whose principals the access policies name; the server's tenant when absent (CLI vaults). */
  tenantId?: string;
  sku: { family: 'A'; name: 'standard' | 'premium' };
  accessPolicies: AccessPolicyEntry[];
  enabledForDeployment: boolean;
  enabledForDiskEncryption: boolean;
  enabledForTemplateDeployment: boolean;
  /** Chooses the authorization model (RBAC or access policies) the access-control issue enforces. */
  enableRbacAuthorization: boolean;
  publicNetworkAccess: 'Enabled' | 'Disabled';
  /** Absent: no firewall (every address allowed). */
  networkAcls?: NetworkAcls;
  tags: Record<string, string>;
  /** systemData: who created and last changed the vault through the management API (object ids). */
  createdBy?: string;
  lastModifiedBy?: string;
}

/** Settings of a vault made without the management API (the CLI, the default vault). */
export function defaultVaultSettings(): VaultSettings {
  return {
    sku: { family: 'A', name: 'standard' },
    accessPolicies: [],
    enabledForDeployment: false,
    enabledForDiskEncryption: false,
    enabledForTemplateDeployment: false,
    enableRbacAuthorization: true,
    publicNetworkAccess: 'Enabled',
    tags: {},
  };
}

export const DEFAULT_VAULT_NAME = 'default';

/** Azure: 3–24 characters, letters, digits and hyphens, starting with a letter, ending with a letter or digit, no '--'. */
export function isValidVaultName(name: string): boolean {
  return /^[a-zA-Z](?:[a-zA-Z0-9]|-(?!-)){1,22}[a-zA-Z0-9]$/.test(name);
}

export function assertValidVaultName(name: string): void {
  if (!isValidVaultName(name)) {
    throw errors.badParameter(
      `The vault name '${name}' is invalid. A vault name must be 3-24 characters, contain only letters, digits and hyphens, start with a letter, end with a letter or digit and not contain consecutive hyphens.`,
    );
  }
}

/** Soft delete is always on (Azure made it mandatory); the level depends on retention and purge protection. */
export function recoveryLevel(vault: Pick<Vault, 'retentionDays' | 'purgeProtection'>): string {
  const customized = vault.retentionDays < 90 ? 'CustomizedRecoverable' : 'Recoverable';
  return vault.purgeProtection ? customized : `${customized}+Purgeable`;
}
