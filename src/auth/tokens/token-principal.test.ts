import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Principal } from '../../domain/identities/principal.js';
import { createTokenPrincipalResolver } from './token-principal.js';
import { TokenVerificationError, type TokenFailure, type VerifiedToken } from './verify.js';

const ours: Principal = {
  tenantId: 'tenant1', objectId: 'oid-1', appId: 'app-1', displayName: 'ci', kind: 'servicePrincipal', isAdmin: false, isTrustedService: false, enabled: true,
};
const token: VerifiedToken = {
  tenantId: 'tenant1', objectId: 'oid-1', appId: 'app-1', audience: 'https://vault.azure.net', issuer: 'https://localhost/tenant1/v2.0', expiresAt: 2e9, claims: {},
};

function resolverWith(principals: Principal[]) {
  return createTokenPrincipalResolver({ identities: { getPrincipal: async (id) => principals.find((p) => p.objectId === id) }, tenantId: 'tenant1' });
}

async function refusedWith(promise: Promise<unknown>, failure: TokenFailure) {
  await assert.rejects(promise, (error: unknown) => error instanceof TokenVerificationError && error.failure === failure);
}

describe('createTokenPrincipalResolver', () => {
  it('finds our principal', async () => {
    assert.deepEqual(await resolverWith([ours])(token), ours);
  });

  it('refuses a token of a disabled principal', async () => {
    await refusedWith(resolverWith([{ ...ours, enabled: false }])(token), 'disabled');
  });

  it('refuses our token for another tenant', async () => {
    await refusedWith(resolverWith([ours])({ ...token, tenantId: 'tenant2' }), 'tenant');
  });

  it("gives no principal for an application's credential holder without a service principal", async () => {
    assert.equal(await resolverWith([{ ...ours, hasServicePrincipal: false }])(token), undefined);
  });

  it('gives no principal (no rights, not a refusal) for a principal removed since', async () => {
    assert.equal(await resolverWith([])(token), undefined);
  });

  it("makes an external token's principal from its claims, in any tenant", async () => {
    const external = { ...token, objectId: 'ext-1', tenantId: 'other', externalIssuer: 'https://idp.example' };
    const principal = await resolverWith([ours])(external);
    assert.equal(principal?.kind, 'external');
    assert.equal(principal?.objectId, 'ext-1');
    assert.equal(principal?.isAdmin, false);
  });

  it('refuses an external token naming one of our principals', async () => {
    await refusedWith(resolverWith([{ ...ours, isAdmin: true }])({ ...token, externalIssuer: 'https://idp.example' }), 'shadowed');
  });
});
