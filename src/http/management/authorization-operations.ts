// ARM's Microsoft.Authorization role assignments and role definitions, at every scope form
// (`/{scope}/providers/Microsoft.Authorization/…`: the root, a subscription, a group, a vault, one object), so
// @azure/arm-authorization, az and Terraform manage Coffer's RBAC unchanged. Reads are checked by the pipeline on the
// request path; writes check themselves, because Key Vault Data Access Administrator's condition depends on the role the
// request names (auth/authorize.ts).
import type { Authorizer } from '../../auth/authorize.js';
import type { Permission } from '../../auth/roles/action-pattern.js';
import { builtInRole, type RoleDefinition } from '../../auth/roles/built-in-roles.js';
import { scopeContains, scopeKey } from '../../auth/roles/scopes.js';
import type { AccessService } from '../../domain/access/access-service.js';
import { accessErrors, armErrors, authorizationApiErrors } from '../../errors.js';
import { AUTHORIZATION_API_VERSIONS } from './api-versions.js';
import {
  checkedScope, GUID, isAtAboveOrBelow, isAtOrAbove, lastSegment, parseListFilter, parseRoleDefinitionFilter, resourceIdOf, scopeParts,
  toRoleAssignmentResource, toRoleDefinitionResource,
} from './authorization-resources.js';
import { defineManagementOperation, type ManagementContext, type ManagementOperation } from './define-management-operation.js';

export interface AuthorizationServices {
  access: AccessService;
  /** The caller's object id and the groups it belongs to, directly or not (asTarget(), self-activation). */
  identitiesOf: Authorizer['identitiesOf'];
  /** The object clock's now, in Unix seconds: eligibilities and activations end by it (--dev-clock moves it). */
  now(): number;
}

const ASSIGNMENTS = '{scope}/providers/Microsoft.Authorization/roleAssignments';
const DEFINITIONS = '{scope}/providers/Microsoft.Authorization/roleDefinitions';
const ACTIONS = {
  assignmentRead: 'Microsoft.Authorization/roleAssignments/read',
  assignmentWrite: 'Microsoft.Authorization/roleAssignments/write',
  assignmentDelete: 'Microsoft.Authorization/roleAssignments/delete',
  definitionRead: 'Microsoft.Authorization/roleDefinitions/read',
  definitionWrite: 'Microsoft.Authorization/roleDefinitions/write',
  definitionDelete: 'Microsoft.Authorization/roleDefinitions/delete',
} as const;

/** The request's scope, checked, and the audit record's subscription, group and vault taken from it. */
export function scopeFor(ctx: ManagementContext, params: Record<string, string>): string {
  const scope = checkedScope(params.scope ?? '/');
  Object.assign(ctx, scopeParts(scope));
  return scope;
}

/** Refuses unless the caller holds `action` over `resource` (for a role-assignment write or delete: of `roleId`). */
export async function demand(ctx: ManagementContext, action: string, resource: string, roleId?: string): Promise<void> {
  if (!(await ctx.authorize(action, resource, roleId))) throw armErrors.authorizationFailed(ctx.token?.objectId ?? '', action, resource);
}

export const caller = (ctx: ManagementContext) => ctx.token?.objectId ?? '';

/** The `properties` object of a body; anything else is refused. */
export function propertiesOf(body: unknown): Record<string, unknown> {
  const properties = (body as { properties?: unknown } | undefined)?.properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) throw armErrors.badRequest('properties', 'The request body must have a properties object.');
  return properties as Record<string, unknown>;
}

export function stringProperty(properties: Record<string, unknown>, name: string, required: true): string;
export function stringProperty(properties: Record<string, unknown>, name: string, required?: false): string | undefined;
export function stringProperty(properties: Record<string, unknown>, name: string, required = false): string | undefined {
  const value = properties[name];
  if (value === undefined || value === null) {
    if (required) throw armErrors.badRequest(`properties.${name}`, `properties.${name} is required.`);
    return undefined;
  }
  if (typeof value !== 'string') throw armErrors.badRequest(`properties.${name}`, `properties.${name} must be a string.`);
  return value;
}

/** A principal named by object id that this directory knows (a service principal, managed identity or group). */
export async function knownPrincipal(access: AccessService, principalId: string) {
  const resolved = await access.resolvePrincipal(principalId);
  // ARM names principals by object id only; a client id is not accepted here.
  // Divergence: a principal of an external issuer, unknown here, is assigned with the CLI (`--principal-type`).
  if (!resolved || resolved.objectId !== principalId.toLowerCase()) throw accessErrors.principalNotFound(principalId);
  return resolved;
}

/** The assignment with this name at exactly this scope, still in force. */
async function assignmentAt(access: AccessService, scope: string, name: string) {
  const assignment = await access.getAssignment(name);
  if (!assignment || scopeKey(assignment.scope) !== scopeKey(scope)) return undefined;
  return assignment;
}

function permissionsOf(value: unknown): Permission[] {
  if (!Array.isArray(value)) throw armErrors.badRequest('properties.permissions', 'properties.permissions must be an array of {actions, notActions, dataActions, notDataActions}.');
  return value.map((entry, index) => {
    const list = (name: string): string[] => {
      const items = (entry as Record<string, unknown> | null)?.[name];
      if (items === undefined || items === null) return [];
      if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
        throw armErrors.badRequest(`properties.permissions[${index}].${name}`, `properties.permissions[${index}].${name} must be an array of strings.`);
      }
      return items as string[];
    };
    return { actions: list('actions'), notActions: list('notActions'), dataActions: list('dataActions'), notDataActions: list('notDataActions') };
  });
}

/** Custom roles are listed where they can be assigned: at or above their assignable scopes (and below, if asked). */
function listedAt(role: RoleDefinition, scope: string, andBelow: boolean): boolean {
  return role.assignableScopes.some((assignable) => scopeContains(scopeKey(assignable), scopeKey(scope)) || (andBelow && scopeContains(scopeKey(scope), scopeKey(assignable))));
}

const op = (operation: ManagementOperation<AuthorizationServices>) => defineManagementOperation<AuthorizationServices>({ apiVersions: AUTHORIZATION_API_VERSIONS, ...operation });

export const authorizationOperations: Array<ManagementOperation<AuthorizationServices>> = [
  op({
    method: 'PUT', path: `${ASSIGNMENTS}/:name`, operationName: 'RoleAssignmentCreate', action: ACTIONS.assignmentWrite, authorizesItself: true,
    handle: async (ctx, { params, body }, { access }) => {
      const scope = scopeFor(ctx, params);
      const name = params.name!;
      const properties = propertiesOf(body);
      const roleReference = stringProperty(properties, 'roleDefinitionId', true);
      // Rights first, with the role the request names (a condition may limit which roles the caller may assign).
      await demand(ctx, ACTIONS.assignmentWrite, resourceIdOf(scope, 'roleAssignments', name), lastSegment(roleReference).toLowerCase());
      if (!GUID.test(name)) throw authorizationApiErrors.invalidRoleAssignmentId(name);
      const principalId = stringProperty(properties, 'principalId', true);
      const description = stringProperty(properties, 'description');
      // A condition left out would widen the assignment, so one that cannot be honoured is refused.
      if (stringProperty(properties, 'condition') || stringProperty(properties, 'conditionVersion')) throw authorizationApiErrors.conditionNotSupported();
      stringProperty(properties, 'principalType');
      const role = await access.findRole(roleReference);
      const existing = await access.getAssignment(name);
      if (existing) {
        // The same assignment again is accepted, as ARM deployments re-run; anything else would be an update.
        const same =
          scopeKey(existing.scope) === scopeKey(scope) && existing.principalId === principalId.toLowerCase() && role !== undefined &&
          existing.roleDefinitionId === role.id.toLowerCase() && (description === undefined || description === (existing.description ?? '')) && existing.expiresAt === undefined;
        if (!same) throw authorizationApiErrors.roleAssignmentUpdateNotPermitted();
        return { status: 200, body: toRoleAssignmentResource(existing) };
      }
      if (!role) throw accessErrors.roleDefinitionDoesNotExist(roleReference);
      const principal = await knownPrincipal(access, principalId);
      const assignment = await access.createAssignment({
        id: name, scope, roleDefinitionId: role.id, principalId: principal.objectId, principalType: principal.principalType,
        ...(description === undefined ? {} : { description }), createdBy: caller(ctx),
      });
      return { status: 201, body: toRoleAssignmentResource(assignment) };
    },
  }),
  op({
    method: 'GET', path: `${ASSIGNMENTS}/:name`, operationName: 'RoleAssignmentGet', action: ACTIONS.assignmentRead,
    handle: async (ctx, { params }, { access }) => {
      const assignment = await assignmentAt(access, scopeFor(ctx, params), params.name!);
      if (!assignment || (await access.listAssignments({ principalId: assignment.principalId })).every((active) => active.id !== assignment.id)) {
        throw accessErrors.roleAssignmentNotFound();
      }
      return { body: toRoleAssignmentResource(assignment) };
    },
  }),
  op({
    method: 'DELETE', path: `${ASSIGNMENTS}/:name`, operationName: 'RoleAssignmentDelete', action: ACTIONS.assignmentDelete, authorizesItself: true,
    handle: async (ctx, { params }, { access }) => {
      const scope = scopeFor(ctx, params);
      const assignment = await assignmentAt(access, scope, params.name!);
      await demand(ctx, ACTIONS.assignmentDelete, resourceIdOf(scope, 'roleAssignments', params.name!), assignment?.roleDefinitionId);
      if (!assignment) return { status: 204 };
      await access.deleteAssignment(assignment.id);
      return { status: 200, body: toRoleAssignmentResource(assignment) };
    },
  }),
  op({
    // Also listForSubscription, listForResourceGroup and listForResource: the scope is whatever precedes the provider.
    method: 'GET', path: ASSIGNMENTS, operationName: 'RoleAssignmentList', action: ACTIONS.assignmentRead,
    handle: async (ctx, { params, query }, { access }) => {
      const scope = scopeFor(ctx, params);
      const filter = parseListFilter(query.$filter, { pim: false });
      const assignments = await access.listAssignments({ scope, ...(filter.principalId === undefined ? {} : { principalId: filter.principalId }) });
      const listed = assignments.filter((assignment) => (filter.atScope ? isAtOrAbove(assignment.scope, scope) : isAtAboveOrBelow(assignment.scope, scope)));
      return { body: { value: listed.map(toRoleAssignmentResource) } };
    },
  }),

  op({
    method: 'GET', path: `${DEFINITIONS}/:name`, operationName: 'RoleDefinitionGet', action: ACTIONS.definitionRead,
    handle: async (ctx, { params }, { access }) => {
      const scope = scopeFor(ctx, params);
      const role = GUID.test(params.name!) ? await access.findRole(params.name!) : undefined;
      if (!role) throw accessErrors.roleDefinitionNotFound();
      return { body: toRoleDefinitionResource(role, scope) };
    },
  }),
  op({
    method: 'GET', path: DEFINITIONS, operationName: 'RoleDefinitionList', action: ACTIONS.definitionRead,
    handle: async (ctx, { params, query }, { access }) => {
      const scope = scopeFor(ctx, params);
      const filter = parseRoleDefinitionFilter(query.$filter);
      const roles = (await access.listRoleDefinitions()).filter(
        (role) =>
          listedAt(role, scope, filter.atScopeAndBelow) &&
          (filter.roleName === undefined || role.roleName.toLowerCase() === filter.roleName.toLowerCase()) &&
          (filter.roleType === undefined || role.roleType.toLowerCase() === filter.roleType.toLowerCase()),
      );
      return { body: { value: roles.map((role) => toRoleDefinitionResource(role, scope)) } };
    },
  }),
  op({
    method: 'PUT', path: `${DEFINITIONS}/:name`, operationName: 'RoleDefinitionCreateOrUpdate', action: ACTIONS.definitionWrite, authorizesItself: true,
    handle: async (ctx, { params, body }, { access }) => {
      const scope = scopeFor(ctx, params);
      const name = params.name!;
      await demand(ctx, ACTIONS.definitionWrite, resourceIdOf(scope, 'roleDefinitions', name));
      if (!GUID.test(name)) throw authorizationApiErrors.invalidRoleDefinitionId(name);
      const properties = propertiesOf(body);
      const roleType = stringProperty(properties, 'type') ?? stringProperty(properties, 'roleType');
      if (builtInRole(name)) throw accessErrors.roleDefinitionNotEditable();
      if (roleType !== undefined && roleType.toLowerCase() !== 'customrole') throw armErrors.badRequest('properties.type', "Only custom roles can be written: properties.type must be 'CustomRole'.");
      const assignableScopes = properties.assignableScopes ?? [scope];
      if (!Array.isArray(assignableScopes) || !assignableScopes.every((item) => typeof item === 'string')) {
        throw armErrors.badRequest('properties.assignableScopes', 'properties.assignableScopes must be an array of scopes.');
      }
      const checkedScopes = (assignableScopes as string[]).map(checkedScope);
      // As in Azure, the author must be allowed to write role definitions at every scope the role can be assigned at.
      for (const assignable of checkedScopes) await demand(ctx, ACTIONS.definitionWrite, resourceIdOf(assignable, 'roleDefinitions', name));
      const description = stringProperty(properties, 'description');
      const role = await access.putCustomRole({
        id: name, roleName: stringProperty(properties, 'roleName', true), ...(description === undefined ? {} : { description }),
        permissions: permissionsOf(properties.permissions), assignableScopes: checkedScopes, createdBy: caller(ctx),
      });
      return { status: 201, body: toRoleDefinitionResource(role, scope) };
    },
  }),
  op({
    method: 'DELETE', path: `${DEFINITIONS}/:name`, operationName: 'RoleDefinitionDelete', action: ACTIONS.definitionDelete,
    handle: async (ctx, { params }, { access }) => {
      const scope = scopeFor(ctx, params);
      if (!GUID.test(params.name!)) return { status: 204 };
      const role = await access.deleteCustomRole(params.name!);
      return role ? { status: 200, body: toRoleDefinitionResource(role, scope) } : { status: 204 };
    },
  }),
];
