// RoleAssignments_Get (Managed HSM data plane): one assignment at the scope named.
import { builtInRole } from '../../../auth/roles/built-in-roles.js';
import { scopeKey } from '../../../auth/roles/scopes.js';
import { accessErrors } from '../../../errors.js';
import { defineOperation } from '../../define-operation.js';
import { armScopeOf, assignmentUrls, toLocalRoleAssignment, type AccessControlServices, type ScopeParams } from './local-scopes.js';

export default defineOperation({
  method: 'GET',
  url: assignmentUrls('/:name'),
  operationName: 'RoleAssignmentGet',
  action: 'Microsoft.Authorization/roleAssignments/read',
  authorization: 'control',
  handle: async (ctx, { params }, services: AccessControlServices) => {
    const { name } = params as ScopeParams & { name: string };
    const scope = armScopeOf(ctx.vault, params as ScopeParams);
    const assignment = (await services.accessControl.access.listAssignments({ scope })).find((candidate) => candidate.id === name.toLowerCase() && scopeKey(candidate.scope) === scopeKey(scope));
    if (!assignment) throw accessErrors.roleAssignmentNotFound();
    return { body: toLocalRoleAssignment(ctx.vault, assignment, builtInRole(assignment.roleDefinitionId) !== undefined) };
  },
});
