// RoleDefinitions_List (Managed HSM data plane): the roles that can be assigned at the vault; $filter roleName eq '…'.
import { scopeContains, scopeKey, vaultScope } from '../../../auth/roles/scopes.js';
import { defineOperation } from '../../define-operation.js';
import { parseRoleDefinitionFilter } from '../../management/authorization-resources.js';
import { definitionUrls, toLocalRoleDefinition, type AccessControlServices } from './local-scopes.js';

export default defineOperation({
  method: 'GET',
  url: definitionUrls(),
  operationName: 'RoleDefinitionList',
  action: 'Microsoft.Authorization/roleDefinitions/read',
  authorization: 'control',
  handle: async (ctx, { query }, services: AccessControlServices) => {
    const filter = parseRoleDefinitionFilter(query.$filter);
    const vault = scopeKey(vaultScope(ctx.vault));
    const roles = (await services.accessControl.access.listRoleDefinitions()).filter(
      (role) =>
        role.assignableScopes.some((scope) => scopeContains(scopeKey(scope), vault) || scopeContains(vault, scopeKey(scope))) &&
        (filter.roleName === undefined || role.roleName.toLowerCase() === filter.roleName.toLowerCase()) &&
        (filter.roleType === undefined || [role.roleType.toLowerCase(), role.roleType === 'BuiltInRole' ? 'akvbuiltinrole' : ''].includes(filter.roleType.toLowerCase())),
    );
    return { body: { value: roles.map((role) => toLocalRoleDefinition(ctx.vault, role)) } };
  },
});
