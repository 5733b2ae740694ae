// User-assigned managed identities as ARM resources and their federated credentials: what the management API
// (Microsoft.ManagedIdentity) does to them. Each identity is one of Coffer's managed identities — a principal of kind
// 'managedIdentity' with an IDENTITY_HEADER hash — plus the resource row ARM names it by. ARM cannot hand out the
// header; the identity's workload gets one from `coffer identity rotate-header`, or uses a federated credential, or
// an IMDS address binding. Bad input changes nothing: everything is checked before the one write.
import { randomUUID } from 'node:crypto';
import { unixSeconds, type Clock } from '../../clock.js';
import { armErrors, identityResourceErrors } from '../../errors.js';
import type { FederatedCredentialStore } from '../../store/federated-credentials.js';
import type { IdentityPosition, UserAssignedIdentityStore } from '../../store/user-assigned-identities.js';
import { DEFAULT_RESOURCE_GROUP } from '../vaults/vault-service.js';
import { RESOURCE_GROUP_NAME } from '../vaults/vault-management.js';
import { isGuid, normalizeLocation } from '../vaults/vault-properties.js';
import { federatedCredentialProblems, MAX_FEDERATED_CREDENTIALS } from './federated-credential.js';
import type { ManagedIdentityService } from './managed-identity-service.js';
import type { FederatedCredential } from './principal.js';
import { isValidIdentityName, isValidLocation, type IdentityScope, type IsolationScope, type UserAssignedIdentity } from './user-assigned-identity.js';

export type UserAssignedIdentityService = ReturnType<typeof createUserAssignedIdentityService>;

/** What a PUT or PATCH of an identity asks for; PUT requires the location, and what it leaves out returns to its default. */
export interface IdentityRequest {
  location: string | undefined;
  tags: Record<string, string> | undefined;
  isolationScope: IsolationScope | undefined;
}

export interface FederatedCredentialRequest {
  issuer: string;
  subject: string;
  audiences: string[];
}

/** Which field a problem of federatedCredentialProblems concerns, for the ARM error's target. */
const PROBLEM_TARGETS: Array<[RegExp, string]> = [
  [/^name\b/, 'name'],
  [/^issuer\b/, 'properties.issuer'],
  [/^subject\b/, 'properties.subject'],
  [/audience/, 'properties.audiences'],
];

export function createUserAssignedIdentityService(deps: {
  store: UserAssignedIdentityStore;
  managedIdentities: Pick<ManagedIdentityService, 'prepareManagedIdentity'>;
  federated: Pick<FederatedCredentialStore, 'listFederatedCredentials' | 'insertFederatedCredential' | 'replaceFederatedCredential' | 'deleteFederatedCredential'>;
  /** Whether anything (a vault or an identity) is in a group: a group exists while a resource is in it. */
  resourceGroups: { hasResourceGroup(subscriptionId: string, resourceGroup: string): Promise<boolean> };
  /** The server's own subscription, whose 'coffer' group always exists. */
  subscriptionId: string;
  clock: Clock;
}) {
  const { store } = deps;
  const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

  function assertSubscription(subscriptionId: string): void {
    if (!isGuid(subscriptionId)) throw armErrors.invalidSubscriptionId(subscriptionId);
  }

  function assertScope(scope: IdentityScope): void {
    assertSubscription(scope.subscriptionId);
    if (!RESOURCE_GROUP_NAME.test(scope.resourceGroup) || scope.resourceGroup.endsWith('.')) throw armErrors.invalidResourceGroup(scope.resourceGroup);
  }

  async function assertGroupExists(scope: IdentityScope): Promise<void> {
    const builtIn = sameText(scope.subscriptionId, deps.subscriptionId) && sameText(scope.resourceGroup, DEFAULT_RESOURCE_GROUP);
    if (!builtIn && !(await deps.resourceGroups.hasResourceGroup(scope.subscriptionId, scope.resourceGroup))) throw armErrors.resourceGroupNotFound(scope.resourceGroup);
  }

  /** The identity `name` in `scope`, or ARM's 404 (ResourceGroupNotFound when the group holds nothing). */
  async function requireIdentity(scope: IdentityScope, name: string): Promise<UserAssignedIdentity> {
    assertScope(scope);
    const identity = isValidIdentityName(name) ? await store.getUserAssignedIdentity(scope, name) : undefined;
    if (identity) return identity;
    await assertGroupExists(scope);
    throw identityResourceErrors.identityNotFound(name, scope.resourceGroup);
  }

  /** The parent of a federated credential: a missing one is ARM's ParentResourceNotFound. */
  async function requireParent(scope: IdentityScope, name: string): Promise<UserAssignedIdentity> {
    assertScope(scope);
    const identity = isValidIdentityName(name) ? await store.getUserAssignedIdentity(scope, name) : undefined;
    if (identity) return identity;
    await assertGroupExists(scope);
    throw identityResourceErrors.parentNotFound(name);
  }

  function checkedLocation(location: string): string {
    const normalized = normalizeLocation(location);
    if (!isValidLocation(normalized)) throw identityResourceErrors.locationNotAvailable(location);
    return normalized;
  }

  function assertSameLocation(identity: UserAssignedIdentity, requested: string): void {
    if (requested !== identity.location) throw identityResourceErrors.locationCannotChange(identity.name, identity.resourceGroup, identity.location, requested);
  }

  async function update(identity: UserAssignedIdentity, changes: Pick<UserAssignedIdentity, 'tags' | 'isolationScope'>, caller: string): Promise<UserAssignedIdentity> {
    const updated: UserAssignedIdentity = { ...identity, ...changes, updatedBy: caller, updatedAt: unixSeconds(deps.clock) };
    await store.updateUserAssignedIdentity(updated);
    return updated;
  }

  /** The credential of that name (ARM names are case-insensitive), among the identity's. */
  const named = (credentials: FederatedCredential[], name: string) => credentials.find((credential) => sameText(credential.name, name));

  function checkedCredential(name: string, request: FederatedCredentialRequest): void {
    const problems = federatedCredentialProblems({ name, ...request });
    if (problems.length === 0) return;
    const target = PROBLEM_TARGETS.find(([pattern]) => pattern.test(problems[0]!))?.[1] ?? 'properties';
    throw armErrors.badRequest(target, `The federated identity credential is invalid: ${problems.join('; ')}.`);
  }

  return {
    /** UserAssignedIdentities_CreateOrUpdate: creates the identity (and its principal), or replaces tags and isolation scope. */
    async putIdentity(scope: IdentityScope, name: string, request: IdentityRequest, opts: { caller: string }): Promise<{ identity: UserAssignedIdentity; created: boolean }> {
      assertScope(scope);
      if (!isValidIdentityName(name)) throw identityResourceErrors.invalidName(name);
      if (request.location === undefined) throw identityResourceErrors.locationRequired();
      const location = checkedLocation(request.location);
      const changes = { tags: request.tags ?? {}, isolationScope: request.isolationScope ?? null };
      for (let attempt = 0; ; attempt++) {
        const existing = await store.getUserAssignedIdentity(scope, name);
        if (existing) {
          assertSameLocation(existing, location);
          return { identity: await update(existing, changes, opts.caller), created: false };
        }
        const { principal, identity: managed } = await deps.managedIdentities.prepareManagedIdentity({ displayName: name });
        const now = unixSeconds(deps.clock);
        const identity: UserAssignedIdentity = {
          principalId: principal.objectId,
          clientId: principal.appId,
          tenantId: principal.tenantId,
          subscriptionId: scope.subscriptionId.toLowerCase(),
          resourceGroup: scope.resourceGroup,
          name,
          location,
          ...changes,
          createdBy: opts.caller,
          updatedBy: opts.caller,
          createdAt: now,
          updatedAt: now,
        };
        if (await store.insertUserAssignedIdentity(principal, managed, identity)) return { identity, created: true };
        // Another request created it between the read and the insert: this PUT then replaces it.
        if (attempt > 0) throw armErrors.badRequest('name', `The identity '${name}' is being changed by another request; try again.`);
      }
    },

    /** UserAssignedIdentities_Update (PATCH): changes only what the body names. */
    async patchIdentity(scope: IdentityScope, name: string, request: IdentityRequest, opts: { caller: string }): Promise<UserAssignedIdentity> {
      const existing = await requireIdentity(scope, name);
      if (request.location !== undefined) assertSameLocation(existing, checkedLocation(request.location));
      return update(existing, { tags: request.tags ?? existing.tags, isolationScope: request.isolationScope ?? existing.isolationScope }, opts.caller);
    },

    getIdentity: requireIdentity,

    /** UserAssignedIdentities_ListByResourceGroup and _ListBySubscription (no group): by group, then name. */
    async listIdentities(scope: { subscriptionId: string; resourceGroup?: string }, page: { after: IdentityPosition | undefined; limit: number }): Promise<UserAssignedIdentity[]> {
      if (scope.resourceGroup === undefined) assertSubscription(scope.subscriptionId);
      else {
        const group = { subscriptionId: scope.subscriptionId, resourceGroup: scope.resourceGroup };
        assertScope(group);
        await assertGroupExists(group);
      }
      return store.listUserAssignedIdentities(scope, page);
    },

    /**
     * UserAssignedIdentities_Delete: the identity and its principal, IDENTITY_HEADER and federated credentials, so its
     * tokens stop working at the next request. False when there was nothing to delete (ARM answers 204).
     */
    async deleteIdentity(scope: IdentityScope, name: string): Promise<boolean> {
      assertScope(scope);
      const identity = isValidIdentityName(name) ? await store.getUserAssignedIdentity(scope, name) : undefined;
      if (!identity) {
        await assertGroupExists(scope);
        return false;
      }
      return store.deleteUserAssignedIdentity(identity.principalId);
    },

    async listFederatedCredentials(scope: IdentityScope, identityName: string): Promise<{ identity: UserAssignedIdentity; credentials: FederatedCredential[] }> {
      const identity = await requireParent(scope, identityName);
      return { identity, credentials: await deps.federated.listFederatedCredentials(identity.principalId) };
    },

    async getFederatedCredential(scope: IdentityScope, identityName: string, name: string): Promise<{ identity: UserAssignedIdentity; credential: FederatedCredential }> {
      const identity = await requireParent(scope, identityName);
      const credential = named(await deps.federated.listFederatedCredentials(identity.principalId), name);
      if (!credential) throw identityResourceErrors.federatedCredentialNotFound(identity.name, name, identity.resourceGroup);
      return { identity, credential };
    },

    /**
     * FederatedIdentityCredentials_CreateOrUpdate: Azure's rules (an https issuer, exactly one audience, at most 20 per
     * identity, issuer and subject unique); the next token request sees the change.
     */
    async putFederatedCredential(
      scope: IdentityScope,
      identityName: string,
      name: string,
      request: FederatedCredentialRequest,
    ): Promise<{ identity: UserAssignedIdentity; credential: FederatedCredential; created: boolean }> {
      const identity = await requireParent(scope, identityName);
      checkedCredential(name, request);
      const existing = await deps.federated.listFederatedCredentials(identity.principalId);
      const current = named(existing, name);
      const clash = existing.find((credential) => credential !== current && credential.issuer === request.issuer && credential.subject === request.subject);
      if (clash) {
        throw armErrors.badRequest('properties.subject', `The federated identity credential '${clash.name}' of this identity already has this issuer and subject.`);
      }
      if (current) {
        const credential: FederatedCredential = { ...current, ...request };
        if (!(await deps.federated.replaceFederatedCredential(credential))) {
          throw armErrors.badRequest('properties.subject', 'Another federated identity credential of this identity already has this issuer and subject.');
        }
        return { identity, credential, created: false };
      }
      if (existing.length >= MAX_FEDERATED_CREDENTIALS) throw identityResourceErrors.tooManyFederatedCredentials(MAX_FEDERATED_CREDENTIALS);
      const credential: FederatedCredential = {
        id: randomUUID(),
        principalId: identity.principalId,
        name,
        ...request,
        description: null,
        createdAt: unixSeconds(deps.clock),
      };
      if (!(await deps.federated.insertFederatedCredential(credential))) {
        throw armErrors.badRequest('name', `A federated identity credential named '${name}', or with this issuer and subject, was created by another request.`);
      }
      return { identity, credential, created: true };
    },

    /** FederatedIdentityCredentials_Delete: false when there was nothing to delete (204). */
    async deleteFederatedCredential(scope: IdentityScope, identityName: string, name: string): Promise<boolean> {
      const identity = await requireParent(scope, identityName);
      const credential = named(await deps.federated.listFederatedCredentials(identity.principalId), name);
      return credential !== undefined && (await deps.federated.deleteFederatedCredential(identity.principalId, credential.id));
    },
  };
}
