// RoleDefinitions_Delete (Managed HSM data plane): removes a custom role (not while assigned) and returns it.
import { accessErrors } from '../../../errors.js';
import { defineOperation } from '../../define-operation.js';
import { GUID } from '../../management/authorization-resources.js';
import { definitionUrls, toLocalRoleDefinition, type AccessControlServices } from './local-scopes.js';

export default defineOperation({
  method: 'DELETE',
  url: definitionUrls('/:name'),
  operationName: 'RoleDefinitionDelete',
  action: 'Microsoft.Authorization/roleDefinitions/delete',
  authorization: 'control',
  handle: async (ctx, { params }, services: AccessControlServices) => {
    const { name } = params as { name: string };
    const role = GUID.test(name) ? await services.accessControl.access.deleteCustomRole(name) : undefined;
    if (!role) throw accessErrors.roleDefinitionNotFound();
    return { body: toLocalRoleDefinition(ctx.vault, role) };
  },
});
