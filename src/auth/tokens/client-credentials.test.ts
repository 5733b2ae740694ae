import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientSecretCredential, Principal } from '../../domain/identities/principal.js';
import { OAuthError } from '../../errors.js';
import { hashClientSecret } from '../client-secret.js';
import { createClientCredentialsGrant, JWT_BEARER_ASSERTION_TYPE, type TokenForm } from './client-credentials.js';

const now = 1_700_000_000;
const principal: Principal = {
  tenantId: 'tenant1', objectId: 'oid-1', appId: 'app-1', displayName: 'ci', kind: 'servicePrincipal', isAdmin: false, isTrustedService: false, enabled: true,
};
const resource = 'https://vault.localhost:8443';

async function setup(opts: { principal?: Principal; secrets?: Array<{ secret: string; expiresAt: number | null }> } = {}) {
  const secrets: ClientSecretCredential[] = await Promise.all(
    (opts.secrets ?? [{ secret: 'first-secret', expiresAt: null }]).map(async ({ secret, expiresAt }, index) => ({
      id: `key-${index}`, principalId: 'oid-1', secretHash: await hashClientSecret(secret), hint: secret.slice(0, 3), displayName: null, createdAt: now - 10, expiresAt,
    })),
  );
  const calls = { certificate: 0, federated: 0 };
  const grant = createClientCredentialsGrant({
    identities: {
      getPrincipalByAppId: async (appId) => (appId === 'app-1' ? (opts.principal ?? principal) : undefined),
      listClientSecrets: async () => secrets,
    },
    certificateAssertions: { verify: async () => void (calls.certificate += 1) },
    federatedAssertions: { verify: async () => void (calls.federated += 1) },
    issuer: { issueAccessToken: async () => ({ accessToken: 'token', expiresIn: 3600, expiresOn: now + 3600 }) },
    tenantId: 'tenant1',
    resources: [resource],
    clock: { nowMs: () => now * 1000 },
  });
  return { grant, calls };
}

const form = (overrides: Partial<TokenForm> = {}): TokenForm => ({
  grant_type: 'client_credentials', client_id: 'app-1', client_secret: 'first-secret', scope: `${resource}/.default`, ...overrides,
});

async function refusedWith(promise: Promise<unknown>, error: string, code: number): Promise<void> {
  await assert.rejects(promise, (thrown: unknown) => {
    assert.ok(thrown instanceof OAuthError, String(thrown));
    assert.equal(thrown.error, error);
    assert.deepEqual(thrown.errorCodes, [code]);
    return true;
  });
}

/** An unsigned JWT-shaped assertion: the grant only reads its iss to route it; the verifiers (faked here) check it. */
const assertionFrom = (iss: string) => `${Buffer.from('{"alg":"PS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss })).toString('base64url')}.sig`;

describe('client-credentials grant', () => {
  it('accepts any of several unexpired secrets', async () => {
    const { grant } = await setup({ secrets: [{ secret: 'first-secret', expiresAt: null }, { secret: 'second-secret', expiresAt: now + 60 }] });
    assert.equal((await grant.exchange(form())).accessToken, 'token');
    assert.equal((await grant.exchange(form({ client_secret: 'second-secret' }))).accessToken, 'token');
  });

  it('refuses an expired secret as an invalid one (7000215)', async () => {
    const { grant } = await setup({ secrets: [{ secret: 'old-secret', expiresAt: now }] });
    await refusedWith(grant.exchange(form({ client_secret: 'old-secret' })), 'invalid_client', 7000215);
  });

  it("refuses a disabled principal with Entra's 7000112, whatever it presents", async () => {
    const { grant, calls } = await setup({ principal: { ...principal, enabled: false } });
    await refusedWith(grant.exchange(form()), 'unauthorized_client', 7000112);
    await refusedWith(grant.exchange(form({ client_secret: undefined, client_assertion: assertionFrom('app-1'), client_assertion_type: JWT_BEARER_ASSERTION_TYPE })), 'unauthorized_client', 7000112);
    assert.deepEqual(calls, { certificate: 0, federated: 0 });
  });

  it("refuses an application whose service principal does not exist with Entra's 7000229, whatever it presents", async () => {
    const { grant, calls } = await setup({ principal: { ...principal, hasServicePrincipal: false } });
    await refusedWith(grant.exchange(form()), 'invalid_client', 7000229);
    await refusedWith(grant.exchange(form({ client_secret: undefined, client_assertion: assertionFrom('app-1'), client_assertion_type: JWT_BEARER_ASSERTION_TYPE })), 'invalid_client', 7000229);
    assert.deepEqual(calls, { certificate: 0, federated: 0 });
  });

  it('sends an assertion issued by the client itself to the certificate check, any other to the federated one', async () => {
    const { grant, calls } = await setup();
    await grant.exchange(form({ client_secret: undefined, client_assertion: assertionFrom('APP-1'), client_assertion_type: JWT_BEARER_ASSERTION_TYPE }));
    assert.deepEqual(calls, { certificate: 1, federated: 0 });
    await grant.exchange(form({ client_secret: undefined, client_assertion: assertionFrom('https://issuer.example'), client_assertion_type: JWT_BEARER_ASSERTION_TYPE }));
    assert.deepEqual(calls, { certificate: 1, federated: 1 });
  });

  it('refuses an assertion of another type, and a secret together with an assertion (invalid_request)', async () => {
    const { grant, calls } = await setup();
    await refusedWith(grant.exchange(form({ client_secret: undefined, client_assertion: assertionFrom('app-1'), client_assertion_type: 'urn:other' })), 'invalid_request', 900144);
    await refusedWith(grant.exchange(form({ client_assertion: assertionFrom('app-1'), client_assertion_type: JWT_BEARER_ASSERTION_TYPE })), 'invalid_request', 900144);
    assert.deepEqual(calls, { certificate: 0, federated: 0 });
  });

  it('refuses neither secret nor assertion (invalid_client), an unknown client (700016)', async () => {
    const { grant } = await setup();
    await refusedWith(grant.exchange(form({ client_secret: undefined })), 'invalid_client', 7000215);
    await refusedWith(grant.exchange(form({ client_id: 'app-2' })), 'unauthorized_client', 700016);
  });
});
