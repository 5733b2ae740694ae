// RoleAssignments_Delete (Managed HSM data plane): removes an assignment and returns it. Authorized by the handler,
// with the role of the assignment removed (Key Vault Data Access Administrator's condition).
import { builtInRole } from '../../../auth/roles/built-in-roles.js';
import { scopeKey } from '../../../auth/roles/scopes.js';
import { accessErrors } from '../../../errors.js';
import { defineOperation } from '../../define-operation.js';
import { armScopeOf, assignmentUrls, demandControl, toLocalRoleAssignment, type AccessControlServices, type ScopeParams } from './local-scopes.js';

const action = 'Microsoft.Authorization/roleAssignments/delete';

export default defineOperation({
  method: 'DELETE',
  url: assignmentUrls('/:name'),
  operationName: 'RoleAssignmentDelete',
  action,
  authorization: 'handler',
  handle: async (ctx, { params }, services: AccessControlServices) => {
    const { access } = services.accessControl;
    const { name } = params as ScopeParams & { name: string };
    const scope = armScopeOf(ctx.vault, params as ScopeParams);
    const found = await access.getAssignment(name);
    const assignment = found && scopeKey(found.scope) === scopeKey(scope) ? found : undefined;
    await demandControl(ctx, services, action, scope, assignment?.roleDefinitionId);
    if (!assignment) throw accessErrors.roleAssignmentNotFound();
    await access.deleteAssignment(assignment.id);
    return { body: toLocalRoleAssignment(ctx.vault, assignment, builtInRole(assignment.roleDefinitionId) !== undefined) };
  },
});
