import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Principal } from '../domain/identities/principal.js';
import { defaultVaultSettings, type Vault } from '../domain/vaults/vault.js';
import type { AccessControlStore, RoleAssignment } from '../store/access-control.js';
import { createAuthorizer } from './authorize.js';
import { ROLE_IDS } from './roles/built-in-roles.js';
import { vaultScope } from './roles/scopes.js';

const SUBSCRIPTION = '00000000-0000-0000-0000-0000000000aa';
const principal: Principal = { tenantId: 't', objectId: 'p1', appId: 'a1', displayName: 'p', kind: 'servicePrincipal', isAdmin: false, isTrustedService: false, enabled: true };
const vault = { id: 'v1', name: 'kv', subscriptionId: SUBSCRIPTION, resourceGroup: 'rg', location: 'local', settings: defaultVaultSettings() } as unknown as Vault;
const GET = 'Microsoft.KeyVault/vaults/secrets/getSecret/action';

function assignment(overrides: Partial<RoleAssignment>): RoleAssignment {
  return {
    id: 'as-1', scope: vaultScope(vault), roleDefinitionId: ROLE_IDS.keyVaultSecretsUser, principalId: 'p1', principalType: 'ServicePrincipal',
    description: undefined, createdAt: 0, createdBy: undefined, expiresAt: undefined, eligibilityId: undefined, justification: undefined, ...overrides,
  };
}

/** An in-memory store whose reads are counted, a clock and a change stamp the test moves. */
function setup(assignments: RoleAssignment[], groups: Record<string, string[]> = {}) {
  let now = 1_000;
  let stamp = 0;
  let reads = 0;
  const store = {
    assignmentsOf: async (id: string) => (reads++, assignments.filter((a) => a.principalId === id)),
    groupsOf: async (id: string) => groups[id] ?? [],
    customRole: async () => undefined,
  } as unknown as AccessControlStore;
  const authorizer = createAuthorizer({ store, stamp: { current: () => stamp, local: () => 0 }, clock: { nowMs: () => now * 1000 } });
  const get = (resource = `${vaultScope(vault)}/secrets/s`) => authorizer.authorizeData({ principal, vault, operationName: 'SecretGet', action: GET, resource });
  return { get, setNow: (seconds: number) => (now = seconds), bump: () => stamp++, reads: () => reads };
}

describe('createAuthorizer', () => {
  it('allows by a role at the vault for an object in it, and names the assignment', async () => {
    const { get } = setup([assignment({})]);
    assert.deepEqual(await get(), { allowed: true, model: 'rbac', appliedAssignmentId: 'as-1' });
  });

  it('denies by default and for a role on a neighbouring object', async () => {
    assert.equal((await setup([]).get()).allowed, false);
    const { get } = setup([assignment({ scope: `${vaultScope(vault)}/secrets/other` })]);
    assert.equal((await get()).allowed, false);
  });

  it('caches decisions until the store changes', async () => {
    const assignments = [assignment({})];
    const { get, bump, reads } = setup(assignments);
    await get();
    const afterFirst = reads();
    await get();
    assert.equal(reads(), afterFirst, 'second decision from the cache');
    assignments.pop();
    assert.equal((await get()).allowed, true, 'stale until the stamp moves');
    bump();
    assert.equal((await get()).allowed, false, 'the removal is seen once the stamp moves');
  });

  it('ends a just-in-time grant at its end time even while cached, preferring a standing grant', async () => {
    const timed = setup([assignment({ id: 'jit', expiresAt: 2_000 })]);
    assert.equal((await timed.get()).appliedAssignmentId, 'jit');
    timed.setNow(1_999);
    assert.equal((await timed.get()).allowed, true);
    timed.setNow(2_000);
    assert.equal((await timed.get()).allowed, false);

    const both = setup([assignment({ id: 'jit', expiresAt: 2_000 }), assignment({ id: 'standing' })]);
    assert.equal((await both.get()).appliedAssignmentId, 'standing');
  });

  it('follows nested groups, without looping on a cycle', async () => {
    const { get } = setup([assignment({ principalId: 'g2' })], { p1: ['g1'], g1: ['g2'], g2: ['g1'] });
    assert.equal((await get()).allowed, true);
  });

  it('denies a disabled principal whatever it holds', async () => {
    const store = { assignmentsOf: async () => [assignment({})], groupsOf: async () => [], customRole: async () => undefined } as unknown as AccessControlStore;
    const authorizer = createAuthorizer({ store, stamp: { current: () => 0, local: () => 0 }, clock: { nowMs: () => 0 } });
    const decision = await authorizer.authorizeData({ principal: { ...principal, enabled: false }, vault, operationName: 'SecretGet', action: GET, resource: vaultScope(vault) });
    assert.equal(decision.allowed, false);
  });
});
