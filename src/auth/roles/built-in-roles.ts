// Azure's built-in roles that concern Key Vault, exactly as Azure defines them (shared/reference/azure-keyvault/
// CATALOG.md §2), plus the general Owner, Contributor, Reader and User Access Administrator. Role definition ids
// are Azure's GUIDs, so assignments made with Azure tooling (`az role assignment create --role <guid>`, Bicep,
// Terraform) name the same roles here.
import type { Permission } from './action-pattern.js';

export interface RoleDefinition {
  /** The GUID. */
  id: string;
  roleName: string;
  description: string;
  roleType: 'BuiltInRole' | 'CustomRole';
  permissions: Permission[];
  assignableScopes: string[];
  /**
   * Role ids a holder may assign or remove, when its Microsoft.Authorization/roleAssignments rights are limited by
   * a condition (Key Vault Data Access Administrator). Undefined: no such limit.
   */
  assignableRoleIds?: readonly string[];
}

const KV = 'Microsoft.KeyVault/vaults';

/** Azure's "common read set" of the Key Vault data roles that also grant control-plane reads. */
const COMMON_READ = [
  'Microsoft.Authorization/*/read',
  'Microsoft.Insights/alertRules/*',
  'Microsoft.Resources/deployments/*',
  'Microsoft.Resources/subscriptions/resourceGroups/read',
  'Microsoft.Support/*',
  'Microsoft.KeyVault/checkNameAvailability/read',
  'Microsoft.KeyVault/deletedVaults/read',
  'Microsoft.KeyVault/locations/*/read',
  'Microsoft.KeyVault/vaults/*/read',
  'Microsoft.KeyVault/operations/read',
];

function role(id: string, roleName: string, description: string, permission: Partial<Permission>, extra: Partial<RoleDefinition> = {}): RoleDefinition {
  return {
    id,
    roleName,
    description,
    roleType: 'BuiltInRole',
    permissions: [{ actions: permission.actions ?? [], notActions: permission.notActions ?? [], dataActions: permission.dataActions ?? [], notDataActions: permission.notDataActions ?? [] }],
    assignableScopes: ['/'],
    ...extra,
  };
}

export const ROLE_IDS = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  keyVaultAdministrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  keyVaultCertificatesOfficer: 'a4417e6f-fecd-4de8-b567-7b0420556985',
  keyVaultCertificateUser: 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba',
  keyVaultCryptoOfficer: '14b46e9e-c2b7-41b4-b07b-48a6ebf60603',
  keyVaultCryptoServiceEncryptionUser: 'e147488a-f6f5-4113-8e2d-b22465e65bf6',
  keyVaultCryptoServiceReleaseUser: '08bbd89e-9f13-488c-ac41-acfcb10c90ab',
  keyVaultCryptoUser: '12338af0-0e69-4776-bea7-57ae8d297424',
  keyVaultReader: '21090545-7ca7-4776-b22c-e363652d74d2',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultContributor: 'f25e0fa2-a7c8-4377-a976-54943a77a395',
  keyVaultDataAccessAdministrator: '8b54135c-b56d-4d72-a534-26097cfdc8d8',
  keyVaultPurgeOperator: 'a68e7c17-0ab2-4c09-9a58-125dae29748c',
} as const;

const ONLY_RBAC = ' Only works for key vaults that use the Azure role-based access control permission model.';

export const BUILT_IN_ROLES: readonly RoleDefinition[] = [
  role(ROLE_IDS.owner, 'Owner', 'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.', { actions: ['*'] }),
  role(ROLE_IDS.contributor, 'Contributor', 'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.', {
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
      'Microsoft.Compute/galleries/share/action',
      'Microsoft.Purview/consents/write',
      'Microsoft.Purview/consents/delete',
      'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
      'Microsoft.Subscription/cancel/action',
      'Microsoft.Subscription/enable/action',
    ],
  }),
  role(ROLE_IDS.reader, 'Reader', 'View all resources, but does not allow you to make any changes.', { actions: ['*/read'] }),
  role(ROLE_IDS.userAccessAdministrator, 'User Access Administrator', 'Lets you manage user access to Azure resources.', { actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'] }),
  role(ROLE_IDS.keyVaultAdministrator, 'Key Vault Administrator', `Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and secrets. Cannot manage key vault resources or manage role assignments.${ONLY_RBAC}`, {
    actions: COMMON_READ,
    dataActions: [`${KV}/*`],
  }),
  role(ROLE_IDS.keyVaultCertificatesOfficer, 'Key Vault Certificates Officer', `Perform any action on the certificates of a key vault, excluding reading the secret and key portions, and managing permissions.${ONLY_RBAC}`, {
    actions: COMMON_READ,
    dataActions: [`${KV}/certificatecas/*`, `${KV}/certificates/*`, `${KV}/certificatecontacts/write`],
  }),
  role(ROLE_IDS.keyVaultCertificateUser, 'Key Vault Certificate User', `Read entire certificate contents including secret and key portion.${ONLY_RBAC}`, {
    dataActions: [`${KV}/certificates/read`, `${KV}/secrets/getSecret/action`, `${KV}/secrets/readMetadata/action`, `${KV}/keys/read`],
  }),
  role(ROLE_IDS.keyVaultCryptoOfficer, 'Key Vault Crypto Officer', `Perform any action on the keys of a key vault, except manage permissions.${ONLY_RBAC}`, {
    actions: COMMON_READ,
    dataActions: [`${KV}/keys/*`, `${KV}/keyrotationpolicies/*`],
  }),
  role(ROLE_IDS.keyVaultCryptoServiceEncryptionUser, 'Key Vault Crypto Service Encryption User', `Read metadata of keys and perform wrap/unwrap operations.${ONLY_RBAC}`, {
    actions: ['Microsoft.EventGrid/eventSubscriptions/write', 'Microsoft.EventGrid/eventSubscriptions/read', 'Microsoft.EventGrid/eventSubscriptions/delete'],
    dataActions: [`${KV}/keys/read`, `${KV}/keys/wrap/action`, `${KV}/keys/unwrap/action`],
  }),
  role(ROLE_IDS.keyVaultCryptoServiceReleaseUser, 'Key Vault Crypto Service Release User', `Release keys.${ONLY_RBAC}`, { dataActions: [`${KV}/keys/release/action`] }),
  role(ROLE_IDS.keyVaultCryptoUser, 'Key Vault Crypto User', `Perform cryptographic operations using keys.${ONLY_RBAC}`, {
    dataActions: [
      `${KV}/keys/read`,
      `${KV}/keys/update/action`,
      `${KV}/keys/backup/action`,
      `${KV}/keys/encrypt/action`,
      `${KV}/keys/decrypt/action`,
      `${KV}/keys/wrap/action`,
      `${KV}/keys/unwrap/action`,
      `${KV}/keys/sign/action`,
      `${KV}/keys/verify/action`,
    ],
  }),
  role(ROLE_IDS.keyVaultReader, 'Key Vault Reader', `Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material.${ONLY_RBAC}`, {
    actions: COMMON_READ,
    dataActions: [`${KV}/*/read`, `${KV}/secrets/readMetadata/action`],
  }),
  role(ROLE_IDS.keyVaultSecretsOfficer, 'Key Vault Secrets Officer', `Perform any action on the secrets of a key vault, except manage permissions.${ONLY_RBAC}`, {
    actions: COMMON_READ,
    dataActions: [`${KV}/secrets/*`],
  }),
  role(ROLE_IDS.keyVaultSecretsUser, 'Key Vault Secrets User', `Read secret contents including secret portion of a certificate with private key.${ONLY_RBAC}`, {
    dataActions: [`${KV}/secrets/getSecret/action`, `${KV}/secrets/readMetadata/action`],
  }),
  role(ROLE_IDS.keyVaultContributor, 'Key Vault Contributor', 'Lets you manage key vaults, but not access to them.', {
    actions: [
      'Microsoft.Authorization/*/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.KeyVault/*',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Support/*',
    ],
    notActions: ['Microsoft.KeyVault/locations/deletedVaults/purge/action', 'Microsoft.KeyVault/hsmPools/*', 'Microsoft.KeyVault/managedHsms/*'],
  }),
  role(
    ROLE_IDS.keyVaultDataAccessAdministrator,
    'Key Vault Data Access Administrator',
    'Manage access to Azure Key Vault by adding or removing role assignments for the Key Vault Administrator, Key Vault Certificates Officer, Key Vault Crypto Officer, Key Vault Crypto Service Encryption User, Key Vault Crypto User, Key Vault Reader, Key Vault Secrets Officer, or Key Vault Secrets User roles. Includes an ABAC condition to constrain role assignments.',
    {
      actions: [
        'Microsoft.Authorization/roleAssignments/write',
        'Microsoft.Authorization/roleAssignments/delete',
        'Microsoft.Authorization/*/read',
        'Microsoft.Resources/deployments/*',
        'Microsoft.Resources/subscriptions/resourceGroups/read',
        'Microsoft.Resources/subscriptions/read',
        'Microsoft.Management/managementGroups/read',
        'Microsoft.Support/*',
        'Microsoft.KeyVault/vaults/*/read',
      ],
    },
    {
      assignableRoleIds: [
        ROLE_IDS.keyVaultAdministrator,
        ROLE_IDS.keyVaultCertificatesOfficer,
        ROLE_IDS.keyVaultCryptoOfficer,
        ROLE_IDS.keyVaultCryptoServiceEncryptionUser,
        ROLE_IDS.keyVaultCryptoUser,
        ROLE_IDS.keyVaultReader,
        ROLE_IDS.keyVaultSecretsOfficer,
        ROLE_IDS.keyVaultSecretsUser,
      ],
    },
  ),
  role(ROLE_IDS.keyVaultPurgeOperator, 'Key Vault Purge Operator', 'Allows permanent deletion of soft-deleted vaults.', {
    actions: ['Microsoft.KeyVault/locations/deletedVaults/purge/action', 'Microsoft.KeyVault/deletedVaults/read', 'Microsoft.KeyVault/locations/deletedVaults/read'],
  }),
];

const byId = new Map(BUILT_IN_ROLES.map((definition) => [definition.id, definition]));
const byName = new Map(BUILT_IN_ROLES.map((definition) => [definition.roleName.toLowerCase(), definition]));

export function builtInRole(idOrName: string): RoleDefinition | undefined {
  return byId.get(idOrName.toLowerCase()) ?? byName.get(idOrName.toLowerCase());
}
