// Just-in-time access in the shape of Azure PIM's ARM API (Microsoft.Authorization, api-version 2020-10-01): an
// administrator makes a principal or group eligible for a role at a scope (roleEligibilityScheduleRequests, AdminAssign);
// the eligible principal activates it for a bounded time with a justification (roleAssignmentScheduleRequests,
// SelfActivate), which makes a role assignment that ends by itself on the server's object clock; SelfDeactivate ends it
// early. Requests take effect at once (there are no approvals), so none is ever pending.
import { scopeKey } from '../../auth/roles/scopes.js';
import { parseIsoDuration } from '../../domain/access/iso-duration.js';
import type { RoleAssignment, RoleEligibility } from '../../store/access-control.js';
import { accessErrors, armErrors, authorizationApiErrors } from '../../errors.js';
import { ROLE_SCHEDULE_API_VERSIONS } from './api-versions.js';
import { caller, demand, knownPrincipal, propertiesOf, scopeFor, stringProperty, type AuthorizationServices } from './authorization-operations.js';
import {
  GUID, isAtAboveOrBelow, isAtOrAbove, lastSegment, parseListFilter, prefixOf, resourceIdOf, toAssignmentScheduleRequestResource, toAssignmentScheduleResource,
  toEligibilityScheduleRequestResource, toEligibilityScheduleResource, type ListFilter,
} from './authorization-resources.js';
import { defineManagementOperation, type ManagementContext, type ManagementOperation } from './define-management-operation.js';

/**
 * How long an activation may last at most: Azure's default role-management policy ("Maximum activation duration", 8
 * hours). Divergence: role-management policies cannot be changed here, so every eligibility gets this maximum.
 */
export const MAX_ACTIVATION_SECONDS = 8 * 3600;
/** A schedule may start this much in the future (clock differences); later starts are not supported. */
const START_LEEWAY_SECONDS = 300;

const PREFIX = '{scope}/providers/Microsoft.Authorization';
const ACTIONS = {
  assignmentWrite: 'Microsoft.Authorization/roleAssignments/write',
  assignmentDelete: 'Microsoft.Authorization/roleAssignments/delete',
  eligibilityRequestWrite: 'Microsoft.Authorization/roleEligibilityScheduleRequests/write',
  eligibilityRequestRead: 'Microsoft.Authorization/roleEligibilityScheduleRequests/read',
  eligibilityRequestCancel: 'Microsoft.Authorization/roleEligibilityScheduleRequests/cancel/action',
  eligibilityScheduleRead: 'Microsoft.Authorization/roleEligibilitySchedules/read',
  eligibilityInstanceRead: 'Microsoft.Authorization/roleEligibilityScheduleInstances/read',
  assignmentRequestWrite: 'Microsoft.Authorization/roleAssignmentScheduleRequests/write',
  assignmentRequestRead: 'Microsoft.Authorization/roleAssignmentScheduleRequests/read',
  assignmentRequestCancel: 'Microsoft.Authorization/roleAssignmentScheduleRequests/cancel/action',
  assignmentScheduleRead: 'Microsoft.Authorization/roleAssignmentSchedules/read',
  assignmentInstanceRead: 'Microsoft.Authorization/roleAssignmentScheduleInstances/read',
} as const;

/** The caller's object id and its groups' (lower case). */
async function callerIdentities(ctx: ManagementContext, services: AuthorizationServices): Promise<Set<string>> {
  return ctx.principal ? services.identitiesOf(ctx.principal) : new Set();
}

/**
 * Who may list: anyone may list their own (asTarget(), as in Azure, so an eligible principal finds what it can
 * activate); everything else needs the read action at the path.
 */
async function listScope(ctx: ManagementContext, params: Record<string, string>, query: Record<string, string | undefined>, collection: string, action: string) {
  const scope = scopeFor(ctx, params);
  const filter = parseListFilter(query.$filter, { pim: true });
  if (!filter.asTarget) await demand(ctx, action, `${prefixOf(scope)}/providers/Microsoft.Authorization/${collection}`);
  return { scope, filter };
}

function listed<T extends { scope: string; principalId: string; roleDefinitionId: string }>(items: T[], scope: string, filter: ListFilter, mine: Set<string>): T[] {
  return items.filter(
    (item) =>
      (filter.atScope ? isAtOrAbove(item.scope, scope) : isAtAboveOrBelow(item.scope, scope)) &&
      (!filter.asTarget || mine.has(item.principalId)) &&
      (filter.principalId === undefined || item.principalId === filter.principalId) &&
      (filter.roleDefinitionId === undefined || item.roleDefinitionId === filter.roleDefinitionId),
  );
}

/** Eligibilities still in force (an ended one can no longer be activated, so it is no longer listed). */
async function activeEligibilities(services: AuthorizationServices, filter: { principalId?: string } = {}): Promise<RoleEligibility[]> {
  return (await services.access.listEligibilities(filter)).filter((eligibility) => eligibility.expiresAt === undefined || eligibility.expiresAt > services.now());
}

async function eligibilityAt(services: AuthorizationServices, scope: string, name: string): Promise<RoleEligibility | undefined> {
  return (await activeEligibilities(services)).find((eligibility) => eligibility.id === name.toLowerCase() && scopeKey(eligibility.scope) === scopeKey(scope));
}

/** A request's Unix-seconds start, and end (undefined: no expiration), from `scheduleInfo`. */
function scheduleOf(properties: Record<string, unknown>, now: number, options: { defaultSeconds?: number }): { start: number; end: number | undefined } {
  const info = (properties.scheduleInfo ?? {}) as Record<string, unknown>;
  if (typeof info !== 'object' || info === null) throw armErrors.badRequest('properties.scheduleInfo', 'properties.scheduleInfo must be an object.');
  let start = now;
  if (info.startDateTime !== undefined && info.startDateTime !== null) {
    const parsed = typeof info.startDateTime === 'string' ? Date.parse(info.startDateTime) : Number.NaN;
    if (Number.isNaN(parsed)) throw armErrors.badRequest('properties.scheduleInfo.startDateTime', 'startDateTime must be an ISO 8601 date and time.');
    start = Math.floor(parsed / 1000);
    // Divergence: schedules that start later are not supported (nothing here would start them).
    if (start > now + START_LEEWAY_SECONDS) throw armErrors.badRequest('properties.scheduleInfo.startDateTime', 'Schedules that start in the future are not supported: leave startDateTime out or give the present time.');
    start = Math.min(start, now);
  }
  const expiration = (info.expiration ?? {}) as Record<string, unknown>;
  const type = typeof expiration.type === 'string' ? expiration.type : expiration.duration ? 'AfterDuration' : expiration.endDateTime ? 'AfterDateTime' : undefined;
  switch (type?.toLowerCase()) {
    case 'afterduration': {
      const seconds = typeof expiration.duration === 'string' ? parseIsoDuration(expiration.duration) : undefined;
      if (seconds === undefined || seconds <= 0) throw armErrors.badRequest('properties.scheduleInfo.expiration.duration', `The duration '${String(expiration.duration)}' is not an ISO 8601 duration such as 'PT1H'.`);
      return { start, end: start + seconds };
    }
    case 'afterdatetime': {
      const parsed = typeof expiration.endDateTime === 'string' ? Date.parse(expiration.endDateTime) : Number.NaN;
      if (Number.isNaN(parsed)) throw armErrors.badRequest('properties.scheduleInfo.expiration.endDateTime', 'endDateTime must be an ISO 8601 date and time.');
      return { start, end: Math.floor(parsed / 1000) };
    }
    case 'noexpiration':
      return { start, end: undefined };
    case undefined:
      return { start, end: options.defaultSeconds === undefined ? undefined : start + options.defaultSeconds };
    default:
      throw armErrors.badRequest('properties.scheduleInfo.expiration.type', `The expiration type '${type}' is not one of AfterDuration, AfterDateTime, NoExpiration.`);
  }
}

/** The caller's activations (assignments made from an eligibility) of a role at a scope that are still in force. */
async function activationsOf(services: AuthorizationServices, principalId: string, roleId: string, scope: string): Promise<RoleAssignment[]> {
  return (await services.access.listAssignments({ principalId })).filter(
    (assignment) => assignment.eligibilityId !== undefined && assignment.roleDefinitionId === roleId && scopeKey(assignment.scope) === scopeKey(scope),
  );
}

const op = (operation: ManagementOperation<AuthorizationServices>) => defineManagementOperation<AuthorizationServices>({ apiVersions: ROLE_SCHEDULE_API_VERSIONS, ...operation });

export const roleScheduleOperations: Array<ManagementOperation<AuthorizationServices>> = [
  op({
    method: 'PUT', path: `${PREFIX}/roleEligibilityScheduleRequests/:name`, operationName: 'RoleEligibilityScheduleRequestCreate', action: ACTIONS.eligibilityRequestWrite,
    authorizesItself: true,
    handle: async (ctx, { params, body }, services) => {
      const { access } = services;
      const scope = scopeFor(ctx, params);
      const name = params.name!;
      const properties = propertiesOf(body);
      const roleReference = stringProperty(properties, 'roleDefinitionId', true);
      const requestType = stringProperty(properties, 'requestType', true);
      // Making someone eligible is granting them a role, so it takes the right to assign that role (conditions included).
      const removing = requestType.toLowerCase() === 'adminremove';
      await demand(ctx, removing ? ACTIONS.assignmentDelete : ACTIONS.assignmentWrite, resourceIdOf(scope, 'roleEligibilityScheduleRequests', name), lastSegment(roleReference).toLowerCase());
      if (!GUID.test(name)) throw authorizationApiErrors.invalidRoleAssignmentId(name);
      if (requestType.toLowerCase() !== 'adminassign' && !removing) throw authorizationApiErrors.requestTypeNotSupported(requestType, ['AdminAssign', 'AdminRemove']);
      if (stringProperty(properties, 'condition') || stringProperty(properties, 'conditionVersion')) throw authorizationApiErrors.conditionNotSupported();
      const role = await access.findRole(roleReference);
      if (!role) throw accessErrors.roleDefinitionDoesNotExist(roleReference);
      const principal = await knownPrincipal(access, stringProperty(properties, 'principalId', true));
      if (removing) {
        const eligibility = (await activeEligibilities(services, { principalId: principal.objectId })).find(
          (candidate) => candidate.roleDefinitionId === role.id.toLowerCase() && scopeKey(candidate.scope) === scopeKey(scope),
        );
        if (!eligibility) throw accessErrors.eligibilityNotFound();
        await access.deleteEligibility(eligibility.id);
        return { status: 201, body: toEligibilityScheduleRequestResource(eligibility, { requestType: 'AdminRemove', status: 'Revoked', name }) };
      }
      if ((await access.listEligibilities()).some((eligibility) => eligibility.id === name.toLowerCase())) throw accessErrors.roleAssignmentExists();
      const now = services.now();
      const { end } = scheduleOf(properties, now, {});
      if (end !== undefined && end <= now) throw armErrors.badRequest('properties.scheduleInfo.expiration', 'The eligibility would end before it starts: its expiration is in the past.');
      const justification = stringProperty(properties, 'justification');
      const eligibility = await access.createEligibility({
        id: name, scope, roleDefinitionId: role.id, principalId: principal.objectId, principalType: principal.principalType,
        ...(justification === undefined ? {} : { description: justification }), createdBy: caller(ctx),
        maxActivationSeconds: MAX_ACTIVATION_SECONDS, ...(end === undefined ? {} : { expiresAt: end }),
      });
      return { status: 201, body: toEligibilityScheduleRequestResource(eligibility) };
    },
  }),
  op({
    method: 'GET', path: `${PREFIX}/roleEligibilityScheduleRequests/:name`, operationName: 'RoleEligibilityScheduleRequestGet', action: ACTIONS.eligibilityRequestRead,
    handle: async (ctx, { params }, services) => {
      const eligibility = await eligibilityAt(services, scopeFor(ctx, params), params.name!);
      if (!eligibility) throw authorizationApiErrors.scheduleRequestNotFound('RoleEligibilityScheduleRequest', params.name!);
      return { body: toEligibilityScheduleRequestResource(eligibility) };
    },
  }),
  op({
    method: 'GET', path: `${PREFIX}/roleEligibilityScheduleRequests`, operationName: 'RoleEligibilityScheduleRequestList', action: ACTIONS.eligibilityRequestRead, authorizesItself: true,
    handle: async (ctx, { params, query }, services) => {
      const { scope, filter } = await listScope(ctx, params, query, 'roleEligibilityScheduleRequests', ACTIONS.eligibilityRequestRead);
      const items = listed(await activeEligibilities(services), scope, filter, await callerIdentities(ctx, services));
      return { body: { value: items.map((eligibility) => toEligibilityScheduleRequestResource(eligibility)) } };
    },
  }),
  op({
    method: 'POST', path: `${PREFIX}/roleEligibilityScheduleRequests/:name/cancel`, operationName: 'RoleEligibilityScheduleRequestCancel', action: ACTIONS.eligibilityRequestCancel,
    handle: async (ctx, { params }, services) => {
      if (!(await eligibilityAt(services, scopeFor(ctx, params), params.name!))) throw authorizationApiErrors.scheduleRequestNotFound('RoleEligibilityScheduleRequest', params.name!);
      throw authorizationApiErrors.requestNotCancellable(params.name!);
    },
  }),
  ...(['RoleEligibilitySchedules', 'RoleEligibilityScheduleInstances'] as const).flatMap((kind) => {
    const collection = kind === 'RoleEligibilitySchedules' ? 'roleEligibilitySchedules' : 'roleEligibilityScheduleInstances';
    const action = kind === 'RoleEligibilitySchedules' ? ACTIONS.eligibilityScheduleRead : ACTIONS.eligibilityInstanceRead;
    const singular = kind.slice(0, -1);
    return [
      op({
        method: 'GET', path: `${PREFIX}/${collection}`, operationName: `${singular}List`, action, authorizesItself: true,
        handle: async (ctx, { params, query }, services) => {
          const { scope, filter } = await listScope(ctx, params, query, collection, action);
          const mine = await callerIdentities(ctx, services);
          const items = listed(await activeEligibilities(services), scope, filter, mine);
          return { body: { value: items.map((eligibility) => toEligibilityScheduleResource(eligibility, kind, filter.asTarget ? caller(ctx) : undefined)) } };
        },
      }),
      op({
        method: 'GET', path: `${PREFIX}/${collection}/:name`, operationName: `${singular}Get`, action,
        handle: async (ctx, { params }, services) => {
          const eligibility = await eligibilityAt(services, scopeFor(ctx, params), params.name!);
          if (!eligibility) throw authorizationApiErrors.scheduleNotFound(singular, params.name!);
          return { body: toEligibilityScheduleResource(eligibility, kind) };
        },
      }),
    ];
  }),

  op({
    method: 'PUT', path: `${PREFIX}/roleAssignmentScheduleRequests/:name`, operationName: 'RoleAssignmentScheduleRequestCreate', action: ACTIONS.assignmentRequestWrite,
    // The right to activate is the eligibility itself, checked by the access service.
    authorizesItself: true,
    handle: async (ctx, { params, body }, services) => {
      const { access } = services;
      const scope = scopeFor(ctx, params);
      const name = params.name!;
      const properties = propertiesOf(body);
      const requestType = stringProperty(properties, 'requestType', true);
      const activating = requestType.toLowerCase() === 'selfactivate';
      if (!activating && requestType.toLowerCase() !== 'selfdeactivate') {
        throw authorizationApiErrors.requestTypeNotSupported(requestType, ['SelfActivate', 'SelfDeactivate (standing assignments: roleAssignments)']);
      }
      // The audit record names the activation (or deactivation), whatever its outcome.
      ctx.operationName = activating ? 'RoleAssignmentSelfActivate' : 'RoleAssignmentSelfDeactivate';
      const me = caller(ctx).toLowerCase();
      if (ctx.principal === undefined || stringProperty(properties, 'principalId', true).toLowerCase() !== me) throw authorizationApiErrors.notTheRequestor();
      if (!GUID.test(name)) throw authorizationApiErrors.invalidRoleAssignmentId(name);
      const roleReference = stringProperty(properties, 'roleDefinitionId', true);
      const role = await access.findRole(roleReference);
      if (!role) throw accessErrors.roleDefinitionDoesNotExist(roleReference);
      const roleId = role.id.toLowerCase();
      if (!activating) {
        const active = await activationsOf(services, me, roleId, scope);
        if (active.length === 0) throw authorizationApiErrors.activationNotFound();
        for (const assignment of active) await access.deleteAssignment(assignment.id);
        ctx.objectId = resourceIdOf(scope, 'roleAssignments', active[0]!.id);
        return { status: 201, body: toAssignmentScheduleRequestResource(active[0]!, { requestType: 'SelfDeactivate', status: 'Revoked', name }) };
      }
      if (stringProperty(properties, 'condition') || stringProperty(properties, 'conditionVersion')) throw authorizationApiErrors.conditionNotSupported();
      const mine = await callerIdentities(ctx, services);
      // The eligibility named, or (as Azure allows) the caller's one for this role at this scope.
      const linked = stringProperty(properties, 'linkedRoleEligibilityScheduleId');
      const eligibility = (await activeEligibilities(services)).find((candidate) =>
        linked !== undefined
          ? candidate.id === lastSegment(linked).toLowerCase()
          : mine.has(candidate.principalId) && candidate.roleDefinitionId === roleId && scopeKey(candidate.scope) === scopeKey(scope),
      );
      if (!eligibility || !mine.has(eligibility.principalId)) throw accessErrors.eligibilityNotFound();
      if (eligibility.roleDefinitionId !== roleId || scopeKey(eligibility.scope) !== scopeKey(scope)) {
        throw armErrors.badRequest('properties.linkedRoleEligibilityScheduleId', 'The eligibility is for another role or scope than the request names.');
      }
      if ((await access.getAssignment(name)) || (await activationsOf(services, me, roleId, scope)).length > 0) throw accessErrors.roleAssignmentExists();
      const now = services.now();
      const { end } = scheduleOf(properties, now, { defaultSeconds: eligibility.maxActivationSeconds });
      const assignment = await access.activate({
        eligibilityId: eligibility.id, principalIds: mine, durationSeconds: end === undefined ? Number.POSITIVE_INFINITY : end - now,
        justification: stringProperty(properties, 'justification') ?? '', activatedBy: me, assignmentId: name,
      });
      ctx.objectId = resourceIdOf(assignment.scope, 'roleAssignments', assignment.id);
      return { status: 201, body: toAssignmentScheduleRequestResource(assignment) };
    },
  }),
  op({
    method: 'GET', path: `${PREFIX}/roleAssignmentScheduleRequests/:name`, operationName: 'RoleAssignmentScheduleRequestGet', action: ACTIONS.assignmentRequestRead, authorizesItself: true,
    handle: async (ctx, { params }, services) => {
      const scope = scopeFor(ctx, params);
      const assignment = await services.access.getAssignment(params.name!);
      const visible = assignment?.eligibilityId !== undefined && scopeKey(assignment.scope) === scopeKey(scope);
      // The requestor may read its own request; others need the read action.
      if (!visible || assignment.principalId !== caller(ctx).toLowerCase()) await demand(ctx, ACTIONS.assignmentRequestRead, resourceIdOf(scope, 'roleAssignmentScheduleRequests', params.name!));
      if (!visible) throw authorizationApiErrors.scheduleRequestNotFound('RoleAssignmentScheduleRequest', params.name!);
      return { body: toAssignmentScheduleRequestResource(assignment) };
    },
  }),
  op({
    method: 'GET', path: `${PREFIX}/roleAssignmentScheduleRequests`, operationName: 'RoleAssignmentScheduleRequestList', action: ACTIONS.assignmentRequestRead, authorizesItself: true,
    handle: async (ctx, { params, query }, services) => {
      const { scope, filter } = await listScope(ctx, params, query, 'roleAssignmentScheduleRequests', ACTIONS.assignmentRequestRead);
      const activations = (await services.access.listAssignments()).filter((assignment) => assignment.eligibilityId !== undefined);
      const items = listed(activations, scope, filter, await callerIdentities(ctx, services));
      return { body: { value: items.map((assignment) => toAssignmentScheduleRequestResource(assignment)) } };
    },
  }),
  op({
    method: 'POST', path: `${PREFIX}/roleAssignmentScheduleRequests/:name/cancel`, operationName: 'RoleAssignmentScheduleRequestCancel', action: ACTIONS.assignmentRequestCancel,
    handle: async (ctx, { params }, services) => {
      const scope = scopeFor(ctx, params);
      const assignment = await services.access.getAssignment(params.name!);
      if (assignment?.eligibilityId === undefined || scopeKey(assignment.scope) !== scopeKey(scope)) {
        throw authorizationApiErrors.scheduleRequestNotFound('RoleAssignmentScheduleRequest', params.name!);
      }
      throw authorizationApiErrors.requestNotCancellable(params.name!);
    },
  }),
  ...(['RoleAssignmentSchedules', 'RoleAssignmentScheduleInstances'] as const).flatMap((kind) => {
    const collection = kind === 'RoleAssignmentSchedules' ? 'roleAssignmentSchedules' : 'roleAssignmentScheduleInstances';
    const action = kind === 'RoleAssignmentSchedules' ? ACTIONS.assignmentScheduleRead : ACTIONS.assignmentInstanceRead;
    const singular = kind.slice(0, -1);
    return [
      op({
        // Every assignment in force: standing ones ('Assigned') and activations ('Activated', with their end).
        method: 'GET', path: `${PREFIX}/${collection}`, operationName: `${singular}List`, action, authorizesItself: true,
        handle: async (ctx, { params, query }, services) => {
          const { scope, filter } = await listScope(ctx, params, query, collection, action);
          const items = listed(await services.access.listAssignments(), scope, filter, await callerIdentities(ctx, services));
          return { body: { value: items.map((assignment) => toAssignmentScheduleResource(assignment, kind, filter.asTarget ? caller(ctx) : undefined)) } };
        },
      }),
      op({
        method: 'GET', path: `${PREFIX}/${collection}/:name`, operationName: `${singular}Get`, action,
        handle: async (ctx, { params }, services) => {
          const scope = scopeFor(ctx, params);
          const assignment = (await services.access.listAssignments({ scope })).find((candidate) => candidate.id === params.name!.toLowerCase() && scopeKey(candidate.scope) === scopeKey(scope));
          if (!assignment) throw authorizationApiErrors.scheduleNotFound(singular, params.name!);
          return { body: toAssignmentScheduleResource(assignment, kind) };
        },
      }),
    ];
  }),
];
