// The one question, asked before any object is read: may this caller perform this action on this resource?
// Deny by default. Data actions are decided by the vault's model — RBAC (role assignments at the vault, above it or
// on the one object) or its access policies — and control-plane actions (the management API) always by RBAC, so a
// management role never grants data access. Decisions are cached until the store changes (any write, by any
// process: the change stamp) or, for a just-in-time assignment, until it ends.
import type { Principal } from '../domain/identities/principal.js';
import type { Vault } from '../domain/vaults/vault.js';
import { unixSeconds, type Clock } from '../clock.js';
import type { ChangeStamp } from '../store/open.js';
import type { AccessControlStore, RoleAssignment } from '../store/access-control.js';
import { accessPolicyAllows } from './access/access-policies.js';
import { ALTERNATIVE_DATA_ACTIONS, POLICY_PERMISSIONS, type PolicyPermission } from './access/operation-permissions.js';
import { permissionGrants } from './roles/action-pattern.js';
import { builtInRole, type RoleDefinition } from './roles/built-in-roles.js';
import { scopeContains, scopeKey } from './roles/scopes.js';

export interface Decision {
  allowed: boolean;
  /** Which model decided: RBAC, or the vault's access policies. */
  model: 'rbac' | 'accessPolicy';
  /** RBAC: the assignment that granted the action. */
  appliedAssignmentId?: string;
  /** Access policies: the permission that was needed. */
  policyPermission?: PolicyPermission;
}

export interface DataRequest {
  principal: Principal;
  vault: Vault;
  /** The operation's audit name (it selects the access-policy permission). */
  operationName: string;
  /** The operation's RBAC data action. */
  action: string;
  /** The resource's scope: the vault's, or one object's in it. */
  resource: string;
}

export interface ControlRequest {
  principal: Principal;
  action: string;
  resource: string;
  /**
   * For Microsoft.Authorization/roleAssignments/write and /delete: the role (GUID) being assigned or removed. A role whose
   * assignments are limited by a condition (assignableRoleIds: Key Vault Data Access Administrator) grants those actions
   * only for a role it lists, so without this it does not grant them at all (fail closed).
   */
  roleDefinitionId?: string;
}

/** The actions Azure's role-assignment conditions constrain (`ActionMatches{'Microsoft.Authorization/roleAssignments/write'}`, …/delete). */
const CONDITIONED_ACTION = /^Microsoft\.Authorization\/roleAssignments\/(write|delete)$/i;

/** Actions of Coffer's own (`Coffer/...`, e.g. the development clock) belong to the bootstrap administrator only. */
const COFFER_ACTION = /^Coffer\//;
const MAX_GROUP_DEPTH = 32;
const MAX_CACHED_DECISIONS = 50_000;

export type Authorizer = ReturnType<typeof createAuthorizer>;

export function createAuthorizer(deps: { store: AccessControlStore; stamp: ChangeStamp; clock: Clock }) {
  const cache = new Map<string, { decision: Decision; validUntil: number }>();
  let cachedAt = Number.NaN;

  /** The principal's object id and every group it belongs to, directly or through other groups. */
  async function identitiesOf(principal: Principal): Promise<Set<string>> {
    // An external issuer picks its callers' object ids: one naming a group of ours would inherit the group's rights
    // as if it were the group. Such a caller holds nothing (tokens naming one of our principals are refused earlier).
    if (principal.kind === 'external' && (await deps.store.getGroup(principal.objectId)) !== undefined) return new Set();
    const ids = new Set([principal.objectId.toLowerCase()]);
    let frontier = [...ids];
    for (let depth = 0; depth < MAX_GROUP_DEPTH && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const id of frontier) {
        for (const group of await deps.store.groupsOf(id)) {
          if (!ids.has(group)) {
            ids.add(group);
            next.push(group);
          }
        }
      }
      frontier = next;
    }
    return ids;
  }

  async function roleOf(assignment: RoleAssignment): Promise<RoleDefinition | undefined> {
    return builtInRole(assignment.roleDefinitionId) ?? deps.store.customRole(assignment.roleDefinitionId);
  }

  /**
   * RBAC: the assignment granting `actions` (any of them) at `resource`, preferring a standing one to one that ends,
   * and the time until which the answer holds.
   */
  async function rbac(
    ids: Set<string>, actions: readonly string[], resource: string, plane: 'control' | 'data', now: number, roleDefinitionId?: string,
  ): Promise<{ decision: Decision; validUntil: number }> {
    const resourceKey = scopeKey(resource);
    const granted = (assignment: RoleAssignment, validUntil: number) => ({ decision: { allowed: true, model: 'rbac' as const, appliedAssignmentId: assignment.id }, validUntil });
    let ending: RoleAssignment | undefined;
    for (const id of ids) {
      for (const assignment of await deps.store.assignmentsOf(id)) {
        if (assignment.expiresAt !== undefined && assignment.expiresAt <= now) continue;
        if (!scopeContains(scopeKey(assignment.scope), resourceKey)) continue;
        const role = await roleOf(assignment);
        if (!role?.permissions.some((permission) => actions.some((action) => permissionGrants(permission, action, plane)))) continue;
        if (!conditionHolds(role, actions, roleDefinitionId)) continue;
        if (assignment.expiresAt === undefined) return granted(assignment, Number.POSITIVE_INFINITY);
        if (ending === undefined || assignment.expiresAt > ending.expiresAt!) ending = assignment;
      }
    }
    if (ending) return granted(ending, ending.expiresAt!);
    return { decision: { allowed: false, model: 'rbac' }, validUntil: Number.POSITIVE_INFINITY };
  }

  /** A role's condition on role assignments: it may write or delete assignments of the roles it lists, and no others. */
  function conditionHolds(role: RoleDefinition, actions: readonly string[], roleDefinitionId: string | undefined): boolean {
    if (role.assignableRoleIds === undefined || !actions.some((action) => CONDITIONED_ACTION.test(action))) return true;
    return roleDefinitionId !== undefined && role.assignableRoleIds.includes(roleDefinitionId.toLowerCase());
  }

  async function cached(key: string, now: number, decide: () => Promise<{ decision: Decision; validUntil: number }>): Promise<Decision> {
    const stamp = deps.stamp.current();
    if (stamp !== cachedAt) {
      cache.clear();
      cachedAt = stamp;
    }
    const hit = cache.get(key);
    if (hit && now < hit.validUntil) return hit.decision;
    const localBefore = deps.stamp.local();
    const fresh = await decide();
    // Not kept if this process wrote meanwhile: the answer may predate that change.
    if (deps.stamp.local() === localBefore && cachedAt === stamp) {
      if (cache.size >= MAX_CACHED_DECISIONS) cache.clear();
      cache.set(key, { decision: Object.freeze(fresh.decision), validUntil: fresh.validUntil });
    }
    return fresh.decision;
  }

  const callerKey = (principal: Principal) => `${principal.tenantId}|${principal.objectId}|${principal.appId}|${principal.enabled ? 1 : 0}|${principal.isAdmin ? 1 : 0}`;

  return {
    async authorizeData(request: DataRequest): Promise<Decision> {
      const { principal, vault } = request;
      const model = vault.settings.enableRbacAuthorization ? 'rbac' : 'accessPolicy';
      if (!principal.enabled) return { allowed: false, model };
      if (COFFER_ACTION.test(request.action)) return { allowed: principal.isAdmin, model };
      const now = unixSeconds(deps.clock);
      const key = `data|${callerKey(principal)}|${vault.id}|${model}|${request.operationName}|${request.resource}`;
      return cached(key, now, async () => {
        const ids = await identitiesOf(principal);
        if (model === 'rbac') {
          return rbac(ids, [request.action, ...(ALTERNATIVE_DATA_ACTIONS[request.operationName] ?? [])], request.resource, 'data', now);
        }
        const needed = POLICY_PERMISSIONS[request.operationName];
        // An operation without a policy permission is never allowed by policy: deny by default.
        const allowed = needed !== undefined && accessPolicyAllows(vault.settings.accessPolicies, { tenantId: principal.tenantId, objectIds: ids, appId: principal.appId }, needed);
        return { decision: { allowed, model, ...(needed ? { policyPermission: needed } : {}) }, validUntil: Number.POSITIVE_INFINITY };
      });
    },

    async authorizeControl(request: ControlRequest): Promise<Decision> {
      const { principal } = request;
      if (!principal.enabled) return { allowed: false, model: 'rbac' };
      const now = unixSeconds(deps.clock);
      const key = `control|${callerKey(principal)}|${request.action}|${request.resource}|${request.roleDefinitionId ?? ''}`;
      return cached(key, now, async () => rbac(await identitiesOf(principal), [request.action], request.resource, 'control', now, request.roleDefinitionId));
    },

    /** The principal's own id and its groups' (for access review and assignment listing). */
    identitiesOf,
  };
}
