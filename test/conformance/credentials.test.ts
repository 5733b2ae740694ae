// Every credential type of the built-in token service, through the official @azure/identity credentials against a
// real server: client secrets (several, removal), certificates (ClientCertificateCredential), managed identities
// (ManagedIdentityCredential, App Service and IMDS, each in its own process: msal-node keeps process-wide state),
// workload identity federation (WorkloadIdentityCredential), and external issuers' tokens used directly. A principal
// without role assignments is refused by authorization (403), which proves authentication passed; the administrator
// gets 200s. Facts about the SDK side: /work/shared/reference/azure-sdk-auth-facts.md §2–3.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ClientCertificateCredential, ClientSecretCredential, WorkloadIdentityCredential, type AccessToken, type TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { decodeJwt, generateKeyPair } from 'jose';
import { makeClientCertificate } from '../support/client-certificates.js';
import { startOidcIssuer, type TestIssuer } from '../support/oidc-issuer.js';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const apiVersion = '7.5';
const armApiVersion = '2023-07-01';

interface CreatedPrincipal {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  objectId: string;
}

interface CreatedIdentity {
  clientId: string;
  objectId: string;
  identityHeader: string;
  imdsAddresses: string[];
}

interface ChildResult {
  ok: boolean;
  oid?: string;
  appid?: string;
  aud?: string;
  cached?: boolean;
  expiresOnTimestamp?: number;
  vaultStatus?: number;
  vaultCode?: string;
  error?: string;
}

/** A TokenCredential that hands out one fixed token, as a client holding an external issuer's token would. */
function fixedToken(token: string): TokenCredential {
  return { getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

let tempDir: string;
before(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-credentials-'));
});
after(() => rm(tempDir, { recursive: true, force: true }));

async function tempFile(name: string, content: string): Promise<string> {
  const file = path.join(tempDir, `${randomUUID()}-${name}`);
  await writeFile(file, content);
  return file;
}

describe('credentials of the built-in token service', () => {
  let server: TestServer;
  let idp: TestIssuer;
  let otherIdp: TestIssuer;
  let vaultScope: string;
  let managementScope: string;
  let tokenUrl: string;
  let adminResource: string;

  before(async () => {
    // Two external issuers with their own CAs; the server trusts the first (NODE_EXTRA_CA_CERTS) and configures it.
    idp = await startOidcIssuer({ path: '/tenant-x' });
    otherIdp = await startOidcIssuer();
    server = await startServer({ args: ['--external-issuer', idp.issuer], env: { NODE_EXTRA_CA_CERTS: idp.caCertPath } });
    vaultScope = `https://vault.localhost:${server.port}/.default`;
    managementScope = `https://localhost:${server.port}/.default`;
    tokenUrl = `https://localhost:${server.port}/${server.credentials.tenantId}/oauth2/v2.0/token`;
    adminResource = `https://localhost:${server.port}/subscriptions`;
  });
  after(async () => {
    await server?.dispose();
    await idp?.close();
    await otherIdp?.close();
  });

  const credentialOptions = () => ({ authorityHost: server.credentials.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: server.ca } }) as any;
  const clientOptions = () => ({ disableChallengeResourceVerification: true, agent: server.agent, retryOptions: { maxRetries: 0 } }) as any;
  const secretClient = (credential: TokenCredential) => new SecretClient(server.credentials.vaultUrl, credential, clientOptions());

  /** What the vault answers a principal with a valid token and no rights: 403 ForbiddenByRbac, the proof it authenticated. */
  async function assertAuthenticatedWithoutRights(credential: TokenCredential): Promise<void> {
    await assert.rejects(secretClient(credential).getSecret('anything'), (error: any) => {
      assert.equal(error.statusCode, 403, error.message);
      assert.equal(error.code, 'Forbidden');
      assert.match(JSON.stringify(error.details ?? error.response?.bodyAsText ?? ''), /ForbiddenByRbac/);
      return true;
    });
  }

  async function postToken(form: Record<string, string>) {
    return server.request('POST', tokenUrl, {
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: vaultScope, ...form }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  async function cliFails(args: string[], message: RegExp): Promise<void> {
    await assert.rejects(server.cli(...args), (error: any) => {
      assert.match(String(error.stderr), message);
      return true;
    });
  }

  describe('ClientSecretCredential with several secrets', () => {
    it('gets tokens with each of two secrets, lists them without their values, and refuses a removed one at once', async () => {
      const principal = (await server.cli('principal', 'create', uniqueName('rotating'))) as CreatedPrincipal;
      const added = (await server.cli('principal', 'secret', 'add', principal.clientId, '--display-name', 'second', '--expires-days', '30')) as any;
      assert.match(added.keyId, /^[0-9a-f-]{36}$/);
      assert.equal(added.hint, added.clientSecret.slice(0, 3));
      assert.equal(added.displayName, 'second');
      const endDays = (Date.parse(added.endDateTime) - Date.parse(added.startDateTime)) / 86_400_000;
      assert.equal(Math.round(endDays), 30);

      const first = new ClientSecretCredential(principal.tenantId, principal.clientId, principal.clientSecret, credentialOptions());
      const second = new ClientSecretCredential(principal.tenantId, principal.clientId, added.clientSecret, credentialOptions());
      assert.equal(decodeJwt((await first.getToken(vaultScope)).token).oid, principal.objectId);
      assert.equal(decodeJwt((await second.getToken(vaultScope)).token).oid, principal.objectId);
      await assertAuthenticatedWithoutRights(second);

      const listed = (await server.cli('principal', 'secret', 'list', principal.clientId)) as any[];
      assert.equal(listed.length, 2);
      assert.ok(listed.some((secret) => secret.keyId === added.keyId && secret.hint === added.hint && secret.endDateTime === added.endDateTime));
      const listedText = JSON.stringify(listed);
      assert.ok(!listedText.includes(added.clientSecret) && !listedText.includes(principal.clientSecret), 'no secret is listed');

      await server.cli('principal', 'secret', 'remove', principal.clientId, added.keyId);
      const refused = await postToken({ client_id: principal.clientId, client_secret: added.clientSecret });
      assert.equal(refused.status, 401);
      assert.equal(refused.json.error, 'invalid_client');
      assert.ok(!refused.text.includes(added.clientSecret));
      const fresh = new ClientSecretCredential(principal.tenantId, principal.clientId, added.clientSecret, credentialOptions());
      await assert.rejects(fresh.getToken(vaultScope), /invalid_client/);
      assert.equal((await postToken({ client_id: principal.clientId, client_secret: principal.clientSecret })).status, 200);
    });

    it('gives the administrator a second secret that reads and writes secrets', async () => {
      const added = (await server.cli('principal', 'secret', 'add', server.credentials.clientId)) as any;
      const client = server.secretClient({ clientSecret: added.clientSecret });
      const name = uniqueName('second-secret');
      await client.setSecret(name, 'value');
      assert.equal((await client.getSecret(name)).value, 'value');
      await server.cli('principal', 'secret', 'remove', server.credentials.clientId, added.keyId);
    });

    it('refuses to remove a secret the principal does not have', async () => {
      await cliFails(['principal', 'secret', 'remove', server.credentials.clientId, randomUUID()], /has no client secret/);
      await cliFails(['principal', 'secret', 'add', randomUUID()], /No principal has the client id/);
    });
  });

  describe('principal disable / enable', () => {
    it('refuses new tokens with AADSTS7000112 and the tokens already held on the data plane and management API, at once', async () => {
      const principal = (await server.cli('principal', 'create', uniqueName('disabled'))) as CreatedPrincipal;
      const vaultToken = (await postToken({ client_id: principal.clientId, client_secret: principal.clientSecret })).json.access_token as string;
      const managementToken = (await postToken({ client_id: principal.clientId, client_secret: principal.clientSecret, scope: managementScope })).json.access_token as string;
      const secretUrl = `${server.credentials.vaultUrl}/secrets/anything?api-version=${apiVersion}`;
      const vaultsUrl = `${adminResource}/${randomUUID()}/providers/Microsoft.KeyVault/vaults?api-version=${armApiVersion}`;
      assert.equal((await server.request('GET', secretUrl, { token: vaultToken })).status, 403);
      assert.notEqual((await server.request('GET', vaultsUrl, { token: managementToken })).status, 401);

      const disabled = (await server.cli('principal', 'disable', principal.clientId)) as any;
      assert.equal(disabled.enabled, false);
      const refused = await postToken({ client_id: principal.clientId, client_secret: principal.clientSecret });
      assert.equal(refused.status, 400);
      assert.equal(refused.json.error, 'unauthorized_client');
      assert.deepEqual(refused.json.error_codes, [7000112]);
      assert.match(refused.json.error_description, /^AADSTS7000112: Application '[0-9a-f-]{36}'\(disabled-[0-9a-f]+\) is disabled\./);
      const onVault = await server.request('GET', secretUrl, { token: vaultToken });
      assert.equal(onVault.status, 401);
      assert.match(String(onVault.headers['www-authenticate']), /^Bearer authorization=/);
      assert.equal((await server.request('GET', vaultsUrl, { token: managementToken })).status, 401);
      assert.equal(((await server.cli('principal', 'show', principal.clientId)) as any).enabled, false);

      await server.cli('principal', 'enable', principal.clientId);
      assert.equal((await server.request('GET', secretUrl, { token: vaultToken })).status, 403);
      assert.equal((await postToken({ client_id: principal.clientId, client_secret: principal.clientSecret })).status, 200);
    });
  });

  describe('ClientCertificateCredential', () => {
    it('authenticates with a registered certificate, for the vault and the management API with one credential', async () => {
      const principal = (await server.cli('principal', 'create', uniqueName('cert'))) as CreatedPrincipal;
      const certificate = await makeClientCertificate();
      const added = (await server.cli('principal', 'certificate', 'add', principal.clientId, '--cert', await tempFile('cert.pem', certificate.certPem))) as any;
      assert.equal(added.type, 'AsymmetricX509Cert');
      assert.match(added.thumbprint, /^[0-9A-F]{40}$/);
      assert.match(added.thumbprintSha256, /^[0-9A-F]{64}$/);

      const credential = new ClientCertificateCredential(principal.tenantId, principal.clientId, { certificate: `${certificate.keyPem}${certificate.certPem}` }, credentialOptions());
      assert.equal(decodeJwt((await credential.getToken(vaultScope)).token).oid, principal.objectId);
      // MSAL signs one assertion and reuses it for ten minutes, here for a second resource: that is not a replay.
      assert.equal(decodeJwt((await credential.getToken(managementScope)).token).aud, managementScope.replace('/.default', ''));
      await assertAuthenticatedWithoutRights(credential);

      const listed = (await server.cli('principal', 'certificate', 'list', principal.clientId)) as any[];
      assert.deepEqual(listed.map((entry) => entry.keyId), [added.keyId]);
      await server.cli('principal', 'certificate', 'remove', principal.clientId, added.keyId);
      const after = new ClientCertificateCredential(principal.tenantId, principal.clientId, { certificate: `${certificate.keyPem}${certificate.certPem}` }, credentialOptions());
      await assert.rejects(after.getToken(vaultScope), /700027/);
    });

    it('lets the administrator read and write secrets with a certificate, the chain sent or not', async () => {
      const certificate = await makeClientCertificate();
      await server.cli('principal', 'certificate', 'add', server.credentials.clientId, '--cert', await tempFile('admin.pem', certificate.certPem));
      for (const sendCertificateChain of [false, true]) {
        const credential = new ClientCertificateCredential(server.credentials.tenantId, server.credentials.clientId, { certificate: `${certificate.keyPem}${certificate.certPem}` }, { ...credentialOptions(), sendCertificateChain });
        const client = secretClient(credential);
        const name = uniqueName('by-certificate');
        await client.setSecret(name, 'signed');
        assert.equal((await client.getSecret(name)).value, 'signed');
      }
    });

    it('refuses a certificate that is not registered, and an assertion replayed for the same resource', async () => {
      const registered = await makeClientCertificate();
      const stranger = await makeClientCertificate();
      const principal = (await server.cli('principal', 'create', uniqueName('cert-refusals'))) as CreatedPrincipal;
      await server.cli('principal', 'certificate', 'add', principal.clientId, '--cert', await tempFile('c.pem', registered.certPem));
      const unknown = new ClientCertificateCredential(principal.tenantId, principal.clientId, { certificate: `${stranger.keyPem}${stranger.certPem}` }, credentialOptions());
      await assert.rejects(unknown.getToken(vaultScope), /invalid_client.*700027|700027/s);

      // The assertion MSAL would send, captured and sent twice for the same resource.
      const { SignJWT } = await import('jose');
      const { createHash } = await import('node:crypto');
      const now = Math.floor(Date.now() / 1000);
      const assertion = await new SignJWT({ aud: tokenUrl, iss: principal.clientId, sub: principal.clientId, nbf: now, exp: now + 600, jti: randomUUID() })
        .setProtectedHeader({ alg: 'PS256', typ: 'JWT', 'x5t#S256': createHash('sha256').update(registered.der).digest('base64url') })
        .sign(registered.privateKey);
      const form = { client_id: principal.clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion };
      assert.equal((await postToken(form)).status, 200);
      const replayed = await postToken(form);
      assert.equal(replayed.status, 401);
      assert.deepEqual(replayed.json.error_codes, [50013]);
    });

    it('refuses a certificate file holding a private key, and keeps nothing', async () => {
      const certificate = await makeClientCertificate();
      const principal = (await server.cli('principal', 'create', uniqueName('cert-key'))) as CreatedPrincipal;
      await cliFails(['principal', 'certificate', 'add', principal.clientId, '--cert', await tempFile('both.pem', `${certificate.keyPem}${certificate.certPem}`)], /private key/);
      assert.deepEqual(await server.cli('principal', 'certificate', 'list', principal.clientId), []);
    });
  });

  describe('WorkloadIdentityCredential (federated credentials)', () => {
    const subject = 'system:serviceaccount:payments:api';

    async function federatedPrincipal(): Promise<CreatedPrincipal> {
      const principal = (await server.cli('principal', 'create', uniqueName('federated'))) as CreatedPrincipal;
      await server.cli('principal', 'federated', 'add', principal.clientId, '--name', 'k8s', '--issuer', idp.issuer, '--subject', subject);
      return principal;
    }

    const workloadCredential = (clientId: string, tokenFilePath: string) =>
      new WorkloadIdentityCredential({ tenantId: server.credentials.tenantId, clientId, tokenFilePath, ...credentialOptions() });

    it("exchanges an external issuer's token from AZURE_FEDERATED_TOKEN_FILE for a vault token", async () => {
      const principal = await federatedPrincipal();
      const listed = (await server.cli('principal', 'federated', 'list', principal.clientId)) as any[];
      assert.deepEqual(listed.map((entry) => [entry.name, entry.issuer, entry.subject, entry.audiences]), [['k8s', idp.issuer, subject, ['api://AzureADTokenExchange']]]);
      const file = await tempFile('token', await idp.sign({ sub: subject, aud: 'api://AzureADTokenExchange' }));
      const credential = workloadCredential(principal.clientId, file);
      assert.equal(decodeJwt((await credential.getToken(vaultScope)).token).oid, principal.objectId);
      await assertAuthenticatedWithoutRights(credential);
    });

    it('lets the administrator read and write secrets with a federated credential', async () => {
      const name = `admin-${randomUUID().slice(0, 8)}`;
      await server.cli('principal', 'federated', 'add', server.credentials.clientId, '--name', name, '--issuer', idp.issuer, '--subject', 'repo:coffer/ci:ref:refs/heads/main');
      const file = await tempFile('admin-token', await idp.sign({ sub: 'repo:coffer/ci:ref:refs/heads/main', aud: 'api://AzureADTokenExchange' }));
      const client = secretClient(workloadCredential(server.credentials.clientId, file));
      const secretName = uniqueName('federated');
      await client.setSecret(secretName, 'federated value');
      assert.equal((await client.getSecret(secretName)).value, 'federated value');
      await server.cli('principal', 'federated', 'remove', server.credentials.clientId, name);
    });

    it("refuses another subject (700213), audience (700212), issuer (700211), an expired token (700024) and a forged one (700027)", async () => {
      const principal = await federatedPrincipal();
      const { privateKey: forger } = await generateKeyPair('RS256', { extractable: true });
      const now = Math.floor(Date.now() / 1000);
      const cases: Array<[Promise<string>, number]> = [
        [idp.sign({ sub: 'system:serviceaccount:payments:other', aud: 'api://AzureADTokenExchange' }), 700213],
        [idp.sign({ sub: subject, aud: 'api://SomethingElse' }), 700212],
        [otherIdp.sign({ sub: subject, aud: 'api://AzureADTokenExchange' }), 700211],
        [idp.sign({ sub: subject, aud: 'api://AzureADTokenExchange', iat: now - 7200, nbf: now - 7200, exp: now - 3600 }), 700024],
        [idp.sign({ sub: subject, aud: 'api://AzureADTokenExchange' }, { key: forger as any }), 700027],
      ];
      for (const [token, code] of cases) {
        const response = await postToken({ client_id: principal.clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await token });
        assert.equal(response.status, 401, `${code}: ${response.text}`);
        assert.equal(response.json.error, 'invalid_client');
        assert.deepEqual(response.json.error_codes, [code], response.text);
      }
    });

    it('refuses the token at once when the federated credential is removed', async () => {
      const principal = await federatedPrincipal();
      const assertion = await idp.sign({ sub: subject, aud: 'api://AzureADTokenExchange' });
      const form = { client_id: principal.clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion };
      // The same external token may be exchanged again while it lives: WorkloadIdentityCredential rereads its file every 5 minutes.
      assert.equal((await postToken(form)).status, 200);
      assert.equal((await postToken(form)).status, 200);
      await server.cli('principal', 'federated', 'remove', principal.clientId, 'k8s');
      const refused = await postToken(form);
      assert.equal(refused.status, 401);
      assert.deepEqual(refused.json.error_codes, [700211]);
    });

    it('refuses invalid federated credentials in the CLI', async () => {
      const principal = (await server.cli('principal', 'create', uniqueName('federated-bad'))) as CreatedPrincipal;
      await cliFails(['principal', 'federated', 'add', principal.clientId, '--name', 'x', '--issuer', 'http://insecure.example', '--subject', 's'], /name 'x'.*issuer 'http:\/\/insecure\.example' must be an https URL/s);
      await server.cli('principal', 'federated', 'add', principal.clientId, '--name', 'one', '--issuer', idp.issuer, '--subject', 's');
      await cliFails(['principal', 'federated', 'add', principal.clientId, '--name', 'one', '--issuer', idp.issuer, '--subject', 't'], /named 'one' already exists/);
      await cliFails(['principal', 'federated', 'add', principal.clientId, '--name', 'two', '--issuer', idp.issuer, '--subject', 's'], /issuer and subject already exists/);
    });
  });

  describe('external issuer tokens (--external-issuer)', () => {
    const vaultUrl = () => `${server.credentials.vaultUrl}/secrets/anything?api-version=${apiVersion}`;
    const vaultResourceUrl = () => `${adminResource}/${randomUUID()}/resourceGroups/coffer/providers/Microsoft.KeyVault/vaults/default?api-version=${armApiVersion}`;

    it("authenticates a SecretClient holding the issuer's token for https://vault.azure.net; the principal is its oid", async () => {
      assert.match(server.output(), new RegExp(`trusts tokens of: +${idp.issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
      const token = await idp.sign({ oid: randomUUID(), tid: randomUUID(), azp: randomUUID(), sub: 'user', aud: 'https://vault.azure.net' });
      await assertAuthenticatedWithoutRights(fixedToken(token));
      const response = await server.request('GET', vaultUrl(), { token });
      assert.equal(response.status, 403);
      assert.equal(response.json.error.innererror.code, 'ForbiddenByRbac');
    });

    it('authenticates its management-audience tokens on the management API', async () => {
      const token = await idp.sign({ oid: randomUUID(), sub: 'user', aud: 'https://management.azure.com/' });
      const response = await server.request('GET', vaultResourceUrl(), { token });
      assert.equal(response.status, 403, response.text);
      assert.equal(response.json.error.code, 'AuthorizationFailed');
    });

    it('refuses forged, expired, wrong-audience, unconfigured-issuer, unsigned and impersonating tokens with 401', async () => {
      const { privateKey: forger } = await generateKeyPair('RS256', { extractable: true });
      const now = Math.floor(Date.now() / 1000);
      const claims = { oid: randomUUID(), sub: 'user', aud: 'https://vault.azure.net' };
      const valid = await idp.sign(claims);
      const [header, payload] = valid.split('.') as [string, string];
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'test-key-1' })).toString('base64url')}.${payload}.`;
      const cases: Array<[string, string]> = [
        ['forged signature', await idp.sign(claims, { key: forger as any })],
        ['expired', await idp.sign({ ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 })],
        ['wrong audience', await idp.sign({ ...claims, aud: 'api://AzureADTokenExchange' })],
        ['management audience on the data plane', await idp.sign({ ...claims, aud: 'https://management.azure.com/' })],
        ['issuer not configured', await otherIdp.sign(claims)],
        ['alg none', unsigned],
        ['altered payload', `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(valid), oid: randomUUID() })).toString('base64url')}.${valid.split('.')[2]}`],
        ["naming the administrator's object id", await idp.sign({ ...claims, oid: ((await server.cli('principal', 'show', server.credentials.clientId)) as any).objectId })],
        ['without the principal claim', await idp.sign({ sub: 'user', aud: 'https://vault.azure.net' })],
      ];
      for (const [why, token] of cases) {
        const response = await server.request('GET', vaultUrl(), { token });
        assert.equal(response.status, 401, `${why}: ${response.text}`);
        assert.match(String(response.headers['www-authenticate']), /^Bearer authorization=/, why);
      }
      assert.equal((await server.request('GET', vaultUrl(), { token: valid })).status, 403, 'control: the untouched token is authenticated');
      const onManagement = await server.request('GET', vaultResourceUrl(), { token: valid });
      assert.equal(onManagement.status, 401, 'a vault-audience token on the management API');
    });

    it('fetches the discovery document and keys once, not per request', async () => {
      const before = idp.fetches();
      const token = await idp.sign({ oid: randomUUID(), sub: 'user', aud: 'https://vault.azure.net' });
      for (let i = 0; i < 3; i += 1) assert.equal((await server.request('GET', vaultUrl(), { token: await idp.sign({ oid: randomUUID(), aud: 'https://vault.azure.net' }) })).status, 403);
      assert.equal((await server.request('GET', vaultUrl(), { token })).status, 403);
      assert.deepEqual(idp.fetches(), before);
    });
  });
});

describe('ManagedIdentityCredential', () => {
  let server: TestServer;
  let vaultScope: string;

  before(async () => {
    // The test's own address stands in for a reverse proxy, so a test can present another client address through
    // X-Forwarded-For; without that header the proxy is itself the client.
    server = await startServer({ args: ['--trusted-proxy', '127.0.0.1'] });
    vaultScope = `https://vault.localhost:${server.port}/.default`;
  });
  after(() => server?.dispose());

  /** Runs test/support/managed-identity-client.ts in its own process with only the environment given. */
  async function inChild(env: Record<string, string>): Promise<ChildResult> {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(AZURE_|IDENTITY_|MSI_|IMDS_)/.test(key)));
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/support/managed-identity-client.ts')], {
      cwd: repoRoot,
      env: { ...clean, NODE_EXTRA_CA_CERTS: server.credentials.caCertPath, COFFER_TEST_SCOPE: vaultScope, COFFER_TEST_VAULT_URL: server.credentials.vaultUrl, ...env },
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
  }

  const msiUrl = (query: string) => `https://localhost:${server.port}/msi/token?${query}`;
  const imdsUrl = (query: string) => `https://localhost:${server.port}/metadata/identity/oauth2/token?${query}`;
  const resource = () => encodeURIComponent(`https://vault.localhost:${server.port}`);

  describe('App Service (IDENTITY_ENDPOINT + IDENTITY_HEADER)', () => {
    it('gets a token for the identity the header names, and the vault authenticates it', async () => {
      const identity = (await server.cli('identity', 'create', uniqueName('web'))) as CreatedIdentity & { environment: Record<string, string> };
      assert.equal(identity.environment.IDENTITY_ENDPOINT, `${server.credentials.authorityHost}/msi/token`);
      const result = await inChild({ IDENTITY_ENDPOINT: identity.environment.IDENTITY_ENDPOINT, IDENTITY_HEADER: identity.identityHeader });
      assert.equal(result.ok, true, result.error);
      assert.equal(result.oid, identity.objectId);
      assert.equal(result.appid, identity.clientId);
      assert.equal(result.aud, `https://vault.localhost:${server.port}`);
      assert.equal(result.cached, true);
      assert.ok(result.expiresOnTimestamp! > Date.now() + 50 * 60_000, 'expires_on was read');
      assert.equal(result.vaultStatus, 403);
      assert.equal(result.vaultCode, 'Forbidden');
    });

    it('works through DefaultAzureCredential, and with the user-assigned client id', async () => {
      const identity = (await server.cli('identity', 'create', uniqueName('dac'))) as CreatedIdentity;
      const endpoint = `${server.credentials.authorityHost}/msi/token`;
      const viaDefault = await inChild({ IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: identity.identityHeader, COFFER_TEST_CREDENTIAL: 'default' });
      assert.equal(viaDefault.ok, true, viaDefault.error);
      assert.equal(viaDefault.oid, identity.objectId);
      const byClientId = await inChild({ IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: identity.identityHeader, COFFER_TEST_CLIENT_ID: identity.clientId });
      assert.equal(byClientId.ok, true, byClientId.error);
      assert.equal(byClientId.oid, identity.objectId);
    });

    it('refuses a wrong header, a rotated-out header and a disabled identity, without a 404 the SDK would retry', async () => {
      const identity = (await server.cli('identity', 'create', uniqueName('refused'))) as CreatedIdentity;
      const endpoint = `${server.credentials.authorityHost}/msi/token`;
      const [lookupId] = identity.identityHeader.split('.');
      const wrong = await inChild({ IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: `${lookupId}.${'A'.repeat(43)}` });
      assert.equal(wrong.ok, false);
      assert.match(wrong.error!, /X-IDENTITY-HEADER does not identify a managed identity/);

      const rotated = (await server.cli('identity', 'rotate-header', identity.clientId)) as { identityHeader: string };
      const old = await server.request('GET', msiUrl(`api-version=2019-08-01&resource=${resource()}`), { headers: { 'x-identity-header': identity.identityHeader } });
      assert.equal(old.status, 401);
      const fresh = await server.request('GET', msiUrl(`api-version=2019-08-01&resource=${resource()}`), { headers: { 'x-identity-header': rotated.identityHeader } });
      assert.equal(fresh.status, 200, fresh.text);

      await server.cli('principal', 'disable', identity.clientId);
      const disabled = await inChild({ IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: rotated.identityHeader });
      assert.equal(disabled.ok, false);
      assert.match(disabled.error!, /AADSTS7000112/);
      const raw = await server.request('GET', msiUrl(`api-version=2019-08-01&resource=${resource()}`), { headers: { 'x-identity-header': rotated.identityHeader } });
      assert.equal(raw.status, 400);
      assert.equal(raw.json.error, 'unauthorized_client');
    });

    it("answers in App Service's shape, and refuses bad requests with 400/401, never 404", async () => {
      const identity = (await server.cli('identity', 'create', uniqueName('shape'))) as CreatedIdentity;
      const other = (await server.cli('identity', 'create', uniqueName('other'))) as CreatedIdentity;
      const headers = { 'x-identity-header': identity.identityHeader };
      const ok = await server.request('GET', msiUrl(`api-version=2019-08-01&resource=${resource()}`), { headers });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(Object.keys(ok.json).sort(), ['access_token', 'client_id', 'expires_on', 'resource', 'token_type']);
      assert.match(ok.json.expires_on, /^\d+$/);
      assert.equal(ok.json.token_type, 'Bearer');
      assert.equal(ok.json.client_id, identity.clientId);
      assert.equal(ok.json.resource, `https://vault.localhost:${server.port}`);
      assert.equal(ok.headers['cache-control'], 'no-store');

      const refusals: Array<[string, Record<string, string>, number, RegExp]> = [
        [`api-version=2019-08-01&resource=${resource()}`, {}, 401, /X-IDENTITY-HEADER header is required/],
        [`api-version=2019-08-01&resource=${resource()}`, { 'x-identity-header': 'garbage' }, 401, /does not identify/],
        [`api-version=2017-09-01&resource=${resource()}`, headers, 400, /api-version/],
        ['api-version=2019-08-01', headers, 400, /'resource' is missing/],
        [`api-version=2019-08-01&resource=${encodeURIComponent('https://storage.azure.com')}`, headers, 400, /not served/],
        [`api-version=2019-08-01&resource=${resource()}&client_id=${other.clientId}`, headers, 400, /Identity not found/],
      ];
      for (const [query, requestHeaders, status, message] of refusals) {
        const response = await server.request('GET', msiUrl(query), { headers: requestHeaders });
        assert.equal(response.status, status, `${query}: ${response.text}`);
        assert.match(response.json.error_description, message);
        assert.equal(typeof response.json.error, 'string');
        assert.ok(!response.text.includes(identity.identityHeader));
      }
    });

    it('lists identities without their headers', async () => {
      const identity = (await server.cli('identity', 'create', uniqueName('listed'))) as CreatedIdentity;
      const listed = (await server.cli('identity', 'list')) as any[];
      assert.ok(listed.some((entry) => entry.clientId === identity.clientId && entry.kind === 'managedIdentity'));
      assert.ok(!JSON.stringify(listed).includes(identity.identityHeader.split('.')[1]!));
      const shown = (await server.cli('principal', 'show', identity.clientId)) as any;
      assert.equal(shown.kind, 'managedIdentity');
      assert.deepEqual(shown.imdsAddresses, []);
      assert.deepEqual(shown.passwordCredentials, []);
      await assert.rejects(server.cli('principal', 'secret', 'add', identity.clientId), (error: any) => /is a managed identity, which cannot have client secrets/.test(String(error.stderr)));
    });
  });

  describe('IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST)', () => {
    it('gives ManagedIdentityCredential the identity bound to the caller address', async () => {
      const identity = (await server.cli('identity', 'create', uniqueName('vm'), '--imds-address', '127.0.0.1', '--imds-address', '::1')) as CreatedIdentity & { environment: Record<string, string> };
      assert.deepEqual(identity.imdsAddresses, ['127.0.0.1/32', '::1/128']);
      assert.equal(identity.environment.AZURE_POD_IDENTITY_AUTHORITY_HOST, server.credentials.authorityHost);
      try {
        const result = await inChild({ AZURE_POD_IDENTITY_AUTHORITY_HOST: identity.environment.AZURE_POD_IDENTITY_AUTHORITY_HOST });
        assert.equal(result.ok, true, result.error);
        assert.equal(result.oid, identity.objectId);
        assert.equal(result.vaultStatus, 403);
      } finally {
        await server.cli('identity', 'imds-addresses', identity.clientId);
      }
    });

    it("follows IMDS's rules: Metadata header required, one identity per address unless client_id picks one, nothing for an unbound address", async () => {
      const query = `api-version=2018-02-01&resource=${resource()}`;
      const first = (await server.cli('identity', 'create', uniqueName('vm-a'), '--imds-address', '127.0.0.0/8', '--imds-address', '::1')) as CreatedIdentity;
      const second = (await server.cli('identity', 'create', uniqueName('vm-b'), '--imds-address', '127.0.0.1', '--imds-address', '::1')) as CreatedIdentity;
      try {
        const noMetadata = await server.request('GET', imdsUrl(query), {});
        assert.equal(noMetadata.status, 400);
        assert.equal(noMetadata.json.error_description, 'Required metadata header not specified');
        const ambiguous = await server.request('GET', imdsUrl(query), { headers: { metadata: 'true' } });
        assert.equal(ambiguous.status, 400);
        assert.match(ambiguous.json.error_description, /Multiple user assigned identities exist/);
        const chosen = await server.request('GET', imdsUrl(`${query}&client_id=${second.clientId}`), { headers: { metadata: 'true' } });
        assert.equal(chosen.status, 200, chosen.text);
        assert.equal(chosen.json.client_id, second.clientId);
        assert.equal(decodeJwt(chosen.json.access_token).oid, second.objectId);
        for (const field of ['expires_in', 'expires_on', 'not_before']) assert.match(chosen.json[field], /^\d+$/);

        // Through the proxy for a client at 10.9.9.9, which no identity is bound to.
        const unbound = await server.request('GET', imdsUrl(query), { headers: { metadata: 'true', 'x-forwarded-for': '10.9.9.9' } });
        assert.equal(unbound.status, 403, unbound.text);
        assert.match(unbound.json.error_description, /'10\.9\.9\.9'/);

        // The App Service header works on the IMDS path too, from any address.
        const unboundWithHeader = await server.request('GET', imdsUrl(query), {
          headers: { metadata: 'true', 'x-forwarded-for': '10.9.9.9', 'x-identity-header': first.identityHeader },
        });
        assert.equal(unboundWithHeader.status, 200, unboundWithHeader.text);
        assert.equal(unboundWithHeader.json.client_id, first.clientId);
      } finally {
        await server.cli('identity', 'imds-addresses', first.clientId);
        await server.cli('identity', 'imds-addresses', second.clientId);
      }
    });

    it('announces address-bound identities loudly when the server starts', async () => {
      const name = uniqueName('announced');
      const identity = (await server.cli('identity', 'create', name, '--imds-address', '10.20.30.0/24')) as CreatedIdentity;
      try {
        await server.restart();
        assert.match(server.output(), /\*\*\* IMDS: these managed identities go to any caller from their addresses, without a secret \*\*\*/);
        assert.ok(server.output().includes(`${name} (${identity.clientId}): 10.20.30.0/24`), server.output());
      } finally {
        await server.cli('identity', 'imds-addresses', identity.clientId);
      }
    });

    it('refuses an address that is neither an IP nor a CIDR', async () => {
      await assert.rejects(server.cli('identity', 'create', uniqueName('vm-bad'), '--imds-address', 'example.com'), (error: any) => /Invalid IP rule/.test(String(error.stderr)));
    });
  });
});
