// Azure RBAC action strings and the patterns roles grant them by. A pattern's `*` stands for any run of characters,
// '/' included ('Microsoft.KeyVault/vaults/*/read' grants 'Microsoft.KeyVault/vaults/keys/read'), and comparison
// ignores case, as Azure's does.

export interface Permission {
  actions: readonly string[];
  notActions: readonly string[];
  dataActions: readonly string[];
  notDataActions: readonly string[];
}

const compiled = new Map<string, RegExp>();

export function matchesAction(pattern: string, action: string): boolean {
  let regex = compiled.get(pattern);
  if (!regex) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    regex = new RegExp(`^${body}$`, 'i');
    compiled.set(pattern, regex);
  }
  return regex.test(action);
}

/**
 * Whether one permission block grants `action`: some granting pattern matches and no excluding one does.
 * Control-plane actions are read from actions/notActions, data actions from dataActions/notDataActions: a role's
 * management rights never grant data access, and the other way round.
 */
export function permissionGrants(permission: Permission, action: string, plane: 'control' | 'data'): boolean {
  const [granted, excluded] = plane === 'data' ? [permission.dataActions, permission.notDataActions] : [permission.actions, permission.notActions];
  return granted.some((pattern) => matchesAction(pattern, action)) && !excluded.some((pattern) => matchesAction(pattern, action));
}

/** An action pattern as roles may hold it: Provider.Namespace/segments, `*` allowed. */
export function isValidActionPattern(pattern: string): boolean {
  return pattern === '*' || /^(\*|[A-Za-z][A-Za-z0-9.]*)(\/[A-Za-z0-9.*_-]+)*$/.test(pattern);
}
