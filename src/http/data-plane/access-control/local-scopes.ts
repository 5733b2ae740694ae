// The vault's own role assignments and definitions in the data-plane shape Azure serves on Managed HSM
// (`/{scope}/providers/Microsoft.Authorization/…`, api-version 7.x), which KeyVaultAccessControlClient speaks. Scopes
// are relative to the vault: '/' and '/keys' are the vault (Divergence: a vault's '/keys' is the whole vault here, as a
// vault has no key-only scope), '/secrets/NAME', '/keys/NAME', '/certificates/NAME' one object. Underneath they are the
// same assignments as ARM's (management/authorization-operations.ts), at the vault's ARM scope or the object's.
import type { Authorizer, Decision } from '../../../auth/authorize.js';
import type { RoleDefinition } from '../../../auth/roles/built-in-roles.js';
import { objectScope, scopeContains, scopeKey, vaultScope } from '../../../auth/roles/scopes.js';
import type { AccessService } from '../../../domain/access/access-service.js';
import type { Vault } from '../../../domain/vaults/vault.js';
import { errors } from '../../../errors.js';
import type { RoleAssignment } from '../../../store/access-control.js';
import type { HandlerContext } from '../../define-operation.js';

export interface AccessControlServices {
  accessControl: { access: AccessService; authorizeControl: Authorizer['authorizeControl'] };
}

const PROVIDER = '/providers/Microsoft.Authorization';

/** Every route prefix of a role-assignment URL: the vault ('/', '/keys') or one object. */
export function assignmentUrls(suffix = ''): string[] {
  return [
    `${PROVIDER}/roleAssignments${suffix}`,
    `/keys${PROVIDER}/roleAssignments${suffix}`,
    `/secrets/:secretName${PROVIDER}/roleAssignments${suffix}`,
    `/keys/:keyName${PROVIDER}/roleAssignments${suffix}`,
    `/certificates/:certificateName${PROVIDER}/roleAssignments${suffix}`,
  ];
}

/** Role definitions live at the vault ('/' or '/keys'). */
export function definitionUrls(suffix = ''): string[] {
  return [`${PROVIDER}/roleDefinitions${suffix}`, `/keys${PROVIDER}/roleDefinitions${suffix}`];
}

export interface ScopeParams {
  secretName?: string;
  keyName?: string;
  certificateName?: string;
  name?: string;
}

/** The ARM scope a request's vault-relative scope stands for (the same one the pipeline authorizes at). */
export function armScopeOf(vault: Vault, params: ScopeParams): string {
  if (params.secretName !== undefined) return objectScope(vault, 'secrets', params.secretName);
  if (params.keyName !== undefined) return objectScope(vault, 'keys', params.keyName);
  if (params.certificateName !== undefined) return objectScope(vault, 'certificates', params.certificateName);
  return vaultScope(vault);
}

/** An ARM scope as the vault names it, or undefined for one outside the vault (a group, a subscription, the root). */
export function localScopeOf(vault: Vault, scope: string): string | undefined {
  const base = scopeKey(vaultScope(vault));
  const key = scopeKey(scope);
  if (key === base) return '/';
  if (!scopeContains(base, key)) return undefined;
  return scope.slice(base.length);
}

const localPrefix = (scope: string) => (scope === '/' ? '' : scope);

/** Built-in roles are named as Managed HSM names its own; custom ones by the vault-relative scope they were read at. */
function localRoleDefinitionId(role: { id: string; builtIn: boolean }): string {
  return role.builtIn ? `Microsoft.KeyVault${PROVIDER}/roleDefinitions/${role.id}` : `${PROVIDER}/roleDefinitions/${role.id}`;
}

export function toLocalRoleAssignment(vault: Vault, assignment: RoleAssignment, builtIn: boolean) {
  const scope = localScopeOf(vault, assignment.scope) ?? assignment.scope;
  return {
    id: `${localPrefix(scope)}${PROVIDER}/roleAssignments/${assignment.id}`,
    name: assignment.id,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: { scope, roleDefinitionId: localRoleDefinitionId({ id: assignment.roleDefinitionId, builtIn }), principalId: assignment.principalId },
  };
}

export function toLocalRoleDefinition(vault: Vault, role: RoleDefinition) {
  const builtIn = role.roleType === 'BuiltInRole';
  return {
    id: localRoleDefinitionId({ id: role.id, builtIn }),
    name: role.id,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: {
      roleName: role.roleName,
      description: role.description,
      type: builtIn ? 'AKVBuiltInRole' : 'CustomRole',
      permissions: role.permissions.map((permission) => ({
        actions: [...permission.actions],
        notActions: [...permission.notActions],
        dataActions: [...permission.dataActions],
        notDataActions: [...permission.notDataActions],
      })),
      // The root ('/', where built-in roles are assignable) contains the vault: the vault's '/'.
      assignableScopes: role.assignableScopes.map((scope) => (scope === '/' ? '/' : (localScopeOf(vault, scope) ?? scope))),
    },
  };
}

/** Refuses unless the caller holds the control-plane `action` at `resource`; records the decision for the audit. */
export async function demandControl(ctx: HandlerContext, services: AccessControlServices, action: string, resource: string, roleDefinitionId?: string): Promise<void> {
  const decision: Decision = ctx.principal
    ? await services.accessControl.authorizeControl({ principal: ctx.principal, action, resource, ...(roleDefinitionId === undefined ? {} : { roleDefinitionId }) })
    : { allowed: false, model: 'rbac' };
  ctx.decision = decision;
  if (!decision.allowed) {
    const caller = ctx.token ? `appid=${ctx.token.appId};oid=${ctx.token.objectId};iss=${ctx.token.issuer}` : 'unknown';
    throw errors.forbiddenByRbac({ caller, action, resource, vault: `${ctx.vault.name};location=${ctx.vault.location}` });
  }
}

/** The `properties` of a body as an object; anything else is refused. */
export function propertiesOf(body: unknown): Record<string, unknown> {
  const properties = (body as { properties?: unknown } | undefined)?.properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) throw errors.badParameter('The request body must have a properties object.');
  return properties as Record<string, unknown>;
}

export function requiredString(properties: Record<string, unknown>, name: string): string {
  const value = properties[name];
  if (typeof value !== 'string' || value === '') throw errors.badParameter(`properties.${name} is required and must be a string.`);
  return value;
}
