// Access review for one vault: who can do what — role assignments at the vault, above it and on its objects, the
// rights groups pass on to their members, and the vault's access policies — and when each principal last used its
// access (from the audit log), flagging those who have not used it for a chosen number of days. Rights that are
// never used are the first to remove: least privilege, kept up.
import { permissionGrants } from '../../auth/roles/action-pattern.js';
import type { RoleDefinition } from '../../auth/roles/built-in-roles.js';
import { scopeContains, scopeKey, vaultScope } from '../../auth/roles/scopes.js';
import type { Vault } from '../vaults/vault.js';
import type { AccessService } from './access-service.js';

export interface ReviewedRight {
  /** 'roleAssignment' (RBAC) or 'accessPolicy'. */
  kind: 'roleAssignment' | 'accessPolicy';
  /** Whether it reaches the vault's data under the vault's current model (RBAC data roles count only in RBAC vaults). */
  grantsData: boolean;
  /** Whether it allows managing the vault (control-plane actions on it). */
  grantsManagement: boolean;
  /** Through which group, when not held directly. */
  viaGroup?: { id: string; displayName: string };
  assignmentId?: string;
  role?: string;
  scope?: string;
  endsAt?: string;
  /** Access policies: the permission lists; compound identity: the application. */
  permissions?: { keys: string[]; secrets: string[]; certificates: string[] };
  applicationId?: string;
}

export interface ReviewedPrincipal {
  principalId: string;
  displayName: string | undefined;
  rights: ReviewedRight[];
  /** ISO time of the newest successful request to this vault, if any is in the audit log. */
  lastUsedAt: string | undefined;
  /** No use in the review window (or never). */
  unused: boolean;
}

export interface AccessReview {
  vault: string;
  model: 'rbac' | 'accessPolicy';
  unusedDays: number;
  principals: ReviewedPrincipal[];
}

export async function reviewVaultAccess(deps: {
  access: AccessService;
  displayNameOf: (objectId: string) => Promise<string | undefined>;
  vault: Vault;
  lastUse: Map<string, string>;
  unusedDays: number;
  now: Date;
}): Promise<AccessReview> {
  const { access, vault } = deps;
  const rbac = vault.settings.enableRbacAuthorization;
  const vaultKey = scopeKey(vaultScope(vault));
  const byPrincipal = new Map<string, ReviewedRight[]>();
  const add = (principalId: string, right: ReviewedRight): void => {
    byPrincipal.set(principalId, [...(byPrincipal.get(principalId) ?? []), right]);
  };

  /** A group's members, through nested groups, each with the top group the right was given to. */
  async function membersOf(groupId: string, seen = new Set<string>()): Promise<string[]> {
    if (seen.has(groupId)) return [];
    seen.add(groupId);
    const members: string[] = [];
    for (const member of await access.listMembers(groupId)) {
      if (await access.getGroup(member)) members.push(...(await membersOf(member, seen)));
      else members.push(member);
    }
    return members;
  }

  async function grant(holderId: string, right: ReviewedRight): Promise<void> {
    const group = await access.getGroup(holderId);
    if (!group) {
      add(holderId, right);
      return;
    }
    for (const member of await membersOf(group.id)) add(member, { ...right, viaGroup: { id: group.id, displayName: group.displayName } });
  }

  const vaultActionsOf = (role: RoleDefinition | undefined) => ({
    data: role?.permissions.some((permission) => permission.dataActions.length > 0) === true,
    management: role?.permissions.some((permission) => permissionGrants(permission, 'Microsoft.KeyVault/vaults/write', 'control')) === true,
  });

  for (const assignment of await access.listAssignments()) {
    const assignmentKey = scopeKey(assignment.scope);
    // At the vault or above it (inherited), or on one of its objects.
    if (!scopeContains(assignmentKey, vaultKey) && !scopeContains(vaultKey, assignmentKey)) continue;
    const role = await access.findRole(assignment.roleDefinitionId);
    const reach = vaultActionsOf(role);
    if (!reach.data && !reach.management) continue;
    await grant(assignment.principalId, {
      kind: 'roleAssignment',
      grantsData: reach.data && rbac,
      grantsManagement: reach.management,
      assignmentId: assignment.id,
      role: role?.roleName ?? assignment.roleDefinitionId,
      scope: assignment.scope,
      ...(assignment.expiresAt === undefined ? {} : { endsAt: new Date(assignment.expiresAt * 1000).toISOString() }),
    });
  }
  for (const entry of vault.settings.accessPolicies) {
    const { keys, secrets, certificates } = entry.permissions;
    await grant(entry.objectId.toLowerCase(), {
      kind: 'accessPolicy',
      grantsData: !rbac,
      grantsManagement: false,
      permissions: { keys, secrets, certificates },
      ...(entry.applicationId === undefined ? {} : { applicationId: entry.applicationId }),
    });
  }

  const cutoff = deps.now.getTime() - deps.unusedDays * 86_400_000;
  const principals: ReviewedPrincipal[] = [];
  for (const [principalId, rights] of byPrincipal) {
    const lastUsedAt = deps.lastUse.get(principalId);
    principals.push({
      principalId,
      displayName: await deps.displayNameOf(principalId),
      rights,
      lastUsedAt,
      unused: lastUsedAt === undefined || Date.parse(lastUsedAt) < cutoff,
    });
  }
  principals.sort((a, b) => (a.displayName ?? a.principalId).localeCompare(b.displayName ?? b.principalId));
  return { vault: vault.name, model: rbac ? 'rbac' : 'accessPolicy', unusedDays: deps.unusedDays, principals };
}

/** The review of a vault by name (undefined when no active vault has it), for the CLI and the management API. */
export function createAccessReviewer(deps: {
  access: AccessService;
  vaults: { getVaultByName(name: string): Promise<Vault | undefined> };
  identities: { getPrincipal(objectId: string): Promise<{ displayName: string } | undefined> };
  /** caller object id → last successful use of the vault (audit/last-use.ts). */
  lastUse: (vaultName: string) => Promise<Map<string, string>>;
  now: () => Date;
}) {
  /** `within`: the subscription and resource group the vault must be in (the management API names them). */
  return async function review(vaultName: string, unusedDays: number, within?: { subscriptionId: string; resourceGroup: string }): Promise<AccessReview | undefined> {
    const vault = await deps.vaults.getVaultByName(vaultName.toLowerCase());
    if (!vault || vault.deletedAt !== null) return undefined;
    if (within && (vault.subscriptionId !== within.subscriptionId.toLowerCase() || vault.resourceGroup.toLowerCase() !== within.resourceGroup.toLowerCase())) return undefined;
    return reviewVaultAccess({
      access: deps.access,
      displayNameOf: async (objectId) => (await deps.identities.getPrincipal(objectId))?.displayName ?? (await deps.access.getGroup(objectId))?.displayName,
      vault,
      lastUse: await deps.lastUse(vault.name),
      unusedDays,
      now: deps.now(),
    });
  };
}
