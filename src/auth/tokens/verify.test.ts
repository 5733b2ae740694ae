import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { createLocalJWKSet, exportJWK, SignJWT, type JWTVerifyGetKey } from 'jose';
import { IssuerUnavailableError } from '../oidc/remote-issuer-keys.js';
import type { Clock } from '../../clock.js';
import { createTokenIssuer } from './issue.js';
import { audiencesFor, createTokenVerifier, TokenVerificationError, type TokenFailure } from './verify.js';

const issuer = 'https://localhost:8443/tenant1/v2.0';
const audience = 'https://vault.localhost:8443';
const start = 1_700_000_000;
const request = { tenantId: 'tenant1', objectId: 'oid-1', appId: 'app-1', audience };

const newKeyPair = () => promisify(generateKeyPair)('rsa', { modulusLength: 2048 });

function fakeClock(seconds: number): Clock & { set(seconds: number): void } {
  let nowMs = seconds * 1000;
  return { nowMs: () => nowMs, set: (s) => (nowMs = s * 1000) };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function rejectsWith(promise: Promise<unknown>, failure: TokenFailure): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TokenVerificationError, String(error));
    assert.equal(error.failure, failure);
    return true;
  });
}

describe('token verification', async () => {
  const main = await newKeyPair();
  const other = await newKeyPair();
  let lookups = 0;
  const keys = {
    publicKey: (kid: string): KeyObject | undefined => {
      lookups += 1;
      return kid === 'main' ? main.publicKey : undefined;
    },
  };
  const clock = fakeClock(start);

  function setup(opts: { cacheSize?: number; issuers?: string[]; audiences?: string[] } = {}) {
    clock.set(start);
    lookups = 0;
    const tokens = createTokenIssuer({ keys: { current: () => ({ kid: 'main', privateKey: main.privateKey }) }, issuer, lifetimeSeconds: 3600, clock });
    const verifier = createTokenVerifier({
      keys,
      issuers: opts.issuers ?? [issuer],
      audiences: opts.audiences ?? audiencesFor({ dnsSuffix: 'vault.localhost', ports: [8443] }),
      clockSkewSeconds: 300,
      clock,
      ...(opts.cacheSize === undefined ? {} : { cacheSize: opts.cacheSize }),
    });
    const issue = async (overrides: Partial<typeof request> = {}) => (await tokens.issueAccessToken({ ...request, ...overrides })).accessToken;
    return { verifier, issue };
  }

  it('accepts a token it issued and reports its claims', async () => {
    const { verifier, issue } = setup();
    const verified = await verifier.verify(await issue());
    assert.equal(verified.tenantId, 'tenant1');
    assert.equal(verified.objectId, 'oid-1');
    assert.equal(verified.appId, 'app-1');
    assert.equal(verified.audience, audience);
    assert.equal(verified.issuer, issuer);
    assert.equal(verified.expiresAt, start + 3600);
    assert.equal(verified.claims.idtyp, 'app');
    assert.equal(verified.claims.sub, 'oid-1');
  });

  it('accepts the Azure Key Vault audience and trailing-slash forms', async () => {
    const { verifier, issue } = setup();
    for (const aud of ['https://vault.azure.net', 'https://vault.azure.net/', 'https://vault.localhost/', 'https://vault.localhost:8443/']) {
      assert.equal((await verifier.verify(await issue({ audience: aud }))).audience, aud);
    }
  });

  it('refuses a wrong audience', async () => {
    const { verifier, issue } = setup();
    await rejectsWith(verifier.verify(await issue({ audience: 'https://management.azure.com' })), 'audience');
    await rejectsWith(verifier.verify(await issue({ audience: 'https://other.vault.localhost:8443' })), 'audience');
  });

  it('refuses a wrong issuer', async () => {
    const { verifier, issue } = setup({ issuers: ['https://localhost:8443/tenant2/v2.0'] });
    await rejectsWith(verifier.verify(await issue()), 'issuer');
  });

  it('refuses an expired token, allowing the clock skew', async () => {
    const { verifier: atEdge, issue } = setup();
    const { verifier: pastEdge } = setup();
    const token = await issue();
    clock.set(start + 3600 + 299);
    await atEdge.verify(token);
    clock.set(start + 3600 + 300);
    await rejectsWith(pastEdge.verify(token), 'expired');
  });

  it('refuses a token that is not yet valid', async () => {
    const { verifier, issue } = setup();
    clock.set(start + 301);
    const token = await issue();
    clock.set(start);
    await rejectsWith(verifier.verify(token), 'not-yet-valid');
    clock.set(start + 1);
    await verifier.verify(token); // within the skew
  });

  it('refuses a tampered signature or payload', async () => {
    const { verifier, issue } = setup();
    const [header, payload, signature] = (await issue()).split('.') as [string, string, string];
    const middle = Math.floor(signature.length / 2);
    const flipped = signature.slice(0, middle) + (signature[middle] === 'A' ? 'B' : 'A') + signature.slice(middle + 1);
    await rejectsWith(verifier.verify([header, payload, flipped].join('.')), 'signature');
    const forged = base64url({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), oid: 'admin' });
    await rejectsWith(verifier.verify([header, forged, signature].join('.')), 'signature');
  });

  it('refuses a token signed by a key it does not know, or with the wrong key under a known kid', async () => {
    const { verifier } = setup();
    const signWith = (kid: string, key: KeyObject) =>
      createTokenIssuer({ keys: { current: () => ({ kid, privateKey: key }) }, issuer, lifetimeSeconds: 3600, clock }).issueAccessToken(request);
    await rejectsWith(verifier.verify((await signWith('stranger', other.privateKey)).accessToken), 'unknown-key');
    await rejectsWith(verifier.verify((await signWith('main', other.privateKey)).accessToken), 'signature');
    const noKid = await new SignJWT({ tid: 'tenant1', oid: 'oid-1', appid: 'app-1' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(start)
      .setExpirationTime(start + 3600)
      .sign(main.privateKey);
    await rejectsWith(verifier.verify(noKid), 'unknown-key');
  });

  it('refuses alg none and HS256 tokens', async () => {
    const { verifier } = setup();
    const claims = { tid: 'tenant1', oid: 'oid-1', appid: 'app-1', iss: issuer, aud: audience, iat: start, exp: start + 3600 };
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT', kid: 'main' })}.${base64url(claims)}.`;
    await rejectsWith(verifier.verify(unsigned), 'malformed');
    // The classic confusion attack: HMAC keyed with the public key's bytes.
    const secret = main.publicKey.export({ format: 'der', type: 'spki' });
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'main' }).sign(new Uint8Array(secret));
    await rejectsWith(verifier.verify(hmac), 'malformed');
    assert.equal(lookups, 0);
  });

  it('refuses garbage and tokens missing identity claims', async () => {
    const { verifier } = setup();
    for (const garbage of ['', 'garbage', 'a.b.c', 'Bearer x', '...']) await rejectsWith(verifier.verify(garbage), 'malformed');
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'main' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(start)
        .setExpirationTime(start + 3600)
        .sign(main.privateKey);
    await rejectsWith(verifier.verify(await sign({ oid: 'o', appid: 'a' })), 'malformed');
    await rejectsWith(verifier.verify(await sign({ tid: 't', appid: 'a' })), 'malformed');
    await rejectsWith(verifier.verify(await sign({ tid: 't', oid: 'o' })), 'malformed');
    await rejectsWith(verifier.verify(await sign({ tid: 't', oid: 42, sub: 's', appid: 'a' })), 'malformed');
    const v2 = await verifier.verify(await sign({ tid: 't', sub: 's', azp: 'a' }));
    assert.deepEqual([v2.objectId, v2.appId], ['s', 'a']);
    const noExp = await new SignJWT({ tid: 't', oid: 'o', appid: 'a' })
      .setProtectedHeader({ alg: 'RS256', kid: 'main' })
      .setIssuer(issuer)
      .setAudience(audience)
      .sign(main.privateKey);
    await rejectsWith(verifier.verify(noExp), 'malformed');
  });

  it('serves a second verify of the same token from the cache', async () => {
    const { verifier, issue } = setup();
    const token = await issue();
    const first = await verifier.verify(token);
    assert.equal(lookups, 1);
    const second = await verifier.verify(token);
    assert.equal(lookups, 1);
    assert.equal(second, first);
    assert.ok(Object.isFrozen(second));
  });

  it('stops serving a cached token once the clock passes exp plus skew', async () => {
    const { verifier, issue } = setup();
    const token = await issue();
    await verifier.verify(token);
    clock.set(start + 3600 + 299);
    await verifier.verify(token);
    assert.equal(lookups, 1);
    clock.set(start + 3600 + 300);
    await rejectsWith(verifier.verify(token), 'expired');
  });

  it('does not serve a cached token before its nbf when the clock goes back', async () => {
    const { verifier, issue } = setup();
    const token = await issue();
    await verifier.verify(token);
    clock.set(start - 301);
    await rejectsWith(verifier.verify(token), 'not-yet-valid');
  });

  it('does not cache failures', async () => {
    const { verifier, issue } = setup({ audiences: ['https://elsewhere'] });
    const token = await issue();
    await rejectsWith(verifier.verify(token), 'audience');
    await rejectsWith(verifier.verify(token), 'audience');
    assert.equal(lookups, 2);
  });

  it('keeps the cache bounded, evicting the oldest token', async () => {
    const { verifier, issue } = setup({ cacheSize: 2 });
    const [a, b, c] = await Promise.all([issue(), issue(), issue()]);
    for (const token of [a, b, c]) await verifier.verify(token);
    assert.equal(lookups, 3);
    await verifier.verify(c);
    await verifier.verify(b);
    assert.equal(lookups, 3);
    await verifier.verify(a); // evicted: verified again, which in turn evicts b
    assert.equal(lookups, 4);
    await verifier.verify(c);
    assert.equal(lookups, 4);
    await verifier.verify(b);
    assert.equal(lookups, 5);
  });
});

describe('token verification: external issuers', async () => {
  const external = 'https://idp.example/realms/main';
  const keycloak = 'https://keycloak.example/realms/apps';
  const down = 'https://down.example';
  const idp = await newKeyPair();
  const stranger = await newKeyPair();
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'RS256' }] });
  const clock = fakeClock(start);
  const fetched: string[] = [];
  const remote = {
    async keysFor(issuerUrl: string): Promise<JWTVerifyGetKey> {
      fetched.push(issuerUrl);
      if (issuerUrl === down) throw new IssuerUnavailableError(issuerUrl, 'connection refused');
      return jwks;
    },
  };
  const ownKeys = { publicKey: (kid: string) => (kid === 'main' ? idp.publicKey : undefined) };
  const verifier = createTokenVerifier({
    keys: ownKeys,
    issuers: [issuer],
    audiences: audiencesFor({ dnsSuffix: 'vault.localhost', ports: [8443] }),
    clockSkewSeconds: 300,
    clock,
    cacheSize: 0,
    external: { issuers: [{ issuer: external, principalClaim: 'oid' }, { issuer: keycloak, principalClaim: 'sub' }, { issuer: down, principalClaim: 'oid' }], keys: remote },
  });

  function externalToken(opts: { iss?: string; aud?: string; claims?: Record<string, unknown>; key?: KeyObject; kid?: string; exp?: number } = {}) {
    return new SignJWT({ oid: 'user-oid', tid: 'ext-tenant', azp: 'ext-app', ...opts.claims })
      .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'idp-1' })
      .setIssuer(opts.iss ?? external)
      .setAudience(opts.aud ?? 'https://vault.azure.net')
      .setSubject('user-sub')
      .setIssuedAt(start)
      .setExpirationTime(opts.exp ?? start + 3600)
      .sign(opts.key ?? idp.privateKey);
  }

  it('accepts a token of a configured issuer for a vault audience; the principal is its oid', async () => {
    clock.set(start);
    const verified = await verifier.verify(await externalToken());
    assert.deepEqual(
      { objectId: verified.objectId, tenantId: verified.tenantId, appId: verified.appId, audience: verified.audience, externalIssuer: verified.externalIssuer },
      { objectId: 'user-oid', tenantId: 'ext-tenant', appId: 'ext-app', audience: 'https://vault.azure.net', externalIssuer: external },
    );
  });

  it("takes the configured claim as principal, the issuer as tenant without tid, and no app id when it names none", async () => {
    clock.set(start);
    const verified = await verifier.verify(await externalToken({ iss: keycloak, claims: { tid: undefined, azp: undefined } }));
    assert.deepEqual([verified.objectId, verified.tenantId, verified.appId], ['user-sub', keycloak, '']);
  });

  it('refuses a token without the principal claim', async () => {
    clock.set(start);
    await rejectsWith(verifier.verify(await externalToken({ claims: { oid: undefined } })), 'malformed');
  });

  it('refuses a forged signature, an unknown key id, and a token naming our own issuer signed by its key', async () => {
    clock.set(start);
    await rejectsWith(verifier.verify(await externalToken({ key: stranger.privateKey })), 'signature');
    await rejectsWith(verifier.verify(await externalToken({ kid: 'idp-2' })), 'unknown-key');
    await rejectsWith(verifier.verify(await externalToken({ iss: issuer, kid: 'idp-1' })), 'unknown-key');
  });

  it('refuses an expired token, one for another audience, and one of an issuer not configured, fetching nothing for it', async () => {
    clock.set(start + 3600 + 300);
    await rejectsWith(verifier.verify(await externalToken()), 'expired');
    clock.set(start);
    await rejectsWith(verifier.verify(await externalToken({ aud: 'https://management.core.windows.net/' })), 'audience');
    fetched.length = 0;
    await rejectsWith(verifier.verify(await externalToken({ iss: 'https://evil.example' })), 'issuer');
    await rejectsWith(verifier.verify(await externalToken({ iss: `${external}/` })), 'issuer');
    assert.deepEqual(fetched, []);
  });

  it('refuses alg none and HS256 tokens naming a configured issuer', async () => {
    clock.set(start);
    const claims = { oid: 'user-oid', iss: external, aud: 'https://vault.azure.net', iat: start, exp: start + 3600 };
    await rejectsWith(verifier.verify(`${base64url({ alg: 'none', kid: 'idp-1' })}.${base64url(claims)}.`), 'malformed');
    const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'idp-1' }).sign(new Uint8Array(32));
    await rejectsWith(verifier.verify(hmac), 'malformed');
  });

  it('reports an issuer whose keys cannot be fetched', async () => {
    clock.set(start);
    await rejectsWith(verifier.verify(await externalToken({ iss: down })), 'issuer-unavailable');
  });
});

describe('audiencesFor', () => {
  it('lists the suffix, each port and vault.azure.net, each with and without a trailing slash', () => {
    assert.deepEqual(audiencesFor({ dnsSuffix: 'vault.localhost', ports: [8443, 443] }), [
      'https://vault.localhost',
      'https://vault.localhost/',
      'https://vault.localhost:8443',
      'https://vault.localhost:8443/',
      'https://vault.localhost:443',
      'https://vault.localhost:443/',
      'https://vault.azure.net',
      'https://vault.azure.net/',
    ]);
  });
});
