// User-assigned managed identities as Azure resources (Microsoft.ManagedIdentity/userAssignedIdentities): the resource
// beside its managed identity's principal, and Azure's rules for its name and location. Pure.

export const ISOLATION_SCOPES = ['None', 'Regional'] as const;
export type IsolationScope = (typeof ISOLATION_SCOPES)[number];

export interface UserAssignedIdentity {
  /** The principal's object id (`properties.principalId`). */
  principalId: string;
  /** The principal's application id (`properties.clientId`). */
  clientId: string;
  tenantId: string;
  subscriptionId: string;
  /** The group and name as first given: ARM keeps the caller's case and compares without it. */
  resourceGroup: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  /** Stored and answered (api-version 2024-11-30); Coffer assigns identities to no Azure resources, so it restricts nothing. */
  isolationScope: IsolationScope | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Where ARM looks for an identity: a subscription and a resource group. */
export interface IdentityScope {
  subscriptionId: string;
  resourceGroup: string;
}

/** Azure: 3–128 letters, digits, '-' and '_', starting with a letter or digit. */
export function isValidIdentityName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/.test(name);
}

/** A region name once spaces are dropped and letters lowered ('West Europe' → 'westeurope'): letters and digits only. */
export function isValidLocation(normalized: string): boolean {
  return /^[a-z0-9]{2,64}$/.test(normalized);
}

