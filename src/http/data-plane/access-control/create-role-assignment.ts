// RoleAssignments_Create (Managed HSM data plane): assigns a role at the vault or on one object. Authorized by the
// handler, since Key Vault Data Access Administrator may assign only the roles its condition lists.
import { builtInRole } from '../../../auth/roles/built-in-roles.js';
import { scopeKey } from '../../../auth/roles/scopes.js';
import { accessErrors, authorizationApiErrors } from '../../../errors.js';
import { defineOperation } from '../../define-operation.js';
import { GUID, lastSegment } from '../../management/authorization-resources.js';
import { knownPrincipal } from '../../management/authorization-operations.js';
import { armScopeOf, assignmentUrls, demandControl, propertiesOf, requiredString, toLocalRoleAssignment, type AccessControlServices, type ScopeParams } from './local-scopes.js';

const action = 'Microsoft.Authorization/roleAssignments/write';

export default defineOperation({
  method: 'PUT',
  url: assignmentUrls('/:name'),
  operationName: 'RoleAssignmentCreate',
  action,
  authorization: 'handler',
  handle: async (ctx, { params, body }, services: AccessControlServices) => {
    const { access } = services.accessControl;
    const { name } = params as ScopeParams & { name: string };
    const scope = armScopeOf(ctx.vault, params as ScopeParams);
    const roleReference = (body as { properties?: { roleDefinitionId?: unknown } } | undefined)?.properties?.roleDefinitionId;
    await demandControl(ctx, services, action, scope, typeof roleReference === 'string' ? lastSegment(roleReference).toLowerCase() : undefined);
    if (!GUID.test(name)) throw authorizationApiErrors.invalidRoleAssignmentId(name);
    const properties = propertiesOf(body);
    const role = await access.findRole(requiredString(properties, 'roleDefinitionId'));
    const principalId = requiredString(properties, 'principalId');
    const existing = await access.getAssignment(name);
    if (existing) {
      const same = role !== undefined && existing.roleDefinitionId === role.id.toLowerCase() && existing.principalId === principalId.toLowerCase() && scopeKey(existing.scope) === scopeKey(scope);
      if (!same || existing.expiresAt !== undefined) throw accessErrors.roleAssignmentExists();
      return { status: 201, body: toLocalRoleAssignment(ctx.vault, existing, builtInRole(existing.roleDefinitionId) !== undefined) };
    }
    if (!role) throw accessErrors.roleDefinitionDoesNotExist(String(properties.roleDefinitionId));
    const principal = await knownPrincipal(access, principalId);
    const assignment = await access.createAssignment({
      id: name, scope, roleDefinitionId: role.id, principalId: principal.objectId, principalType: principal.principalType, createdBy: ctx.token?.objectId,
    });
    return { status: 201, body: toLocalRoleAssignment(ctx.vault, assignment, role.roleType === 'BuiltInRole') };
  },
});
