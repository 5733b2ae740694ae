import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { makeClientCertificate, type ClientCertificate } from '../../../test/support/client-certificates.js';
import type { Clock } from '../../clock.js';
import type { CertificateCredential, Principal } from '../../domain/identities/principal.js';
import { OAuthError } from '../../errors.js';
import { closeTestStore, openTestStore } from '../../store/test-store.js';
import type { Db } from '../../store/open.js';
import { createReplayGuard } from './assertion-replay.js';
import { assertionClaimsProblem, createCertificateAssertionVerifier } from './certificate-assertion.js';

const tokenEndpoint = 'https://localhost:8443/tenant1/oauth2/v2.0/token';
const v1Endpoint = 'https://localhost:8443/tenant1/oauth2/token';
const clientId = '11111111-2222-3333-4444-555555555555';
const principal: Principal = {
  tenantId: 'tenant1', objectId: 'oid-1', appId: clientId, displayName: 'app', kind: 'servicePrincipal', isAdmin: false, isTrustedService: false, enabled: true,
};
const resource = 'https://vault.localhost:8443';

function credentialOf(certificate: ClientCertificate): CertificateCredential {
  const now = Math.floor(Date.now() / 1000);
  return {
    id: randomUUID(), principalId: principal.objectId, displayName: null, certificate: certificate.der,
    thumbprintSha1: createHash('sha1').update(certificate.der).digest('hex').toUpperCase(),
    thumbprintSha256: createHash('sha256').update(certificate.der).digest('hex').toUpperCase(),
    notBefore: now - 60, notAfter: now + 86_400, createdAt: now,
  };
}

const thumbprint = (der: Buffer, algorithm: 'sha1' | 'sha256') => createHash(algorithm).update(der).digest('base64url');

async function refusedWith(promise: Promise<unknown>, code: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof OAuthError, String(error));
    assert.deepEqual(error.errorCodes, [code], error.message);
    assert.equal(error.status, 401);
    return true;
  });
}

describe('certificate client assertions', () => {
  let rsa: ClientCertificate;
  let ec: ClientCertificate;
  let stranger: ClientCertificate;
  let nowSeconds: number;
  const clock: Clock = { nowMs: () => nowSeconds * 1000 };
  let db: Db;

  before(async () => {
    [rsa, ec, stranger, db] = await Promise.all([makeClientCertificate(), makeClientCertificate({ keyType: 'EC' }), makeClientCertificate(), openTestStore()]);
  });
  after(() => closeTestStore(db));

  function setup(certificates: CertificateCredential[] = [credentialOf(rsa), credentialOf(ec)]) {
    nowSeconds = Math.floor(Date.now() / 1000);
    return createCertificateAssertionVerifier({
      certificates: { listCertificateCredentials: async () => certificates },
      tokenEndpoints: [tokenEndpoint, v1Endpoint],
      replay: createReplayGuard({ db }),
      clock,
      clockSkewSeconds: 300,
    });
  }

  /** An assertion as MSAL makes it: PS256, x5t#S256, aud = token endpoint, iss = sub = client id, nbf, exp = nbf + 600, jti. */
  function assertion(opts: { certificate?: ClientCertificate; signer?: ClientCertificate; alg?: string; header?: Record<string, unknown>; claims?: Record<string, unknown> } = {}) {
    const certificate = opts.certificate ?? rsa;
    const alg = opts.alg ?? (certificate === ec ? 'ES256' : 'PS256');
    return new SignJWT({ aud: tokenEndpoint, iss: clientId, sub: clientId, nbf: nowSeconds, exp: nowSeconds + 600, jti: randomUUID(), ...opts.claims })
      .setProtectedHeader({ alg, typ: 'JWT', 'x5t#S256': thumbprint(certificate.der, 'sha256'), ...opts.header })
      .sign((opts.signer ?? certificate).privateKey);
  }

  it('accepts what ClientCertificateCredential sends: PS256 named by x5t#S256', async () => {
    await setup().verify(principal, await assertion(), resource);
  });

  it('accepts RS256 named by the SHA-1 x5t, ES256 from an EC certificate, and the v1 token endpoint as audience', async () => {
    const verifier = setup();
    await verifier.verify(principal, await assertion({ alg: 'RS256', header: { 'x5t#S256': undefined, x5t: thumbprint(rsa.der, 'sha1') } }), resource);
    await verifier.verify(principal, await assertion({ certificate: ec }), resource);
    await verifier.verify(principal, await assertion({ claims: { aud: v1Endpoint.toUpperCase() } }), resource);
  });

  it('refuses a certificate not registered on the principal (700027)', async () => {
    await refusedWith(setup().verify(principal, await assertion({ certificate: stranger }), resource), 700027);
    await refusedWith(setup().verify(principal, await assertion({ header: { 'x5t#S256': undefined } }), resource), 700027);
  });

  it("refuses a signature by another key under a registered certificate's thumbprint (700027)", async () => {
    await refusedWith(setup().verify(principal, await assertion({ signer: stranger }), resource), 700027);
  });

  it('refuses alg none and HS256, even naming a registered certificate (700027)', async () => {
    const verifier = setup();
    const header = Buffer.from(JSON.stringify({ alg: 'none', 'x5t#S256': thumbprint(rsa.der, 'sha256') })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ aud: tokenEndpoint, iss: clientId, sub: clientId, exp: nowSeconds + 600, jti: 'j' })).toString('base64url');
    await refusedWith(verifier.verify(principal, `${header}.${payload}.`, resource), 700027);
    const hmac = await new SignJWT({ aud: tokenEndpoint, iss: clientId, sub: clientId, exp: nowSeconds + 600, jti: 'j' })
      .setProtectedHeader({ alg: 'HS256', 'x5t#S256': thumbprint(rsa.der, 'sha256') })
      .sign(new Uint8Array(rsa.der));
    await refusedWith(verifier.verify(principal, hmac, resource), 700027);
  });

  it('refuses a certificate outside its validity period (700027)', async () => {
    const expired = { ...credentialOf(rsa), notAfter: Math.floor(Date.now() / 1000) - 1 };
    await refusedWith(setup([expired]).verify(principal, await assertion(), resource), 700027);
  });

  it('refuses a replayed assertion for the same resource, and lets MSAL reuse it for another resource', async () => {
    const verifier = setup();
    const once = await assertion();
    await verifier.verify(principal, once, resource);
    await refusedWith(verifier.verify(principal, once, resource), 50013);
    await verifier.verify(principal, once, 'https://management.azure.com');
  });

  it('refuses garbage (50027)', async () => {
    await refusedWith(setup().verify(principal, 'not-a-jwt', resource), 50027);
  });
});

describe('assertionClaimsProblem', () => {
  const now = 1_700_000_000;
  const rules = { clientId, audiences: [tokenEndpoint, v1Endpoint], now, skewSeconds: 300 };
  const valid = { aud: tokenEndpoint, iss: clientId, sub: clientId, nbf: now, exp: now + 600, jti: 'j' };
  const codeOf = (claims: Record<string, unknown>) => assertionClaimsProblem(claims, rules)?.errorCodes[0];

  it('accepts a valid assertion, an upper-case client id, an array audience and a trailing slash', () => {
    assert.equal(codeOf(valid), undefined);
    assert.equal(codeOf({ ...valid, iss: clientId.toUpperCase(), sub: clientId.toUpperCase() }), undefined);
    assert.equal(codeOf({ ...valid, aud: ['https://other', `${tokenEndpoint}/`] }), undefined);
    assert.equal(codeOf({ ...valid, nbf: undefined, iat: now }), undefined);
  });

  it('refuses iss or sub other than the client id (700021)', () => {
    assert.equal(codeOf({ ...valid, iss: 'someone-else' }), 700021);
    assert.equal(codeOf({ ...valid, sub: 'someone-else' }), 700021);
    assert.equal(codeOf({ ...valid, sub: undefined }), 700021);
  });

  it('refuses another audience, such as another tenant or host (50013)', () => {
    assert.equal(codeOf({ ...valid, aud: 'https://localhost:8443/tenant2/oauth2/v2.0/token' }), 50013);
    assert.equal(codeOf({ ...valid, aud: 'https://login.microsoftonline.com/tenant1/oauth2/v2.0/token' }), 50013);
    assert.equal(codeOf({ ...valid, aud: undefined }), 50013);
  });

  it('refuses an expired or not-yet-valid assertion beyond the 5-minute skew (700024)', () => {
    assert.equal(codeOf({ ...valid, nbf: now - 900, exp: now - 301 }), 700024);
    assert.equal(codeOf({ ...valid, nbf: now - 900, exp: now - 299 }), undefined);
    assert.equal(codeOf({ ...valid, nbf: now + 301, exp: now + 900 }), 700024);
    assert.equal(codeOf({ ...valid, nbf: now + 299, exp: now + 900 }), undefined);
  });

  it('refuses an assertion valid for more than an hour (50013)', () => {
    assert.equal(codeOf({ ...valid, exp: now + 3601 }), 50013);
    assert.equal(codeOf({ ...valid, exp: now + 3600 }), undefined);
    assert.equal(codeOf({ ...valid, nbf: undefined, exp: now + 7200 }), 50013);
  });

  it('refuses a missing exp or jti, or a non-numeric nbf (50027)', () => {
    assert.equal(codeOf({ ...valid, exp: undefined }), 50027);
    assert.equal(codeOf({ ...valid, jti: undefined }), 50027);
    assert.equal(codeOf({ ...valid, jti: '' }), 50027);
    assert.equal(codeOf({ ...valid, nbf: 'now' }), 50027);
  });
});
