// RBAC scopes: the root '/', a subscription, a resource group, a vault, or one object in a vault
// (…/vaults/V/secrets/NAME, /keys/NAME, /certificates/NAME). An assignment applies to its scope and everything
// below it. Azure compares scopes without regard to case.

export type ObjectCollection = 'secrets' | 'keys' | 'certificates';

/** The form scopes are compared in: lower case, no trailing slash ('/' stays '/'). */
export function scopeKey(scope: string): string {
  const lower = scope.toLowerCase();
  return lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
}

/** Whether an assignment at `assignedKey` applies to a resource at `resourceKey` (both scope keys). */
export function scopeContains(assignedKey: string, resourceKey: string): boolean {
  if (assignedKey === '/') return true;
  return resourceKey === assignedKey || resourceKey.startsWith(`${assignedKey}/`);
}

export function vaultScope(vault: { subscriptionId: string; resourceGroup: string; name: string }): string {
  return `/subscriptions/${vault.subscriptionId}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault.name}`;
}

export function objectScope(vault: { subscriptionId: string; resourceGroup: string; name: string }, collection: ObjectCollection, name: string): string {
  return `${vaultScope(vault)}/${collection}/${name}`;
}

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const SCOPE_FORMS = [
  /^\/$/,
  new RegExp(`^/subscriptions/${GUID}$`),
  new RegExp(`^/subscriptions/${GUID}/resourceGroups/[-\\w._()]{1,90}$`, 'i'),
  new RegExp(`^/subscriptions/${GUID}/resourceGroups/[-\\w._()]{1,90}/providers/Microsoft\\.KeyVault/vaults/[a-zA-Z0-9-]{3,24}$`, 'i'),
  new RegExp(`^/subscriptions/${GUID}/resourceGroups/[-\\w._()]{1,90}/providers/Microsoft\\.KeyVault/vaults/[a-zA-Z0-9-]{3,24}/(secrets|keys|certificates)/[a-zA-Z0-9-]{1,127}$`, 'i'),
];

/** Whether a scope is one an assignment can be made at (see the forms above). */
export function isAssignableScope(scope: string): boolean {
  const trimmed = scope.length > 1 && scope.endsWith('/') ? scope.slice(0, -1) : scope;
  return SCOPE_FORMS.some((form) => form.test(trimmed));
}
