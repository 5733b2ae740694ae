// Authentication as the Azure SDK meets it: the Key Vault challenge (401 + WWW-Authenticate) the SDK parses,
// refusal of every token that is not ours, current and for this server, and 403 for a valid caller without rights.
// Facts about the SDK side: /work/shared/reference/azure-sdk-auth-facts.md §1.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SecretClient } from '@azure/keyvault-secrets';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { serverStore, type ServerStore } from '../support/server-store.js';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

const apiVersion = '7.5';

interface Principal {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  objectId: string;
}

/** The SDK's parser (keyvault-common parseWWWAuthenticateHeader), made strict: every piece must be key="value". */
function parseChallenge(header: string): Record<string, string> {
  const [scheme, ...pieces] = header.split(/,? +/);
  assert.equal(scheme, 'Bearer');
  const parsed: Record<string, string> = {};
  for (const piece of pieces) {
    const match = /^(\w+)="([^"]*)"$/.exec(piece);
    assert.ok(match, `challenge piece ${JSON.stringify(piece)} is not key="value"`);
    parsed[match[1]!] = match[2]!;
  }
  return parsed;
}

/**
 * A second server process on the same data directory (same tenant, same signing keys) whose token service names
 * the first server's authority as issuer, optionally with its clock moved: its tokens differ from the first
 * server's own in exactly one respect (audience port, or lifetime), so a refusal can only be for that reason.
 */
function startCompanion(server: TestServer, store: ServerStore): Promise<TestServer> {
  return startServer({ ...store.startOptions, dataDir: server.dataDir, args: ['--authority-host', server.credentials.authorityHost] });
}

/** Environment that moves a server process's clock (Date.now, which its Clock reads) by the given seconds. */
function clockShifted(seconds: number): Record<string, string> {
  const shift = `--import=data:text/javascript,const{now}=Date;Date.now=()=>now()+${seconds * 1000};`;
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${shift}`.trim() };
}

async function tokenFrom(issuingServer: TestServer, tenantId: string, clientId: string, clientSecret: string, scope: string): Promise<string> {
  const response = await issuingServer.request('POST', `https://localhost:${issuingServer.port}/${tenantId}/oauth2/v2.0/token`, {
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(response.status, 200, response.text);
  return response.json.access_token as string;
}

describe('Key Vault authentication', () => {
  let server: TestServer;
  let store: ServerStore;
  let base: string;
  let expectedChallenge: string;
  let adminToken: string;
  let reader: Principal;
  /** Minted by companion servers in `before`; see startCompanion. */
  const companionTokens: { otherAudience?: string; acceptedAudience?: string; expired?: string; notYetValid?: string; otherIssuer?: string } = {};

  before(async () => {
    // Companions share the data directory, and with it the store (the tenant and signing keys are there).
    store = await serverStore();
    server = await startServer(store.startOptions);
    base = `https://localhost:${server.port}`;
    const { tenantId, clientId, clientSecret, authorityHost } = server.credentials;
    expectedChallenge = `Bearer authorization="${authorityHost}/${tenantId}", resource="https://vault.localhost:${server.port}"`;
    await server.cli('vault', 'create', 'authvault');
    reader = (await server.cli('principal', 'create', uniqueName('reader'))) as Principal;
    adminToken = await server.adminToken();

    const companion = await startCompanion(server, store);
    try {
      companionTokens.otherAudience = await tokenFrom(companion, tenantId, clientId, clientSecret, `https://vault.localhost:${companion.port}/.default`);
      companionTokens.acceptedAudience = await tokenFrom(companion, tenantId, clientId, clientSecret, 'https://vault.localhost/.default');
      // Two hours back: iat/nbf/exp all lie in the past, exp more than the 5-minute skew ago.
      await companion.restart(clockShifted(-7200));
      companionTokens.expired = await tokenFrom(companion, tenantId, clientId, clientSecret, 'https://vault.localhost/.default');
      // Two hours ahead: nbf lies in the future, beyond the skew.
      await companion.restart(clockShifted(7200));
      companionTokens.notYetValid = await tokenFrom(companion, tenantId, clientId, clientSecret, 'https://vault.localhost/.default');
    } finally {
      // stop(), never dispose(): the data directory belongs to `server`.
      companion.agent.destroy();
      await companion.stop();
    }
    // Same tenant and signing keys, but another authority host: its tokens name another issuer, and only that differs.
    const otherIssuer = await startServer({ ...store.startOptions, dataDir: server.dataDir, args: ['--authority-host', 'https://issuer.example.test'] });
    try {
      companionTokens.otherIssuer = await tokenFrom(otherIssuer, tenantId, clientId, clientSecret, 'https://vault.localhost/.default');
    } finally {
      otherIssuer.agent.destroy();
      await otherIssuer.stop();
    }
  });
  after(async () => {
    await server?.dispose();
    await store?.dispose();
  });

  async function assertUnauthorized(response: Awaited<ReturnType<TestServer['request']>>, message?: RegExp) {
    assert.equal(response.status, 401, response.text);
    assert.equal(response.headers['www-authenticate'], expectedChallenge);
    assert.equal(response.json?.error?.code, 'Unauthorized');
    assert.equal(typeof response.json.error.message, 'string');
    if (message) assert.match(response.json.error.message, message);
  }

  describe('challenge', () => {
    it('answers a GET without a token with 401, the challenge and AKV10000', async () => {
      const response = await server.request('GET', `${base}/secrets/${uniqueName()}?api-version=${apiVersion}`);
      assert.equal(response.status, 401);
      assert.equal(response.headers['www-authenticate'], expectedChallenge);
      assert.deepEqual(response.json, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } });
    });

    it("answers the SDK's first, bodiless PUT (content-length 0, content-type json) with 401, not 400", async () => {
      const response = await server.request('PUT', `${base}/secrets/${uniqueName()}?api-version=2025-07-01`, {
        headers: { 'content-type': 'application/json', 'content-length': '0' },
      });
      assert.equal(response.status, 401, response.text);
      assert.equal(response.headers['www-authenticate'], expectedChallenge);
      assert.deepEqual(response.json, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } });
    });

    it('challenges before it looks at the name, the version or the api-version', async () => {
      for (const url of [`${base}/secrets/bad_name?api-version=${apiVersion}`, `${base}/secrets/x/not-a-version?api-version=${apiVersion}`, `${base}/secrets/x?api-version=1999-01-01`]) {
        const response = await server.request('PUT', url, { headers: { 'content-type': 'application/json', 'content-length': '0' } });
        assert.equal(response.status, 401, `${url}: ${response.text}`);
        assert.equal(response.headers['www-authenticate'], expectedChallenge);
      }
    });

    it("is parseable by the SDK's rule and names our tenant and a scope a named vault passes verification with", async () => {
      const response = await server.request('GET', `${server.vaultUrl('authvault')}/secrets/${uniqueName()}?api-version=${apiVersion}`);
      assert.equal(response.status, 401);
      const header = response.headers['www-authenticate'];
      assert.equal(typeof header, 'string');
      const challenge = parseChallenge(header as string);
      assert.deepEqual(Object.keys(challenge).sort(), ['authorization', 'resource']);
      assert.equal(challenge.authorization, `${server.credentials.authorityHost}/${server.credentials.tenantId}`);
      assert.equal(new URL(challenge.authorization!).pathname.slice(1), server.credentials.tenantId);
      const scope = `${challenge.resource}/.default`;
      assert.equal(new URL(scope).href, scope, 'the scope is an absolute URL');
      assert.ok(`authvault.vault.localhost`.endsWith(`.${new URL(scope).hostname}`), 'resource verification passes for NAME.vault.localhost');
    });

    it('answers a non-Bearer Authorization header with the challenge', async () => {
      for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'PoP abc']) {
        const response = await server.request('GET', `${base}/secrets/x?api-version=${apiVersion}`, { headers: { authorization } });
        await assertUnauthorized(response);
      }
    });
  });

  describe('bearer token', () => {
    it('refuses a garbage token with 401 and the challenge, without echoing it', async () => {
      for (const token of ['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJ9.', 'x'.repeat(5000)]) {
        const response = await server.request('GET', `${base}/secrets/x?api-version=${apiVersion}`, { token });
        await assertUnauthorized(response);
        assert.ok(!response.text.includes(token), response.text);
      }
    });

    it('refuses a token whose signature has one character changed', async () => {
      const [header, payload, signature] = adminToken.split('.') as [string, string, string];
      const middle = Math.floor(signature.length / 2);
      const flipped = signature.slice(0, middle) + (signature[middle] === 'A' ? 'B' : 'A') + signature.slice(middle + 1);
      const response = await server.request('GET', `${base}/secrets/x?api-version=${apiVersion}`, { token: [header, payload, flipped].join('.') });
      await assertUnauthorized(response, /signature/i);
    });

    it('refuses a token whose payload was altered under the original signature', async () => {
      const [header, payload, signature] = adminToken.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      const altered = Buffer.from(JSON.stringify({ ...claims, exp: Number(claims.exp) + 86_400 })).toString('base64url');
      const response = await server.request('GET', `${base}/secrets/x?api-version=${apiVersion}`, { token: [header, altered, signature].join('.') });
      await assertUnauthorized(response, /signature/i);
    });

    it('refuses a token with our claims signed by another RSA key, under our kid or its own', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const claims = decodeJwt(adminToken);
      const ourKid = decodeProtectedHeader(adminToken).kid!;
      for (const kid of [ourKid, 'someone-elses-key']) {
        const forged = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(privateKey);
        const response = await server.request('GET', `${base}/secrets/x?api-version=${apiVersion}`, { token: forged });
        await assertUnauthorized(response);
      }
    });

    it('refuses an unsigned (alg none) copy of a real token', async () => {
      const [, payload] = adminToken.split('.') as [string, string];
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: decodeProtectedHeader(adminToken).kid })).toString('base64url');
      const response = await server.request('GET', `${base}/secrets/x?api-version=${apiVersion}`, { token: `${header}.${payload}.` });
      await assertUnauthorized(response);
    });

    it('accepts a token minted by a companion of this server for an audience we serve (control for the next tests)', async () => {
      const response = await server.request('GET', `${base}/secrets/${uniqueName()}?api-version=${apiVersion}`, { token: companionTokens.acceptedAudience! });
      assert.equal(response.status, 404, response.text);
      assert.equal(response.json.error.code, 'SecretNotFound');
    });

    it('refuses a token, otherwise valid, issued for another audience', async () => {
      const token = companionTokens.otherAudience!;
      assert.notEqual(decodeJwt(token).aud, `https://vault.localhost:${server.port}`);
      const response = await server.request('GET', `${base}/secrets/x?api-version=${apiVersion}`, { token });
      await assertUnauthorized(response, /audience/i);
    });

    it('refuses a token, otherwise valid, that expired', async () => {
      const token = companionTokens.expired!;
      assert.ok(Number(decodeJwt(token).exp) < Date.now() / 1000 - 3600, 'the token expired an hour ago');
      const response = await server.request('GET', `${base}/secrets/x?api-version=${apiVersion}`, { token });
      await assertUnauthorized(response, /expired/i);
    });

    it('refuses a token, otherwise valid, that is not valid yet', async () => {
      const token = companionTokens.notYetValid!;
      assert.ok(Number(decodeJwt(token).nbf) > Date.now() / 1000 + 3600, 'the token becomes valid in an hour');
      const response = await server.request('GET', `${base}/secrets/x?api-version=${apiVersion}`, { token });
      await assertUnauthorized(response, /not yet valid/i);
    });

    it('refuses a token, otherwise valid and signed with our key, that names another issuer', async () => {
      const token = companionTokens.otherIssuer!;
      assert.equal(decodeJwt(token).iss, `https://issuer.example.test/${server.credentials.tenantId}/v2.0`);
      const response = await server.request('GET', `${base}/secrets/x?api-version=${apiVersion}`, { token });
      await assertUnauthorized(response, /issuer/i);
    });

    it('answers a refused token on a bodied PUT with 401 too, and writes nothing', async () => {
      const name = uniqueName();
      const response = await server.request('PUT', `${base}/secrets/${name}?api-version=${apiVersion}`, { token: companionTokens.expired!, body: { value: 'nope' } });
      await assertUnauthorized(response);
      const check = await server.request('GET', `${base}/secrets/${name}?api-version=${apiVersion}`, { token: adminToken });
      assert.equal(check.status, 404);
    });
  });

  describe('RBAC: a valid token without rights', () => {
    let readerToken: string;
    before(async () => {
      readerToken = (await server.credential({ clientId: reader.clientId, clientSecret: reader.clientSecret }).getToken(`https://vault.localhost:${server.port}/.default`)).token;
    });

    it('answers a GET with 403 Forbidden / ForbiddenByRbac', async () => {
      const name = uniqueName();
      const set = await server.request('PUT', `${base}/secrets/${name}?api-version=${apiVersion}`, { token: adminToken, body: { value: 'admin-only' } });
      assert.equal(set.status, 200, set.text);
      const response = await server.request('GET', `${base}/secrets/${name}?api-version=${apiVersion}`, { token: readerToken });
      assert.equal(response.status, 403, response.text);
      assert.equal(response.headers['www-authenticate'], undefined);
      assert.equal(response.json.error.code, 'Forbidden');
      assert.deepEqual(response.json.error.innererror, { code: 'ForbiddenByRbac' });
      assert.ok(!response.text.includes('admin-only'));
      assert.match(response.json.error.message, new RegExp(reader.objectId));
    });

    it('answers a GET of a missing secret with the same 403, so existence does not leak', async () => {
      const response = await server.request('GET', `${base}/secrets/${uniqueName()}?api-version=${apiVersion}`, { token: readerToken });
      assert.equal(response.status, 403, response.text);
      assert.deepEqual(response.json.error.innererror, { code: 'ForbiddenByRbac' });
    });

    it('answers a PUT with 403 and creates nothing', async () => {
      const name = uniqueName();
      const response = await server.request('PUT', `${base}/secrets/${name}?api-version=${apiVersion}`, { token: readerToken, body: { value: 'sneaky' } });
      assert.equal(response.status, 403, response.text);
      assert.equal(response.json.error.code, 'Forbidden');
      assert.deepEqual(response.json.error.innererror, { code: 'ForbiddenByRbac' });
      const check = await server.request('GET', `${base}/secrets/${name}?api-version=${apiVersion}`, { token: adminToken });
      assert.equal(check.status, 404, check.text);
      assert.equal(check.json.error.code, 'SecretNotFound');
    });

    it('surfaces to SecretClient as a RestError 403 Forbidden', async () => {
      const client = server.secretClient({ vault: 'authvault', clientId: reader.clientId, clientSecret: reader.clientSecret });
      const name = uniqueName();
      await assert.rejects(client.setSecret(name, 'sneaky'), (error: any) => {
        assert.equal(error.name, 'RestError');
        assert.equal(error.statusCode, 403);
        assert.equal(error.code, 'Forbidden');
        return true;
      });
      const check = await server.request('GET', `${server.vaultUrl('authvault')}/secrets/${name}?api-version=${apiVersion}`, { token: adminToken });
      assert.equal(check.status, 404);
    });
  });

  describe('SecretClient.setSecret / getSecret as the administrator', () => {
    it('works on the default vault at https://localhost:PORT (resource verification off)', async () => {
      const client = server.secretClient();
      const name = uniqueName();
      const set = await client.setSecret(name, 'default-value');
      const got = await client.getSecret(name);
      assert.equal(got.value, 'default-value');
      assert.equal(got.properties.version, set.properties.version);
      assert.equal(got.properties.vaultUrl, `https://localhost:${server.port}`);
    });

    it('works on a named vault with resource verification on', async () => {
      const client = server.secretClient({ vault: 'authvault' });
      const name = uniqueName();
      await client.setSecret(name, 'named-value');
      const got = await client.getSecret(name);
      assert.equal(got.value, 'named-value');
      assert.equal(got.properties.vaultUrl, `https://authvault.vault.localhost:${server.port}`);
    });

    it('rejects with a RestError 401 when its credential holds a token the server refuses', async () => {
      // A credential whose tokens are not ours: the SDK gets the challenge, fetches a token, retries once, then surfaces 401.
      const forger = { getToken: async () => ({ token: companionTokens.expired!, expiresOnTimestamp: Date.now() + 3_600_000 }) };
      const client = new SecretClient(server.vaultUrl('authvault'), forger, { agent: server.agent, retryOptions: { maxRetries: 0 } } as any);
      await assert.rejects(client.getSecret(uniqueName()), (error: any) => {
        assert.equal(error.statusCode, 401);
        assert.equal(error.code, 'Unauthorized');
        return true;
      });
    });
  });
});
