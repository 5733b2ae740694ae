// The built-in token service as OAuth clients and @azure/identity meet it: OpenID discovery, JWKS, the
// client-credentials grant on the v2 and v1 endpoints, and Entra-shaped OAuth errors (azure-sdk-auth-facts.md §2).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

interface Principal {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  objectId: string;
}

type Response = Awaited<ReturnType<TestServer['request']>>;

describe('token service', () => {
  let server: TestServer;
  let authority: string;
  let vaultResource: string;
  let app: Principal;

  before(async () => {
    server = await startServer();
    authority = `${server.credentials.authorityHost}/${server.credentials.tenantId}`;
    vaultResource = `https://vault.localhost:${server.port}`;
    app = (await server.cli('principal', 'create', uniqueName('app'))) as Principal;
  });
  after(() => server.dispose());

  /** Posts a form the way MSAL does: form-encoded, a client-request-id in the query, telemetry fields in the body. */
  function postForm(url: string, fields: Record<string, string>, contentType = 'application/x-www-form-urlencoded;charset=utf-8'): Promise<Response> {
    return server.request('POST', url, { body: new URLSearchParams(fields).toString(), headers: { 'content-type': contentType } });
  }

  function clientCredentials(overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const fields: Record<string, string | undefined> = {
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'client_credentials',
      scope: `${vaultResource}/.default`,
      'client-request-id': randomUUID(),
      'x-client-SKU': 'msal.js.node',
      'x-client-VER': '5.6.0',
      ...overrides,
    };
    return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
  }

  const tokenUrl = () => `${authority}/oauth2/v2.0/token?client-request-id=${randomUUID()}`;

  function assertOAuthError(response: Response, status: number, error: string) {
    assert.equal(response.status, status, response.text);
    assert.equal(response.json?.error, error, response.text);
    assert.equal(typeof response.json.error_description, 'string');
    assert.ok(Array.isArray(response.json.error_codes), 'error_codes is an array');
    assert.ok(response.json.error_codes.length > 0 && response.json.error_codes.every((code: unknown) => Number.isInteger(code)), response.text);
    assert.equal(response.headers['cache-control'], 'no-store');
    // Nothing the client sent as a credential comes back.
    assert.ok(!response.text.includes(app.clientSecret));
  }

  describe('GET /{tenant}/v2.0/.well-known/openid-configuration', () => {
    it('names issuer, token, authorization and JWKS endpoints on the authority host:port', async () => {
      const response = await server.request('GET', `${authority}/v2.0/.well-known/openid-configuration`);
      assert.equal(response.status, 200, response.text);
      const doc = response.json;
      const authorityUrl = new URL(server.credentials.authorityHost);
      for (const field of ['issuer', 'token_endpoint', 'authorization_endpoint', 'jwks_uri']) {
        assert.equal(typeof doc[field], 'string', field);
        const url = new URL(doc[field]);
        assert.equal(url.protocol, 'https:', field);
        assert.equal(url.host, authorityUrl.host, `${field} is on the authority host:port`);
      }
      assert.equal(doc.issuer, `${authority}/v2.0`);
      assert.equal(doc.token_endpoint, `${authority}/oauth2/v2.0/token`);
    });

    it('answers an unknown tenant with 400 in the OAuth shape', async () => {
      const response = await server.request('GET', `${server.credentials.authorityHost}/${randomUUID()}/v2.0/.well-known/openid-configuration`);
      assertOAuthError(response, 400, 'invalid_request');
    });
  });

  describe('GET jwks_uri', () => {
    it('publishes RSA signing keys with a kid', async () => {
      const discovery = (await server.request('GET', `${authority}/v2.0/.well-known/openid-configuration`)).json;
      const response = await server.request('GET', discovery.jwks_uri);
      assert.equal(response.status, 200, response.text);
      const keys = response.json.keys as Array<Record<string, unknown>>;
      assert.ok(Array.isArray(keys) && keys.length > 0);
      for (const key of keys) {
        assert.equal(key.kty, 'RSA');
        assert.equal(typeof key.kid, 'string');
        assert.ok((key.kid as string).length > 0);
        assert.equal(typeof key.n, 'string');
        assert.equal(typeof key.e, 'string');
        assert.equal(key.d, undefined, 'no private part');
        assert.equal(key.p, undefined, 'no private part');
      }
    });
  });

  describe('POST /{tenant}/oauth2/v2.0/token (client credentials)', () => {
    let discovery: { issuer: string; jwks_uri: string };
    let jwks: JSONWebKeySet;
    before(async () => {
      discovery = (await server.request('GET', `${authority}/v2.0/.well-known/openid-configuration`)).json;
      jwks = (await server.request('GET', discovery.jwks_uri)).json;
    });

    it('issues a Bearer RS256 JWT that verifies against the JWKS, with the Entra app-token claims', async () => {
      const response = await postForm(tokenUrl(), clientCredentials());
      assert.equal(response.status, 200, response.text);
      assert.equal(response.headers['cache-control'], 'no-store');
      const body = response.json;
      assert.equal(body.token_type, 'Bearer');
      assert.ok(Number(body.expires_in) >= 3600, `expires_in ${body.expires_in}`);
      assert.equal(typeof body.access_token, 'string');

      const header = decodeProtectedHeader(body.access_token);
      assert.equal(header.alg, 'RS256');
      assert.ok(jwks.keys.some((key) => key.kid === header.kid), 'the header kid is in the JWKS');

      const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
        algorithms: ['RS256'],
        issuer: discovery.issuer,
        audience: vaultResource,
      });
      assert.equal(payload.tid, server.credentials.tenantId);
      assert.equal(payload.oid, app.objectId);
      assert.equal(payload.appid, app.clientId);
      assert.equal(payload.aud, vaultResource);
      assert.equal(payload.iss, discovery.issuer);
      for (const claim of ['iat', 'nbf', 'exp'] as const) assert.ok(Number.isInteger(payload[claim]), claim);
      assert.ok(payload.exp! - payload.iat! >= 3600, 'lifetime of at least an hour');
      assert.ok(payload.nbf! <= payload.iat!);
    });

    it('sets aud to the resource the scope names', async () => {
      for (const resource of ['https://vault.localhost', `${vaultResource}/`, 'https://vault.azure.net']) {
        const response = await postForm(tokenUrl(), clientCredentials({ scope: `${resource}/.default` }));
        assert.equal(response.status, 200, `${resource}: ${response.text}`);
        assert.equal(decodeJwt(response.json.access_token).aud, resource);
      }
    });

    it('issues a token the vault accepts', async () => {
      const token = (await postForm(tokenUrl(), clientCredentials({ client_id: server.credentials.clientId, client_secret: server.credentials.clientSecret }))).json.access_token;
      const response = await server.request('GET', `https://localhost:${server.port}/secrets/${uniqueName()}?api-version=7.5`, { token });
      assert.equal(response.status, 404, response.text);
      assert.equal(response.json.error.code, 'SecretNotFound');
    });

    it('answers a wrong secret with 401 invalid_client', async () => {
      assertOAuthError(await postForm(tokenUrl(), clientCredentials({ client_secret: `${app.clientSecret}x` })), 401, 'invalid_client');
    });

    it("answers another principal's secret with 401 invalid_client", async () => {
      assertOAuthError(await postForm(tokenUrl(), clientCredentials({ client_secret: server.credentials.clientSecret })), 401, 'invalid_client');
    });

    it('answers a missing secret with 401 invalid_client', async () => {
      assertOAuthError(await postForm(tokenUrl(), clientCredentials({ client_secret: undefined })), 401, 'invalid_client');
    });

    it('answers an unknown client_id with 400 unauthorized_client', async () => {
      assertOAuthError(await postForm(tokenUrl(), clientCredentials({ client_id: randomUUID() })), 400, 'unauthorized_client');
    });

    it('answers grant_type password with 400 unsupported_grant_type', async () => {
      const response = await postForm(tokenUrl(), clientCredentials({ grant_type: 'password', username: 'u', password: 'p' }));
      assertOAuthError(response, 400, 'unsupported_grant_type');
    });

    it('answers a missing grant_type, client_id or scope with 400 invalid_request', async () => {
      for (const missing of ['grant_type', 'client_id', 'scope']) {
        const response = await postForm(tokenUrl(), clientCredentials({ [missing]: undefined }));
        assertOAuthError(response, 400, 'invalid_request');
      }
    });

    it('answers a scope without /.default with 400 invalid_scope', async () => {
      assertOAuthError(await postForm(tokenUrl(), clientCredentials({ scope: 'openid profile' })), 400, 'invalid_scope');
    });

    it('answers a scope for a resource it does not serve with 400 invalid_resource', async () => {
      for (const scope of ['https://storage.azure.com/.default', 'https://other.vault.localhost/.default', 'https://vault.localhost:1/.default']) {
        assertOAuthError(await postForm(tokenUrl(), clientCredentials({ scope })), 400, 'invalid_resource');
      }
    });

    it('answers an unknown tenant in the path with 400', async () => {
      const response = await postForm(`${server.credentials.authorityHost}/${randomUUID()}/oauth2/v2.0/token`, clientCredentials());
      assertOAuthError(response, 400, 'invalid_request');
    });

    it('answers a JSON body (not a form) with 400 invalid_request, even when its fields are right', async () => {
      const response = await server.request('POST', tokenUrl(), { body: clientCredentials() });
      assertOAuthError(response, 400, 'invalid_request');
      assert.equal(response.json.access_token, undefined);
    });

    it('answers other content types with 400 invalid_request', async () => {
      for (const contentType of ['text/plain', 'multipart/form-data; boundary=x', 'application/octet-stream']) {
        const response = await postForm(tokenUrl(), clientCredentials(), contentType);
        assertOAuthError(response, 400, 'invalid_request');
      }
    });

    it('answers an empty body with 400 invalid_request', async () => {
      const response = await server.request('POST', tokenUrl(), { body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assertOAuthError(response, 400, 'invalid_request');
    });
  });

  describe('POST /{tenant}/oauth2/token (v1, resource=)', () => {
    it('issues a token for the resource with expires_on', async () => {
      const requestedAt = Math.floor(Date.now() / 1000);
      const response = await postForm(`${authority}/oauth2/token`, clientCredentials({ scope: undefined, resource: vaultResource }));
      assert.equal(response.status, 200, response.text);
      const body = response.json;
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.resource, vaultResource);
      assert.ok(Number(body.expires_in) >= 3600);
      assert.match(String(body.expires_on), /^\d+$/);
      assert.ok(Number(body.expires_on) >= requestedAt + 3600);
      const claims = decodeJwt(body.access_token);
      assert.equal(claims.aud, vaultResource);
      assert.equal(claims.exp, Number(body.expires_on));
      const vault = await server.request('GET', `https://localhost:${server.port}/secrets/${uniqueName()}?api-version=7.5`, {
        token: (await postForm(`${authority}/oauth2/token`, { grant_type: 'client_credentials', client_id: server.credentials.clientId, client_secret: server.credentials.clientSecret, resource: vaultResource })).json.access_token,
      });
      assert.equal(vault.status, 404, vault.text);
    });

    it('answers a resource it does not serve with 400 invalid_resource', async () => {
      const response = await postForm(`${authority}/oauth2/token`, clientCredentials({ scope: undefined, resource: 'https://storage.azure.com' }));
      assertOAuthError(response, 400, 'invalid_resource');
    });
  });

  describe('ClientSecretCredential.getToken', () => {
    it('gets a token for the vault scope', async () => {
      const token = await server.credential({ clientId: app.clientId, clientSecret: app.clientSecret }).getToken(`${vaultResource}/.default`);
      assert.equal(typeof token.token, 'string');
      assert.ok(token.expiresOnTimestamp > Date.now() + 3000 * 1000);
      const claims = decodeJwt(token.token);
      assert.equal(claims.appid, app.clientId);
      assert.equal(claims.aud, vaultResource);
    });

    it('rejects a wrong secret with an authentication error naming invalid_client', async () => {
      const credential = server.credential({ clientId: app.clientId, clientSecret: 'not-the-secret' });
      await assert.rejects(credential.getToken(`${vaultResource}/.default`), (error: Error) => {
        assert.match(error.name, /^Authentication(Required)?Error$/);
        assert.match(error.message, /invalid_client/);
        assert.ok(!error.message.includes('not-the-secret'));
        return true;
      });
    });

    it('rejects an unknown client id with an authentication error naming unauthorized_client', async () => {
      const credential = server.credential({ clientId: randomUUID(), clientSecret: 'whatever' });
      await assert.rejects(credential.getToken(`${vaultResource}/.default`), (error: Error) => {
        assert.match(error.name, /^Authentication(Required)?Error$/);
        assert.match(error.message, /unauthorized_client/);
        return true;
      });
    });
  });
});
