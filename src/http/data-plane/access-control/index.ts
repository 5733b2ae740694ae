// The vault's own role assignments and definitions in Managed HSM's data-plane shape (KeyVaultAccessControlClient),
// one file per operation of rbac.json (7.4) / administration.json (2026-04-01), named after its operationId.
import createOrUpdateRoleDefinition from './create-or-update-role-definition.js';
import createRoleAssignment from './create-role-assignment.js';
import deleteRoleAssignment from './delete-role-assignment.js';
import deleteRoleDefinition from './delete-role-definition.js';
import getRoleAssignment from './get-role-assignment.js';
import getRoleDefinition from './get-role-definition.js';
import listRoleAssignments from './list-role-assignments.js';
import listRoleDefinitions from './list-role-definitions.js';

export const accessControlOperations = [
  listRoleAssignments, getRoleAssignment, createRoleAssignment, deleteRoleAssignment,
  listRoleDefinitions, getRoleDefinition, createOrUpdateRoleDefinition, deleteRoleDefinition,
];
export type { AccessControlServices } from './local-scopes.js';
