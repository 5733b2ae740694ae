// Microsoft.Authorization's JSON shapes (api-version 2022-04-01, and 2020-10-01 for the PIM schedules): role
// assignments, role definitions, eligibility and activation schedules, and the pieces of request syntax they share
// (`/{scope}/providers/Microsoft.Authorization/…`, `$filter`). Pure: no Fastify, no store.
import type { RoleDefinition } from '../../auth/roles/built-in-roles.js';
import { isAssignableScope, scopeContains, scopeKey } from '../../auth/roles/scopes.js';
import { formatIsoDuration } from '../../domain/access/iso-duration.js';
import { accessErrors, armErrors } from '../../errors.js';
import type { RoleAssignment, RoleEligibility } from '../../store/access-control.js';

export const PROVIDER = 'providers/Microsoft.Authorization';
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The scope as a path prefix: '' for the root, so ids read `/providers/…` there and `/subscriptions/S/providers/…` elsewhere. */
export function prefixOf(scope: string): string {
  return scope === '/' ? '' : scope;
}

/** `{scope}/providers/Microsoft.Authorization/{collection}/{name}`. */
export function resourceIdOf(scope: string, collection: string, name: string): string {
  return `${prefixOf(scope)}/${PROVIDER}/${collection}/${name}`;
}

/** A scope as the request named it, checked: one of the forms an assignment can be made at (auth/roles/scopes.ts). */
export function checkedScope(scope: string): string {
  const trimmed = scope.length > 1 && scope.endsWith('/') ? scope.slice(0, -1) : scope;
  if (!isAssignableScope(trimmed)) throw accessErrors.invalidScope(trimmed);
  return trimmed;
}

/** The subscription, group and vault a scope names, for the audit record. */
export function scopeParts(scope: string): { subscriptionId: string; resourceGroup: string; vaultName: string } {
  const match = /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+)(?:\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+))?)?/i.exec(scope);
  return { subscriptionId: match?.[1] ?? '', resourceGroup: match?.[2] ?? '', vaultName: match?.[3] ?? '' };
}

/** The GUID at the end of a role definition reference (a bare GUID or an id ending in /roleDefinitions/GUID). */
export function lastSegment(reference: string): string {
  return reference.split('/').filter((segment) => segment !== '').pop() ?? '';
}

/**
 * A role definition's ARM id as Azure writes it beside a scope: under the scope's subscription
 * (`/subscriptions/S/providers/Microsoft.Authorization/roleDefinitions/GUID`), or `/providers/…` where there is none.
 */
export function roleDefinitionIdAt(roleId: string, scope: string): string {
  const { subscriptionId } = scopeParts(scope);
  return `${subscriptionId === '' ? '' : `/subscriptions/${subscriptionId}`}/${PROVIDER}/roleDefinitions/${roleId}`;
}

const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

export function toRoleAssignmentResource(assignment: RoleAssignment) {
  return {
    id: resourceIdOf(assignment.scope, 'roleAssignments', assignment.id),
    name: assignment.id,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      scope: assignment.scope,
      roleDefinitionId: roleDefinitionIdAt(assignment.roleDefinitionId, assignment.scope),
      principalId: assignment.principalId,
      principalType: assignment.principalType,
      description: assignment.description ?? null,
      condition: null,
      conditionVersion: null,
      createdOn: iso(assignment.createdAt),
      // Assignments are never changed in place here, so the last update is the creation.
      updatedOn: iso(assignment.createdAt),
      createdBy: assignment.createdBy ?? null,
      updatedBy: assignment.createdBy ?? null,
      delegatedManagedIdentityResourceId: null,
    },
  };
}

/** A role definition as seen from a scope (its id carries the scope's subscription, as Azure's do). */
export function toRoleDefinitionResource(role: RoleDefinition, scope: string) {
  return {
    id: roleDefinitionIdAt(role.id, scope),
    name: role.id,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: {
      roleName: role.roleName,
      type: role.roleType,
      description: role.description,
      assignableScopes: role.assignableScopes,
      permissions: role.permissions.map((permission) => ({
        actions: [...permission.actions],
        notActions: [...permission.notActions],
        dataActions: [...permission.dataActions],
        notDataActions: [...permission.notDataActions],
      })),
      // Divergence: creation and update times and authors of role definitions are not kept.
      createdOn: null,
      updatedOn: null,
      createdBy: null,
      updatedBy: null,
    },
  };
}

/** How a listed item's scope relates to the scope listed at. */
export function isAtOrAbove(itemScope: string, scope: string): boolean {
  return scopeContains(scopeKey(itemScope), scopeKey(scope));
}

export function isAtAboveOrBelow(itemScope: string, scope: string): boolean {
  return isAtOrAbove(itemScope, scope) || scopeContains(scopeKey(scope), scopeKey(itemScope));
}

export interface ListFilter {
  /** atScope(): at or above the scope only (else also below). */
  atScope: boolean;
  /** asTarget(): the caller's own (PIM lists). */
  asTarget: boolean;
  principalId?: string;
  roleDefinitionId?: string;
}

/** `$filter` of the role assignment and schedule lists: clauses joined by `and`. */
export function parseListFilter(filter: string | undefined, options: { pim: boolean }): ListFilter {
  const parsed: ListFilter = { atScope: false, asTarget: false };
  if (filter === undefined || filter.trim() === '') return parsed;
  for (const clause of filter.trim().split(/\s+and\s+/i)) {
    let match: RegExpExecArray | null;
    if (/^atScope\(\)$/i.test(clause)) parsed.atScope = true;
    else if (options.pim && /^asTarget\(\)$/i.test(clause)) parsed.asTarget = true;
    else if ((match = /^principalId\s+eq\s+'([^']+)'$/i.exec(clause))) parsed.principalId = match[1]!.toLowerCase();
    else if (options.pim && (match = /^roleDefinitionId\s+eq\s+'([^']+)'$/i.exec(clause))) parsed.roleDefinitionId = lastSegment(match[1]!).toLowerCase();
    else {
      const supported = options.pim ? "atScope(), asTarget(), principalId eq '{id}' and roleDefinitionId eq '{id}'" : "atScope() and principalId eq '{id}'";
      throw armErrors.badRequest('$filter', `The filter '${filter}' is not supported. Supported: ${supported}, joined by 'and'.`);
    }
  }
  return parsed;
}

export interface RoleDefinitionFilter {
  roleName?: string;
  roleType?: string;
  atScopeAndBelow: boolean;
}

/** `$filter` of the role definitions list: `roleName eq '…'`, `type eq 'BuiltInRole'|'CustomRole'`, `atScopeAndBelow()`. */
export function parseRoleDefinitionFilter(filter: string | undefined): RoleDefinitionFilter {
  const parsed: RoleDefinitionFilter = { atScopeAndBelow: false };
  if (filter === undefined || filter.trim() === '') return parsed;
  for (const clause of filter.trim().split(/\s+and\s+/i)) {
    let match: RegExpExecArray | null;
    if (/^atScopeAndBelow\(\)$/i.test(clause)) parsed.atScopeAndBelow = true;
    else if ((match = /^roleName\s+eq\s+'([^']*)'$/i.exec(clause))) parsed.roleName = match[1]!;
    else if ((match = /^type\s+eq\s+'([^']*)'$/i.exec(clause))) parsed.roleType = match[1]!;
    else throw armErrors.badRequest('$filter', `The filter '${filter}' is not supported. Supported: roleName eq '{name}', type eq 'BuiltInRole' or 'CustomRole', atScopeAndBelow().`);
  }
  return parsed;
}

// PIM (api-version 2020-10-01). Requests take effect at once, so a request is read back through what it made: an
// eligibility request through its eligibility (same name), an activation request through the role assignment it made.

const PIM_COMMON = { condition: null, conditionVersion: null };

function eligibilityExpiration(eligibility: RoleEligibility) {
  return eligibility.expiresAt === undefined
    ? { type: 'NoExpiration', endDateTime: null, duration: null }
    : { type: 'AfterDateTime', endDateTime: iso(eligibility.expiresAt), duration: null };
}

export function toEligibilityScheduleRequestResource(eligibility: RoleEligibility, request: { requestType: string; status: string; name?: string } = { requestType: 'AdminAssign', status: 'Provisioned' }) {
  const name = request.name ?? eligibility.id;
  return {
    id: resourceIdOf(eligibility.scope, 'roleEligibilityScheduleRequests', name),
    name,
    type: 'Microsoft.Authorization/RoleEligibilityScheduleRequests',
    properties: {
      scope: eligibility.scope,
      roleDefinitionId: roleDefinitionIdAt(eligibility.roleDefinitionId, eligibility.scope),
      principalId: eligibility.principalId,
      principalType: eligibility.principalType,
      requestType: request.requestType,
      status: request.status,
      approvalId: null,
      targetRoleEligibilityScheduleId: resourceIdOf(eligibility.scope, 'roleEligibilitySchedules', eligibility.id),
      targetRoleEligibilityScheduleInstanceId: null,
      scheduleInfo: { startDateTime: iso(eligibility.createdAt), expiration: eligibilityExpiration(eligibility) },
      justification: eligibility.description ?? null,
      ticketInfo: { ticketNumber: null, ticketSystem: null },
      ...PIM_COMMON,
      createdOn: iso(eligibility.createdAt),
      requestorId: eligibility.createdBy ?? null,
    },
  };
}

export function toEligibilityScheduleResource(eligibility: RoleEligibility, kind: 'RoleEligibilitySchedules' | 'RoleEligibilityScheduleInstances', callerId?: string) {
  const collection = kind === 'RoleEligibilitySchedules' ? 'roleEligibilitySchedules' : 'roleEligibilityScheduleInstances';
  return {
    id: resourceIdOf(eligibility.scope, collection, eligibility.id),
    name: eligibility.id,
    type: `Microsoft.Authorization/${kind}`,
    properties: {
      scope: eligibility.scope,
      roleDefinitionId: roleDefinitionIdAt(eligibility.roleDefinitionId, eligibility.scope),
      principalId: eligibility.principalId,
      principalType: eligibility.principalType,
      ...(kind === 'RoleEligibilitySchedules'
        ? { roleEligibilityScheduleRequestId: resourceIdOf(eligibility.scope, 'roleEligibilityScheduleRequests', eligibility.id), updatedOn: iso(eligibility.createdAt) }
        : { roleEligibilityScheduleId: resourceIdOf(eligibility.scope, 'roleEligibilitySchedules', eligibility.id) }),
      // 'Group' when the caller holds it through a group it belongs to.
      memberType: callerId !== undefined && callerId !== eligibility.principalId ? 'Group' : 'Direct',
      status: 'Provisioned',
      startDateTime: iso(eligibility.createdAt),
      endDateTime: eligibility.expiresAt === undefined ? null : iso(eligibility.expiresAt),
      ...PIM_COMMON,
      createdOn: iso(eligibility.createdAt),
    },
  };
}

export function toAssignmentScheduleRequestResource(assignment: RoleAssignment, request: { requestType: string; status: string; name?: string } = { requestType: 'SelfActivate', status: 'Provisioned' }) {
  const name = request.name ?? assignment.id;
  const seconds = assignment.expiresAt === undefined ? undefined : assignment.expiresAt - assignment.createdAt;
  return {
    id: resourceIdOf(assignment.scope, 'roleAssignmentScheduleRequests', name),
    name,
    type: 'Microsoft.Authorization/RoleAssignmentScheduleRequests',
    properties: {
      scope: assignment.scope,
      roleDefinitionId: roleDefinitionIdAt(assignment.roleDefinitionId, assignment.scope),
      principalId: assignment.principalId,
      principalType: assignment.principalType,
      requestType: request.requestType,
      status: request.status,
      approvalId: null,
      targetRoleAssignmentScheduleId: resourceIdOf(assignment.scope, 'roleAssignmentSchedules', assignment.id),
      targetRoleAssignmentScheduleInstanceId: null,
      scheduleInfo: {
        startDateTime: iso(assignment.createdAt),
        expiration: seconds === undefined ? { type: 'NoExpiration', endDateTime: null, duration: null } : { type: 'AfterDuration', endDateTime: null, duration: formatIsoDuration(seconds) },
      },
      linkedRoleEligibilityScheduleId: assignment.eligibilityId === undefined ? null : resourceIdOf(assignment.scope, 'roleEligibilitySchedules', assignment.eligibilityId),
      justification: assignment.justification ?? null,
      ticketInfo: { ticketNumber: null, ticketSystem: null },
      ...PIM_COMMON,
      createdOn: iso(assignment.createdAt),
      requestorId: assignment.createdBy ?? null,
    },
  };
}

/** An assignment in force as a schedule or schedule instance: standing ones are 'Assigned', activations 'Activated'. */
export function toAssignmentScheduleResource(assignment: RoleAssignment, kind: 'RoleAssignmentSchedules' | 'RoleAssignmentScheduleInstances', callerId?: string) {
  const collection = kind === 'RoleAssignmentSchedules' ? 'roleAssignmentSchedules' : 'roleAssignmentScheduleInstances';
  const linked = assignment.eligibilityId === undefined ? null : resourceIdOf(assignment.scope, 'roleEligibilitySchedules', assignment.eligibilityId);
  return {
    id: resourceIdOf(assignment.scope, collection, assignment.id),
    name: assignment.id,
    type: `Microsoft.Authorization/${kind}`,
    properties: {
      scope: assignment.scope,
      roleDefinitionId: roleDefinitionIdAt(assignment.roleDefinitionId, assignment.scope),
      principalId: assignment.principalId,
      principalType: assignment.principalType,
      ...(kind === 'RoleAssignmentSchedules'
        ? {
            roleAssignmentScheduleRequestId: assignment.eligibilityId === undefined ? null : resourceIdOf(assignment.scope, 'roleAssignmentScheduleRequests', assignment.id),
            updatedOn: iso(assignment.createdAt),
          }
        : {
            roleAssignmentScheduleId: resourceIdOf(assignment.scope, 'roleAssignmentSchedules', assignment.id),
            originRoleAssignmentId: resourceIdOf(assignment.scope, 'roleAssignments', assignment.id),
            linkedRoleEligibilityScheduleInstanceId: assignment.eligibilityId === undefined ? null : resourceIdOf(assignment.scope, 'roleEligibilityScheduleInstances', assignment.eligibilityId),
          }),
      linkedRoleEligibilityScheduleId: linked,
      assignmentType: assignment.eligibilityId === undefined ? 'Assigned' : 'Activated',
      memberType: callerId !== undefined && callerId !== assignment.principalId ? 'Group' : 'Direct',
      status: 'Provisioned',
      startDateTime: iso(assignment.createdAt),
      endDateTime: assignment.expiresAt === undefined ? null : iso(assignment.expiresAt),
      ...PIM_COMMON,
      createdOn: iso(assignment.createdAt),
    },
  };
}
