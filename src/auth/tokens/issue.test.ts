import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { Clock } from '../../clock.js';
import { createTokenIssuer } from './issue.js';

const issuer = 'https://localhost:8443/tenant1/v2.0';

describe('createTokenIssuer', async () => {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const keys = { current: () => ({ kid: 'kid-1', privateKey }) };
  let nowMs = 1_700_000_000_500;
  const clock: Clock = { nowMs: () => nowMs };
  const tokens = createTokenIssuer({ keys, issuer, lifetimeSeconds: 3600, clock });
  const request = { tenantId: 'tenant1', objectId: 'oid-1', appId: 'app-1', audience: 'https://vault.localhost' };

  it('signs an RS256 JWT with the Entra app-token claims, timed by the injected clock', async () => {
    const { accessToken, expiresIn, expiresOn } = await tokens.issueAccessToken(request);
    assert.equal(expiresIn, 3600);
    assert.equal(expiresOn, 1_700_003_600);
    assert.deepEqual(decodeProtectedHeader(accessToken), { alg: 'RS256', typ: 'JWT', kid: 'kid-1' });

    const { payload } = await jwtVerify(accessToken, publicKey, { algorithms: ['RS256'], currentDate: new Date(nowMs) });
    const { uti, jti, ...rest } = payload;
    assert.deepEqual(rest, {
      aud: 'https://vault.localhost',
      iss: issuer,
      iat: 1_700_000_000,
      nbf: 1_700_000_000,
      exp: 1_700_003_600,
      tid: 'tenant1',
      oid: 'oid-1',
      sub: 'oid-1',
      appid: 'app-1',
      azp: 'app-1',
      appidacr: '1',
      idtyp: 'app',
      ver: '2.0',
    });
    assert.equal(typeof uti, 'string');
    assert.equal(uti, jti);
    assert.match(String(uti), /^[A-Za-z0-9_-]{22}$/);
  });

  it('gives each token its own id and follows the clock', async () => {
    const first = decodeJwt((await tokens.issueAccessToken(request)).accessToken);
    nowMs += 90_000;
    const second = decodeJwt((await tokens.issueAccessToken(request)).accessToken);
    assert.notEqual(first.uti, second.uti);
    assert.equal(second.iat, (first.iat ?? 0) + 90);
  });

  it('signs with whichever key is current at the time', async () => {
    const { privateKey: nextKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    let current = { kid: 'kid-1', privateKey };
    const rotating = createTokenIssuer({ keys: { current: () => current }, issuer, lifetimeSeconds: 60, clock });
    current = { kid: 'kid-2', privateKey: nextKey };
    const { accessToken } = await rotating.issueAccessToken(request);
    assert.equal(decodeProtectedHeader(accessToken).kid, 'kid-2');
  });
});
