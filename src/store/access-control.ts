// Role assignments, eligible assignments, custom role definitions and groups. The authorizer reads assignments per
// principal and group memberships per member on every decision it has not cached; those reads are cached here while
// the store's change stamp holds (see cached-lookup.ts), so a removed assignment is seen on the next request.
import type { Selectable } from 'kysely';
import type { Permission } from '../auth/roles/action-pattern.js';
import type { RoleDefinition } from '../auth/roles/built-in-roles.js';
import { scopeKey } from '../auth/roles/scopes.js';
import { accessErrors } from '../errors.js';
import { cachedLookup } from './cached-lookup.js';
import { changeStamp, type Db } from './open.js';
import { isUniqueViolation } from './sql-errors.js';
import type { GroupsTable, RoleAssignmentsTable, RoleDefinitionsTable } from './schema.js';

export type PrincipalType = 'ServicePrincipal' | 'Group' | 'User' | 'ForeignGroup';

export interface RoleAssignment {
  id: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: PrincipalType;
  description: string | undefined;
  createdAt: number;
  createdBy: string | undefined;
  /** Unix seconds after which it no longer applies; undefined: standing. */
  expiresAt: number | undefined;
  /** For a just-in-time activation: the eligibility activated, and why. */
  eligibilityId: string | undefined;
  justification: string | undefined;
}

/** An eligible assignment: the principal may activate the role at the scope for up to maxActivationSeconds. */
export interface RoleEligibility extends Omit<RoleAssignment, 'eligibilityId' | 'justification'> {
  maxActivationSeconds: number;
}

export interface Group {
  id: string;
  tenantId: string;
  displayName: string;
  description: string | undefined;
  mailNickname: string | undefined;
  createdAt: number;
}

export interface AccessControlStore {
  /** Assignments naming this principal or group id (expired ones included: the caller compares with its clock). */
  assignmentsOf(principalId: string): Promise<readonly RoleAssignment[]>;
  /** The groups this principal or group is a direct member of. */
  groupsOf(memberId: string): Promise<readonly string[]>;
  customRole(id: string): Promise<RoleDefinition | undefined>;

  listAssignments(filter?: { principalId?: string }): Promise<RoleAssignment[]>;
  getAssignment(id: string): Promise<RoleAssignment | undefined>;
  insertAssignment(assignment: RoleAssignment): Promise<void>;
  deleteAssignment(id: string): Promise<boolean>;
  /** Removes assignments whose end passed (just-in-time activations), returning how many. */
  deleteExpiredAssignments(now: number): Promise<number>;

  listEligibilities(filter?: { principalId?: string }): Promise<RoleEligibility[]>;
  getEligibility(id: string): Promise<RoleEligibility | undefined>;
  insertEligibility(eligibility: RoleEligibility): Promise<void>;
  deleteEligibility(id: string): Promise<boolean>;

  listCustomRoles(): Promise<RoleDefinition[]>;
  upsertCustomRole(role: RoleDefinition, at: number, createdBy: string | undefined): Promise<void>;
  deleteCustomRole(id: string): Promise<boolean>;

  listGroups(): Promise<Group[]>;
  getGroup(id: string): Promise<Group | undefined>;
  insertGroup(group: Group): Promise<void>;
  deleteGroup(id: string): Promise<boolean>;
  listMembers(groupId: string): Promise<string[]>;
  addMember(groupId: string, memberId: string, at: number): Promise<void>;
  removeMember(groupId: string, memberId: string): Promise<boolean>;
}

export function createAccessControlStore(db: Db): AccessControlStore {
  const stamp = changeStamp(db);
  const assignmentsByPrincipal = cachedLookup<{ items: readonly RoleAssignment[] }>({
    stamp,
    load: async (principalId) => {
      const rows = await db.selectFrom('role_assignments').selectAll().where('principal_id', '=', principalId).execute();
      return { items: Object.freeze(rows.map(toAssignment)) };
    },
  });
  const groupsByMember = cachedLookup<{ items: readonly string[] }>({
    stamp,
    load: async (memberId) => {
      const rows = await db.selectFrom('group_members').select('group_id').where('member_id', '=', memberId).execute();
      return { items: Object.freeze(rows.map((row) => row.group_id)) };
    },
  });
  const customRoles = cachedLookup<RoleDefinition>({
    stamp,
    load: async (id) => {
      const row = await db.selectFrom('role_definitions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRole(row);
    },
  });

  const deleted = (result: { numDeletedRows: bigint }) => result.numDeletedRows > 0n;

  return {
    assignmentsOf: async (principalId) => (await assignmentsByPrincipal(principalId.toLowerCase()))!.items,
    groupsOf: async (memberId) => (await groupsByMember(memberId.toLowerCase()))!.items,
    customRole: (id) => customRoles(id.toLowerCase()),

    async listAssignments(filter = {}) {
      let query = db.selectFrom('role_assignments').selectAll();
      if (filter.principalId !== undefined) query = query.where('principal_id', '=', filter.principalId.toLowerCase());
      return (await query.orderBy('created_at').orderBy('id').execute()).map(toAssignment);
    },
    async getAssignment(id) {
      const row = await db.selectFrom('role_assignments').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
      return row && toAssignment(row);
    },
    async insertAssignment(assignment) {
      // The id is the assignment's name: a concurrent request creating the same name got there first.
      await db.insertInto('role_assignments').values(fromAssignment(assignment)).execute().catch(conflictAsExists);
    },
    async deleteAssignment(id) {
      return deleted(await db.deleteFrom('role_assignments').where('id', '=', id.toLowerCase()).executeTakeFirst());
    },
    async deleteExpiredAssignments(now) {
      const result = await db.deleteFrom('role_assignments').where('expires_at', 'is not', null).where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async listEligibilities(filter = {}) {
      let query = db.selectFrom('role_eligibilities').selectAll();
      if (filter.principalId !== undefined) query = query.where('principal_id', '=', filter.principalId.toLowerCase());
      return (await query.orderBy('created_at').orderBy('id').execute()).map(toEligibility);
    },
    async getEligibility(id) {
      const row = await db.selectFrom('role_eligibilities').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
      return row && toEligibility(row);
    },
    async insertEligibility(eligibility) {
      await db
        .insertInto('role_eligibilities')
        .values({ ...fromAssignment({ ...eligibility, eligibilityId: undefined, justification: undefined }), max_activation_seconds: eligibility.maxActivationSeconds })
        .execute()
        .catch(conflictAsExists);
    },
    async deleteEligibility(id) {
      return deleted(await db.deleteFrom('role_eligibilities').where('id', '=', id.toLowerCase()).executeTakeFirst());
    },

    async listCustomRoles() {
      return (await db.selectFrom('role_definitions').selectAll().orderBy('role_name').execute()).map(toRole);
    },
    async upsertCustomRole(role, at, createdBy) {
      const values = {
        role_name: role.roleName,
        description: role.description,
        permissions: JSON.stringify(role.permissions),
        assignable_scopes: JSON.stringify(role.assignableScopes),
        updated_at: at,
      };
      await db
        .insertInto('role_definitions')
        .values({ id: role.id.toLowerCase(), ...values, created_at: at, created_by: createdBy ?? null })
        .onConflict((conflict) => conflict.column('id').doUpdateSet(values))
        .execute();
    },
    async deleteCustomRole(id) {
      return deleted(await db.deleteFrom('role_definitions').where('id', '=', id.toLowerCase()).executeTakeFirst());
    },

    async listGroups() {
      return (await db.selectFrom('groups').selectAll().orderBy('display_name').execute()).map(toGroup);
    },
    async getGroup(id) {
      const row = await db.selectFrom('groups').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
      return row && toGroup(row);
    },
    async insertGroup(group) {
      await db
        .insertInto('groups')
        .values({
          id: group.id.toLowerCase(),
          tenant_id: group.tenantId,
          display_name: group.displayName,
          description: group.description ?? null,
          mail_nickname: group.mailNickname ?? null,
          created_at: group.createdAt,
        })
        .execute();
    },
    async deleteGroup(id) {
      return db.transaction().execute(async (tx) => {
        // Its memberships in other groups go with it; its own member rows go by cascade.
        await tx.deleteFrom('group_members').where('member_id', '=', id.toLowerCase()).execute();
        return deleted(await tx.deleteFrom('groups').where('id', '=', id.toLowerCase()).executeTakeFirst());
      });
    },
    async listMembers(groupId) {
      const rows = await db.selectFrom('group_members').select('member_id').where('group_id', '=', groupId.toLowerCase()).orderBy('created_at').execute();
      return rows.map((row) => row.member_id);
    },
    async addMember(groupId, memberId, at) {
      await db
        .insertInto('group_members')
        .values({ group_id: groupId.toLowerCase(), member_id: memberId.toLowerCase(), created_at: at })
        .onConflict((conflict) => conflict.columns(['group_id', 'member_id']).doNothing())
        .execute();
    },
    async removeMember(groupId, memberId) {
      return deleted(await db.deleteFrom('group_members').where('group_id', '=', groupId.toLowerCase()).where('member_id', '=', memberId.toLowerCase()).executeTakeFirst());
    },
  };
}

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/** An assignment's id is its name, unique: inserting one taken answers Azure's 409 RoleAssignmentExists. */
function conflictAsExists(error: unknown): never {
  throw isUniqueViolation(error) ? accessErrors.roleAssignmentExists() : error;
}

function toAssignment(row: Selectable<RoleAssignmentsTable>): RoleAssignment {
  return {
    id: row.id,
    scope: row.scope,
    roleDefinitionId: row.role_definition_id,
    principalId: row.principal_id,
    principalType: row.principal_type as PrincipalType,
    description: orUndefined(row.description),
    createdAt: Number(row.created_at),
    createdBy: orUndefined(row.created_by),
    expiresAt: row.expires_at === null ? undefined : Number(row.expires_at),
    eligibilityId: orUndefined(row.eligibility_id),
    justification: orUndefined(row.justification),
  };
}

function toEligibility(row: Selectable<RoleAssignmentsTable>): RoleEligibility {
  const { eligibilityId: _eligibility, justification: _justification, ...rest } = toAssignment(row);
  return { ...rest, maxActivationSeconds: Number(row.max_activation_seconds ?? 0) };
}

function fromAssignment(assignment: RoleAssignment) {
  return {
    id: assignment.id.toLowerCase(),
    scope: assignment.scope,
    scope_key: scopeKey(assignment.scope),
    role_definition_id: assignment.roleDefinitionId.toLowerCase(),
    principal_id: assignment.principalId.toLowerCase(),
    principal_type: assignment.principalType,
    description: assignment.description ?? null,
    created_at: assignment.createdAt,
    created_by: assignment.createdBy ?? null,
    expires_at: assignment.expiresAt ?? null,
    eligibility_id: assignment.eligibilityId ?? null,
    justification: assignment.justification ?? null,
    max_activation_seconds: null,
  };
}

function toRole(row: Selectable<RoleDefinitionsTable>): RoleDefinition {
  return {
    id: row.id,
    roleName: row.role_name,
    description: row.description,
    roleType: 'CustomRole',
    permissions: JSON.parse(row.permissions) as Permission[],
    assignableScopes: JSON.parse(row.assignable_scopes) as string[],
  };
}

function toGroup(row: Selectable<GroupsTable>): Group {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    displayName: row.display_name,
    description: orUndefined(row.description),
    mailNickname: orUndefined(row.mail_nickname),
    createdAt: Number(row.created_at),
  };
}
