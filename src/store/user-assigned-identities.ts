// User-assigned identities made through ARM: the resource row (subscription, group, name, location, tags) beside its
// managed identity's principal, written together and removed together (deleting the principal cascades to the row,
// the IDENTITY_HEADER hash and the federated credentials).
import type { Selectable } from 'kysely';
import type { ManagedIdentity, Principal } from '../domain/identities/principal.js';
import { ISOLATION_SCOPES, type IdentityScope, type IsolationScope, type UserAssignedIdentity } from '../domain/identities/user-assigned-identity.js';
import { insertManagedIdentityRows } from './managed-identities.js';
import type { Db } from './open.js';
import type { UserAssignedIdentitiesTable } from './schema.js';
import { isUniqueViolation } from './sql-errors.js';

/** A keyset position in the lists: they run by resource group, then name (both lower case). */
export interface IdentityPosition {
  resourceGroupKey: string;
  nameKey: string;
}

export interface UserAssignedIdentityStore {
  /** Inserts principal, managed-identity row and resource in one transaction; false when the group already has the name. */
  insertUserAssignedIdentity(principal: Principal, managed: ManagedIdentity, identity: UserAssignedIdentity): Promise<boolean>;
  getUserAssignedIdentity(scope: IdentityScope, name: string): Promise<UserAssignedIdentity | undefined>;
  /** Identities of a subscription, or of one of its groups, after `page.after`. */
  listUserAssignedIdentities(
    scope: { subscriptionId: string; resourceGroup?: string },
    page: { after: IdentityPosition | undefined; limit: number },
  ): Promise<UserAssignedIdentity[]>;
  /** Writes what ARM may change: tags, isolation scope, who changed it and when. */
  updateUserAssignedIdentity(identity: Pick<UserAssignedIdentity, 'principalId' | 'tags' | 'isolationScope' | 'updatedBy' | 'updatedAt'>): Promise<void>;
  /**
   * Deletes the identity's principal, and with it (by cascade) the resource, the IDENTITY_HEADER hash and the
   * federated credentials; its group memberships go too, as in Entra. Role assignments naming it stay, as in Azure.
   */
  deleteUserAssignedIdentity(principalId: string): Promise<boolean>;
  /** Whether any identity is in the group (a group exists while a resource is in it). */
  hasResourceGroup(subscriptionId: string, resourceGroup: string): Promise<boolean>;
}

export function createUserAssignedIdentityStore(db: Db): UserAssignedIdentityStore {
  const selectIdentities = () =>
    db
      .selectFrom('user_assigned_identities as u')
      .innerJoin('principals as p', 'p.id', 'u.principal_id')
      .selectAll('u')
      .select(['p.app_id as client_id', 'p.tenant_id as tenant_id']);

  return {
    async insertUserAssignedIdentity(principal, managed, identity) {
      try {
        await db.transaction().execute(async (tx) => {
          await insertManagedIdentityRows(tx, principal, managed);
          await tx
            .insertInto('user_assigned_identities')
            .values({
              principal_id: identity.principalId,
              subscription_id: identity.subscriptionId.toLowerCase(),
              resource_group: identity.resourceGroup,
              resource_group_key: identity.resourceGroup.toLowerCase(),
              name: identity.name,
              name_key: identity.name.toLowerCase(),
              location: identity.location,
              tags: JSON.stringify(identity.tags),
              isolation_scope: identity.isolationScope,
              created_by: identity.createdBy,
              updated_by: identity.updatedBy,
              created_at: identity.createdAt,
              updated_at: identity.updatedAt,
            })
            .execute();
        });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async getUserAssignedIdentity(scope, name) {
      const row = await selectIdentities()
        .where('u.subscription_id', '=', scope.subscriptionId.toLowerCase())
        .where('u.resource_group_key', '=', scope.resourceGroup.toLowerCase())
        .where('u.name_key', '=', name.toLowerCase())
        .executeTakeFirst();
      return row && toUserAssignedIdentity(row);
    },
    async listUserAssignedIdentities(scope, page) {
      let query = selectIdentities().where('u.subscription_id', '=', scope.subscriptionId.toLowerCase());
      if (scope.resourceGroup !== undefined) query = query.where('u.resource_group_key', '=', scope.resourceGroup.toLowerCase());
      const after = page.after;
      if (after !== undefined) {
        query = query.where((eb) =>
          eb.or([
            eb('u.resource_group_key', '>', after.resourceGroupKey),
            eb.and([eb('u.resource_group_key', '=', after.resourceGroupKey), eb('u.name_key', '>', after.nameKey)]),
          ]),
        );
      }
      const rows = await query.orderBy('u.resource_group_key').orderBy('u.name_key').limit(page.limit).execute();
      return rows.map(toUserAssignedIdentity);
    },
    async updateUserAssignedIdentity(identity) {
      await db
        .updateTable('user_assigned_identities')
        .set({ tags: JSON.stringify(identity.tags), isolation_scope: identity.isolationScope, updated_by: identity.updatedBy, updated_at: identity.updatedAt })
        .where('principal_id', '=', identity.principalId)
        .execute();
    },
    async deleteUserAssignedIdentity(principalId) {
      return db.transaction().execute(async (tx) => {
        // Group members name their member without a foreign key (a member may be a group); Entra drops a deleted object's memberships.
        await tx.deleteFrom('group_members').where('member_id', '=', principalId).execute();
        const result = await tx.deleteFrom('principals').where('id', '=', principalId).where('kind', '=', 'managedIdentity').executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },
    async hasResourceGroup(subscriptionId, resourceGroup) {
      const row = await db
        .selectFrom('user_assigned_identities')
        .select('principal_id')
        .where('subscription_id', '=', subscriptionId.toLowerCase())
        .where('resource_group_key', '=', resourceGroup.toLowerCase())
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

function toUserAssignedIdentity(row: Selectable<UserAssignedIdentitiesTable> & { client_id: string; tenant_id: string }): UserAssignedIdentity {
  const tags: unknown = JSON.parse(row.tags);
  return {
    principalId: row.principal_id,
    clientId: row.client_id,
    tenantId: row.tenant_id,
    subscriptionId: row.subscription_id,
    resourceGroup: row.resource_group,
    name: row.name,
    location: row.location,
    tags: typeof tags === 'object' && tags !== null && !Array.isArray(tags) ? (tags as Record<string, string>) : {},
    isolationScope: ISOLATION_SCOPES.find((scope): scope is IsolationScope => scope === row.isolation_scope) ?? null,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
