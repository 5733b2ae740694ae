// The management api-versions served: every stable Microsoft.KeyVault version the SDKs and az send (az 2.45:
// 2022-07-01; @azure/arm-keyvault 5: 2026-02-01), and the generic resources list's 2015-11-01.
export const VAULT_API_VERSIONS = [
  '2018-02-14', '2019-09-01', '2021-10-01', '2022-07-01', '2023-02-01', '2023-07-01', '2024-11-01', '2025-05-01', '2026-02-01',
] as const;
export const GENERIC_RESOURCES_API_VERSION = '2015-11-01';
/** `GET /subscriptions` (azure-mgmt-resource, az login). */
export const SUBSCRIPTIONS_API_VERSIONS = ['2016-06-01', '2019-11-01', '2020-01-01', '2021-01-01', '2022-12-01'] as const;

/** From api-version 2026-02-01 a new vault uses RBAC unless told otherwise; before, access policies. */
export function rbacIsDefault(apiVersion: string): boolean {
  return apiVersion >= '2026-02-01';
}

/**
 * Microsoft.Authorization role assignments and definitions: @azure/arm-authorization 9 and az 2.5x send 2022-04-01;
 * older tools (Terraform azurerm 3, az before 2.40) 2020-04-01-preview or 2018-09-01-preview. Later fields are extra there.
 */
export const AUTHORIZATION_API_VERSIONS = [
  '2015-07-01', '2018-01-01-preview', '2018-07-01', '2018-09-01-preview', '2020-04-01-preview', '2020-10-01-preview', '2022-01-01-preview', '2022-04-01',
] as const;
/** The PIM schedule APIs (role eligibility and assignment schedule requests): @azure/arm-authorization 9 sends 2020-10-01. */
export const ROLE_SCHEDULE_API_VERSIONS = ['2020-10-01', '2020-10-01-preview', '2022-04-01-preview', '2024-02-01-preview', '2024-09-01-preview'] as const;

/**
 * Microsoft.ManagedIdentity user-assigned identities: the stable versions. @azure/arm-msi 2.2.0 sends 2024-11-30, the
 * newest stable (which adds isolationScope); az and Terraform azurerm send 2023-01-31; older tools 2018-11-30.
 */
export const IDENTITY_API_VERSIONS = ['2018-11-30', '2023-01-31', '2024-11-30'] as const;
/** Federated identity credentials of user-assigned identities, stable from 2023-01-31. */
export const FEDERATED_CREDENTIAL_API_VERSIONS = ['2023-01-31', '2024-11-30'] as const;
