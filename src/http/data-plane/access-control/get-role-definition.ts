// RoleDefinitions_Get (Managed HSM data plane): one role by its GUID.
import { accessErrors } from '../../../errors.js';
import { defineOperation } from '../../define-operation.js';
import { GUID } from '../../management/authorization-resources.js';
import { definitionUrls, toLocalRoleDefinition, type AccessControlServices } from './local-scopes.js';

export default defineOperation({
  method: 'GET',
  url: definitionUrls('/:name'),
  operationName: 'RoleDefinitionGet',
  action: 'Microsoft.Authorization/roleDefinitions/read',
  authorization: 'control',
  handle: async (ctx, { params }, services: AccessControlServices) => {
    const { name } = params as { name: string };
    const role = GUID.test(name) ? await services.accessControl.access.findRole(name) : undefined;
    if (!role) throw accessErrors.roleDefinitionNotFound();
    return { body: toLocalRoleDefinition(ctx.vault, role) };
  },
});
