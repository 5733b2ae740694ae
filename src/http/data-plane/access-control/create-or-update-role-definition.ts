// RoleDefinitions_CreateOrUpdate (Managed HSM data plane): a custom role assignable in this vault. Its assignable
// scopes are vault-relative ('/', '/keys': the vault; '/secrets/NAME' …: one object); absent, the vault.
import { vaultScope } from '../../../auth/roles/scopes.js';
import type { Vault } from '../../../domain/vaults/vault.js';
import { authorizationApiErrors, errors } from '../../../errors.js';
import { defineOperation } from '../../define-operation.js';
import { GUID } from '../../management/authorization-resources.js';
import { armScopeOf, definitionUrls, propertiesOf, requiredString, toLocalRoleDefinition, type AccessControlServices } from './local-scopes.js';

function armScopeOfLocal(vault: Vault, local: string): string {
  if (local === '/' || local === '/keys') return vaultScope(vault);
  const match = /^\/(secret|key|certificate)s\/([^/]+)$/.exec(local);
  if (!match) throw errors.badParameter(`The assignable scope '${local}' is not one of '/', '/keys', '/secrets/NAME', '/keys/NAME', '/certificates/NAME'.`);
  return armScopeOf(vault, { [`${match[1]!}Name`]: match[2]! });
}

function strings(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw errors.badParameter(`${what} must be an array of strings.`);
  return value as string[];
}

export default defineOperation({
  method: 'PUT',
  url: definitionUrls('/:name'),
  operationName: 'RoleDefinitionCreateOrUpdate',
  action: 'Microsoft.Authorization/roleDefinitions/write',
  authorization: 'control',
  handle: async (ctx, { params, body }, services: AccessControlServices) => {
    const { name } = params as { name: string };
    if (!GUID.test(name)) throw authorizationApiErrors.invalidRoleDefinitionId(name);
    const properties = propertiesOf(body);
    const permissions = properties.permissions ?? [];
    if (!Array.isArray(permissions)) throw errors.badParameter('properties.permissions must be an array.');
    const description = typeof properties.description === 'string' ? properties.description : undefined;
    const role = await services.accessControl.access.putCustomRole({
      id: name,
      roleName: requiredString(properties, 'roleName'),
      ...(description === undefined ? {} : { description }),
      permissions: permissions.map((entry: Record<string, unknown>, index) => ({
        actions: strings(entry?.actions, `permissions[${index}].actions`),
        notActions: strings(entry?.notActions, `permissions[${index}].notActions`),
        dataActions: strings(entry?.dataActions, `permissions[${index}].dataActions`),
        notDataActions: strings(entry?.notDataActions, `permissions[${index}].notDataActions`),
      })),
      assignableScopes: strings(properties.assignableScopes ?? ['/'], 'properties.assignableScopes').map((local) => armScopeOfLocal(ctx.vault, local)),
      ...(ctx.token ? { createdBy: ctx.token.objectId } : {}),
    });
    return { status: 201, body: toLocalRoleDefinition(ctx.vault, role) };
  },
});
