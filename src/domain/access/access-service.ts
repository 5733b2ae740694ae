// Role definitions (built-in and custom), role assignments, eligible assignments and their just-in-time activation,
// and groups: the rules they follow, shared by the CLI and the APIs (ARM Microsoft.Authorization, Graph groups).
// Assignments name principals by object id; a principal a token names but that we do not know (an external issuer's
// caller) can be assigned by object id with principalType given.
import { randomUUID } from 'node:crypto';
import { isValidActionPattern, type Permission } from '../../auth/roles/action-pattern.js';
import { BUILT_IN_ROLES, builtInRole, type RoleDefinition } from '../../auth/roles/built-in-roles.js';
import { isAssignableScope, scopeContains, scopeKey } from '../../auth/roles/scopes.js';
import { unixSeconds, type Clock } from '../../clock.js';
import { accessErrors } from '../../errors.js';
import type { AccessControlStore, Group, PrincipalType, RoleAssignment, RoleEligibility } from '../../store/access-control.js';
import type { IdentityStore } from '../../store/identities.js';

export type AccessService = ReturnType<typeof createAccessService>;

export interface NewAssignment {
  /** The assignment's GUID (ARM PUT names it); generated when absent. */
  id?: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  /** When absent, looked up: a known principal or group. */
  principalType?: PrincipalType;
  description?: string;
  createdBy?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createAccessService(deps: { store: AccessControlStore; identities: Pick<IdentityStore, 'getPrincipal' | 'getPrincipalByAppId'>; tenantId: string; clock: Clock }) {
  const { store } = deps;

  /** A role by GUID, by ARM id (…/roleDefinitions/GUID) or by name. */
  async function findRole(reference: string): Promise<RoleDefinition | undefined> {
    const id = reference.split('/').pop() ?? reference;
    const builtIn = builtInRole(id) ?? builtInRole(reference);
    if (builtIn) return builtIn;
    if (GUID.test(id)) return store.customRole(id);
    return (await store.listCustomRoles()).find((role) => role.roleName.toLowerCase() === reference.toLowerCase());
  }

  /** A principal or group object id; a service principal may also be named by its client id. */
  async function resolvePrincipal(reference: string): Promise<{ objectId: string; principalType: PrincipalType } | undefined> {
    const byObjectId = await deps.identities.getPrincipal(reference.toLowerCase());
    if (byObjectId) return { objectId: byObjectId.objectId, principalType: 'ServicePrincipal' };
    const group = await store.getGroup(reference);
    if (group) return { objectId: group.id, principalType: 'Group' };
    const byAppId = await deps.identities.getPrincipalByAppId(reference);
    return byAppId && { objectId: byAppId.objectId, principalType: 'ServicePrincipal' };
  }

  async function checkedAssignment(input: NewAssignment): Promise<{ role: RoleDefinition; principalId: string; principalType: PrincipalType; scope: string }> {
    const scope = input.scope.length > 1 && input.scope.endsWith('/') ? input.scope.slice(0, -1) : input.scope;
    if (!isAssignableScope(scope)) throw accessErrors.invalidScope(input.scope);
    const role = await findRole(input.roleDefinitionId);
    if (!role) throw accessErrors.roleDefinitionDoesNotExist(input.roleDefinitionId);
    if (!role.assignableScopes.some((assignable) => scopeContains(scopeKey(assignable), scopeKey(scope)))) throw accessErrors.scopeNotAssignable(role.roleName, scope);
    let principalId = input.principalId.toLowerCase();
    let principalType = input.principalType;
    if (principalType === undefined) {
      const resolved = await resolvePrincipal(input.principalId);
      if (!resolved) throw accessErrors.principalNotFound(input.principalId);
      ({ objectId: principalId, principalType } = resolved);
    } else if (!GUID.test(principalId)) {
      throw accessErrors.principalNotFound(input.principalId);
    }
    return { role, principalId, principalType, scope };
  }

  /** What a new assignment and a new eligibility have in common. */
  function newRow(checked: { role: RoleDefinition; principalId: string; principalType: PrincipalType; scope: string }, input: NewAssignment) {
    return {
      id: (input.id ?? randomUUID()).toLowerCase(),
      scope: checked.scope,
      roleDefinitionId: checked.role.id.toLowerCase(),
      principalId: checked.principalId,
      principalType: checked.principalType,
      description: input.description,
      createdAt: unixSeconds(deps.clock),
      createdBy: input.createdBy,
    };
  }

  async function ensureNew(table: 'assignment' | 'eligibility', checked: { role: RoleDefinition; principalId: string; scope: string }): Promise<void> {
    const existing = table === 'assignment' ? await store.listAssignments({ principalId: checked.principalId }) : await store.listEligibilities({ principalId: checked.principalId });
    const duplicate = existing.some(
      (other) => other.roleDefinitionId === checked.role.id.toLowerCase() && scopeKey(other.scope) === scopeKey(checked.scope) && ('eligibilityId' in other ? other.eligibilityId === undefined : true),
    );
    if (duplicate) throw accessErrors.roleAssignmentExists();
  }

  return {
    findRole,
    resolvePrincipal,

    async listRoleDefinitions(): Promise<RoleDefinition[]> {
      return [...BUILT_IN_ROLES, ...(await store.listCustomRoles())];
    },

    /** Creates or replaces a custom role; built-in roles cannot be changed. */
    async putCustomRole(input: { id?: string; roleName: string; description?: string; permissions: Permission[]; assignableScopes: string[]; createdBy?: string }): Promise<RoleDefinition> {
      const id = (input.id ?? randomUUID()).toLowerCase();
      if (!GUID.test(id)) throw accessErrors.invalidRoleDefinition(`The role definition id '${id}' is not a GUID.`);
      if (builtInRole(id) || builtInRole(input.roleName)) throw accessErrors.roleDefinitionNotEditable();
      if (input.roleName.trim() === '' || input.roleName.length > 256) throw accessErrors.invalidRoleDefinition('The role name must have 1 to 256 characters.');
      const sameName = (await store.listCustomRoles()).find((role) => role.roleName.toLowerCase() === input.roleName.toLowerCase() && role.id !== id);
      if (sameName) throw accessErrors.invalidRoleDefinition(`A role definition named '${input.roleName}' already exists.`);
      if (input.assignableScopes.length === 0 || !input.assignableScopes.every(isAssignableScope)) {
        throw accessErrors.invalidRoleDefinition('assignableScopes must list one or more valid scopes.');
      }
      if (input.permissions.length === 0) throw accessErrors.invalidRoleDefinition('A role definition needs at least one permission block.');
      for (const permission of input.permissions) {
        for (const pattern of [...permission.actions, ...permission.notActions, ...permission.dataActions, ...permission.notDataActions]) {
          if (!isValidActionPattern(pattern)) throw accessErrors.invalidRoleDefinition(`'${pattern}' is not a valid action.`);
        }
      }
      const role: RoleDefinition = { id, roleName: input.roleName, description: input.description ?? '', roleType: 'CustomRole', permissions: input.permissions, assignableScopes: input.assignableScopes };
      await store.upsertCustomRole(role, unixSeconds(deps.clock), input.createdBy);
      return role;
    },

    async deleteCustomRole(reference: string): Promise<RoleDefinition | undefined> {
      const role = await findRole(reference);
      if (!role) return undefined;
      if (role.roleType === 'BuiltInRole') throw accessErrors.roleDefinitionNotEditable();
      if ((await store.listAssignments()).some((assignment) => assignment.roleDefinitionId === role.id)) throw accessErrors.roleDefinitionInUse();
      await store.deleteCustomRole(role.id);
      return role;
    },

    async createAssignment(input: NewAssignment): Promise<RoleAssignment> {
      const checked = await checkedAssignment(input);
      await ensureNew('assignment', checked);
      const assignment: RoleAssignment = { ...newRow(checked, input), expiresAt: undefined, eligibilityId: undefined, justification: undefined };
      await store.insertAssignment(assignment);
      return assignment;
    },

    getAssignment: (id: string) => store.getAssignment(id),

    async deleteAssignment(id: string): Promise<RoleAssignment | undefined> {
      const assignment = await store.getAssignment(id);
      if (assignment) await store.deleteAssignment(id);
      return assignment;
    },

    /** Assignments at, above or below a scope (or all), optionally for one principal; ended activations left out. */
    async listAssignments(filter: { scope?: string; principalId?: string } = {}): Promise<RoleAssignment[]> {
      const now = unixSeconds(deps.clock);
      const key = filter.scope === undefined ? undefined : scopeKey(filter.scope);
      return (await store.listAssignments(filter.principalId === undefined ? {} : { principalId: filter.principalId })).filter(
        (assignment) =>
          (assignment.expiresAt === undefined || assignment.expiresAt > now) &&
          (key === undefined || scopeContains(scopeKey(assignment.scope), key) || scopeContains(key, scopeKey(assignment.scope))),
      );
    },

    /** `expiresAt` (Unix seconds, optional): when the eligibility itself ends; it cannot be activated from then on. */
    async createEligibility(input: NewAssignment & { maxActivationSeconds: number; expiresAt?: number }): Promise<RoleEligibility> {
      const checked = await checkedAssignment(input);
      await ensureNew('eligibility', checked);
      if (!Number.isInteger(input.maxActivationSeconds) || input.maxActivationSeconds < 300 || input.maxActivationSeconds > 24 * 3600) {
        throw accessErrors.invalidRoleDefinition('The longest activation must be between 5 minutes and 24 hours.');
      }
      if (input.expiresAt !== undefined && !(Number.isInteger(input.expiresAt) && input.expiresAt > unixSeconds(deps.clock))) {
        throw accessErrors.invalidRoleDefinition('The eligibility must end in the future.');
      }
      const eligibility: RoleEligibility = { ...newRow(checked, input), expiresAt: input.expiresAt, maxActivationSeconds: input.maxActivationSeconds };
      await store.insertEligibility(eligibility);
      return eligibility;
    },

    listEligibilities: (filter: { principalId?: string } = {}) => store.listEligibilities(filter),

    async deleteEligibility(id: string): Promise<boolean> {
      return store.deleteEligibility(id);
    },

    /**
     * Just-in-time activation by the eligible principal itself (or a group member of an eligible group): a role
     * assignment that ends by itself after `durationSeconds` (at most the eligibility's maximum), with a justification.
     */
    async activate(input: { eligibilityId: string; principalIds: ReadonlySet<string>; durationSeconds: number; justification: string; activatedBy: string; assignmentId?: string }): Promise<RoleAssignment> {
      const eligibility = await store.getEligibility(input.eligibilityId);
      const now = unixSeconds(deps.clock);
      // An eligibility that has ended is gone for its holder.
      if (!eligibility || !input.principalIds.has(eligibility.principalId) || (eligibility.expiresAt !== undefined && eligibility.expiresAt <= now)) {
        throw accessErrors.eligibilityNotFound();
      }
      if (input.justification.trim() === '') throw accessErrors.justificationRequired();
      if (!Number.isInteger(input.durationSeconds) || input.durationSeconds <= 0 || input.durationSeconds > eligibility.maxActivationSeconds) {
        throw accessErrors.activationTooLong(eligibility.maxActivationSeconds);
      }
      const assignment: RoleAssignment = {
        id: (input.assignmentId ?? randomUUID()).toLowerCase(),
        scope: eligibility.scope,
        roleDefinitionId: eligibility.roleDefinitionId,
        // The activation is the caller's own, even when its eligibility came through a group.
        principalId: input.activatedBy.toLowerCase(),
        principalType: 'ServicePrincipal',
        description: `Activated from eligibility ${eligibility.id}`,
        createdAt: now,
        createdBy: input.activatedBy,
        // As in Azure, an activation never outlasts the eligibility it came from.
        expiresAt: eligibility.expiresAt === undefined ? now + input.durationSeconds : Math.min(now + input.durationSeconds, eligibility.expiresAt),
        eligibilityId: eligibility.id,
        justification: input.justification,
      };
      await store.insertAssignment(assignment);
      return assignment;
    },

    async createGroup(input: { id?: string; displayName: string; description?: string; mailNickname?: string }): Promise<Group> {
      const group: Group = {
        id: (input.id ?? randomUUID()).toLowerCase(),
        tenantId: deps.tenantId,
        displayName: input.displayName,
        description: input.description,
        mailNickname: input.mailNickname,
        createdAt: unixSeconds(deps.clock),
      };
      await store.insertGroup(group);
      return group;
    },
    listGroups: () => store.listGroups(),
    getGroup: (id: string) => store.getGroup(id),
    async deleteGroup(id: string): Promise<boolean> {
      return store.deleteGroup(id);
    },
    async addMember(groupId: string, memberReference: string): Promise<string> {
      if (!(await store.getGroup(groupId))) throw accessErrors.groupNotFound(groupId);
      const member = await resolvePrincipal(memberReference);
      if (!member) throw accessErrors.principalNotFound(memberReference);
      if (member.objectId === groupId.toLowerCase()) throw accessErrors.invalidMember('A group cannot be a member of itself.');
      await store.addMember(groupId, member.objectId, unixSeconds(deps.clock));
      return member.objectId;
    },
    async removeMember(groupId: string, memberReference: string): Promise<boolean> {
      const member = await resolvePrincipal(memberReference);
      return store.removeMember(groupId, member?.objectId ?? memberReference);
    },
    listMembers: (groupId: string) => store.listMembers(groupId),
  };
}
