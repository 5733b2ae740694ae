// RoleAssignments_ListForScope (Managed HSM data plane): the vault's assignments, and its objects' below a vault-level
// list; $filter atScope() keeps those at the scope or above it within the vault, principalId eq '…' one principal's.
import { builtInRole } from '../../../auth/roles/built-in-roles.js';
import { scopeContains, scopeKey } from '../../../auth/roles/scopes.js';
import { defineOperation } from '../../define-operation.js';
import { parseListFilter } from '../../management/authorization-resources.js';
import { armScopeOf, assignmentUrls, localScopeOf, toLocalRoleAssignment, type AccessControlServices, type ScopeParams } from './local-scopes.js';

export default defineOperation({
  method: 'GET',
  url: assignmentUrls(),
  operationName: 'RoleAssignmentList',
  action: 'Microsoft.Authorization/roleAssignments/read',
  authorization: 'control',
  handle: async (ctx, { params, query }, services: AccessControlServices) => {
    const scope = armScopeOf(ctx.vault, params as ScopeParams);
    const filter = parseListFilter(query.$filter, { pim: false });
    const assignments = await services.accessControl.access.listAssignments({ scope, ...(filter.principalId === undefined ? {} : { principalId: filter.principalId }) });
    const listed = assignments.filter((assignment) => {
      // Only what the vault can name: assignments at the vault or on its objects.
      if (localScopeOf(ctx.vault, assignment.scope) === undefined) return false;
      const above = scopeContains(scopeKey(assignment.scope), scopeKey(scope));
      return filter.atScope ? above : above || scopeContains(scopeKey(scope), scopeKey(assignment.scope));
    });
    return { body: { value: listed.map((assignment) => toLocalRoleAssignment(ctx.vault, assignment, builtInRole(assignment.roleDefinitionId) !== undefined)) } };
  },
});
