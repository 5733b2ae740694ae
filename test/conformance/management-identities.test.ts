// ManagedServiceIdentityClient (@azure/arm-msi) against a real Coffer: user-assigned managed identities and their
// federated identity credentials as ARM resources (Microsoft.ManagedIdentity) on the management API. Create, replace,
// patch, list and page, delete; a federated credential made through ARM lets WorkloadIdentityCredential act as the
// identity, a role assignment to its principalId lets it read a secret, and deleting the identity stops it at once;
// the IDENTITY_HEADER of an ARM identity from `coffer identity rotate-header`; who may manage; the audit trail; and bad
// input, refused in ARM's shape with nothing changed.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManagedServiceIdentityClient, type FederatedIdentityCredential, type Identity } from '@azure/arm-msi';
import { WorkloadIdentityCredential, type ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { decodeJwt } from 'jose';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { startOidcIssuer, type TestIssuer } from '../support/oidc-issuer.js';
import { serverStore, type ServerStore } from '../support/server-store.js';
import { startServer, type RawResponse, type TestServer } from '../support/start-server.js';
import { collect, eventually } from '../support/waiting.js';

/** The api-version @azure/arm-msi 2.2.0 sends (the newest stable); raw requests use it too. */
const API_VERSION = '2024-11-30';
const LOCATION = 'westeurope';
const AUDIENCE = 'api://AzureADTokenExchange';
const SUBJECT = 'system:serviceaccount:payments:api';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const groupName = () => `rg-${randomBytes(4).toString('hex')}`;
const identityName = (prefix = 'id') => `${prefix}-${randomBytes(4).toString('hex')}`;
const lower = (value: string | undefined) => (value ?? '').toLowerCase();

/** An SDK call that must fail with this HTTP status and ARM error code. */
async function rejectsArm(promise: Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error?.statusCode, status, `expected ${status} ${code}, got ${error?.statusCode} ${error?.code}: ${error?.message}`);
    assert.equal(error.code, code, String(error?.message));
    return true;
  });
}

/** ARM's error shape: {"error":{"code","message","target"}} with this status, code and target. */
function assertArmError(response: RawResponse, status: number, code: string, target: string | undefined, context: string): void {
  assert.equal(response.status, status, `${context}: ${response.status} ${response.text.slice(0, 400)}`);
  assert.match(String(response.headers['content-type']), /^application\/json/, `${context}: content-type`);
  assert.equal(response.json?.error?.code, code, `${context}: ${response.text.slice(0, 400)}`);
  assert.equal(typeof response.json.error.message, 'string', `${context}: error.message`);
  if (target !== undefined) assert.equal(response.json.error.target, target, `${context}: target in ${response.text.slice(0, 400)}`);
  assert.doesNotMatch(response.text, /\n\s+at |node_modules|\/src\/|\.ts:\d+/, `${context}: internals in ${response.text.slice(0, 300)}`);
}

describe('ManagedServiceIdentityClient user-assigned identities', () => {
  let server: TestServer;
  let store: ServerStore;
  let idp: TestIssuer;
  let endpoint: string;
  let subscriptionId: string;
  let tenantId: string;
  let client: ManagedServiceIdentityClient;
  let armToken: string;
  let tempDir: string;

  const msiClient = (credential: ClientSecretCredential) =>
    new ManagedServiceIdentityClient(credential, subscriptionId, { endpoint, tlsOptions: { ca: server.ca }, retryOptions: { maxRetries: 0 } } as any);

  const identityPath = (rg: string, name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  /** The id Azure answers: `resourcegroups` in lower case. */
  const identityId = (rg: string, name: string) => `/subscriptions/${subscriptionId}/resourcegroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  const arm = (method: string, pathAndQuery: string, body?: unknown) =>
    server.request(method, `${endpoint}${pathAndQuery}`, { token: armToken, ...(body === undefined ? {} : { body }) });

  const createIdentity = (rg: string, name: string, tags?: Record<string, string>) => client.userAssignedIdentities.createOrUpdate(rg, name, { location: LOCATION, ...(tags ? { tags } : {}) });
  const credentialBody = (issuer = idp.issuer, subject = SUBJECT, audiences = [AUDIENCE]): FederatedIdentityCredential => ({ issuer, subject, audiences });

  const credentialOptions = () => ({ authorityHost: server.credentials.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: server.ca } }) as any;
  const secretClient = (credential: TokenCredential) =>
    new SecretClient(server.credentials.vaultUrl, credential, { disableChallengeResourceVerification: true, agent: server.agent, retryOptions: { maxRetries: 0 } } as any);

  async function tokenFile(subject = SUBJECT): Promise<string> {
    const file = path.join(tempDir, `${randomUUID()}.jwt`);
    await writeFile(file, await idp.sign({ sub: subject, aud: AUDIENCE }));
    return file;
  }
  const workloadCredential = async (clientId: string, subject = SUBJECT) =>
    new WorkloadIdentityCredential({ tenantId, clientId, tokenFilePath: await tokenFile(subject), ...credentialOptions() });

  async function auditRecords(): Promise<AuditEvent[]> {
    const dir = path.join(server.dataDir, 'audit');
    const files = (await readdir(dir)).filter((file) => /^audit-\d{4}-\d{2}-\d{2}\.jsonl$/.test(file));
    const texts = await Promise.all(files.map((file) => readFile(path.join(dir, file), 'utf8')));
    return texts.flatMap((text) => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AuditEvent));
  }

  before(async () => {
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-identities-'));
    // The server trusts the external issuer's CA, as it must to fetch its keys.
    idp = await startOidcIssuer({ path: '/cluster' });
    store = await serverStore();
    server = await startServer({ ...store.startOptions, env: { NODE_EXTRA_CA_CERTS: idp.caCertPath } });
    endpoint = `https://localhost:${server.port}`;
    tenantId = server.credentials.tenantId;
    const meta = store.open(server.dataDir).selectFrom('server_meta').select('value').where('key', '=', 'subscription_id');
    subscriptionId = (await meta.executeTakeFirstOrThrow()).value;
    client = msiClient(server.credential());
    armToken = (await server.credential().getToken(`${endpoint}/.default`)).token;
  });
  after(async () => {
    await server?.dispose();
    await store?.dispose();
    await idp?.close();
    await rm(tempDir, { recursive: true, force: true });
  });

  describe('userAssignedIdentities', () => {
    it('createOrUpdate creates an identity (201) that is a managed identity of this server, and replaces it (200)', async () => {
      const rg = groupName();
      const name = identityName();
      const statuses: number[] = [];
      const onResponse = (response: any) => statuses.push(response.status);

      const created = await client.userAssignedIdentities.createOrUpdate(rg, name, { location: 'West Europe', tags: { env: 'test' } }, { onResponse });
      assert.deepEqual(statuses, [201]);
      assert.equal(created.id, identityId(rg, name));
      assert.equal(created.name, name);
      assert.equal(created.type, 'Microsoft.ManagedIdentity/userAssignedIdentities');
      assert.equal(created.location, LOCATION, 'locations are normalized as ARM does');
      assert.deepEqual(created.tags, { env: 'test' });
      assert.equal(created.tenantId, tenantId);
      assert.match(created.principalId ?? '', GUID);
      assert.match(created.clientId ?? '', GUID);
      assert.notEqual(created.principalId, created.clientId);
      assert.equal(created.isolationScope, 'None');

      // The identity is one of the server's managed identities: object id = principalId, client id = clientId.
      const listed = (await server.cli('identity', 'list')) as Array<{ clientId: string; objectId: string; displayName: string }>;
      const mine = listed.find((entry) => entry.clientId === created.clientId);
      assert.ok(mine, `identity list: ${JSON.stringify(listed)}`);
      assert.equal(mine.objectId, created.principalId);
      assert.equal(mine.displayName, name);

      const replaced = await client.userAssignedIdentities.createOrUpdate(rg, name, { location: LOCATION, tags: { env: 'prod' }, isolationScope: 'Regional' }, { onResponse });
      assert.deepEqual(statuses, [201, 200]);
      assert.deepEqual(replaced.tags, { env: 'prod' });
      assert.equal(replaced.isolationScope, 'Regional');
      assert.equal(replaced.principalId, created.principalId, 'a replacement keeps the principal');
      assert.equal(replaced.clientId, created.clientId);

      const got = await client.userAssignedIdentities.get(rg.toUpperCase(), name.toUpperCase());
      assert.equal(got.name, name, 'names are found without regard to case and keep the case first given');
      assert.equal(got.principalId, created.principalId);
      assert.deepEqual(got.tags, { env: 'prod' });
      assert.equal(got.systemData?.createdBy, decodeJwt(armToken).oid);
    });

    it('update (PATCH) changes only the tags it sends', async () => {
      const rg = groupName();
      const name = identityName();
      const created = await createIdentity(rg, name, { a: '1' });
      const updated = await client.userAssignedIdentities.update(rg, name, { tags: { a: '2', b: '3' } });
      assert.deepEqual(updated.tags, { a: '2', b: '3' });
      assert.equal(updated.location, LOCATION);
      assert.equal(updated.clientId, created.clientId);
      const untouched = await client.userAssignedIdentities.update(rg, name, {});
      assert.deepEqual(untouched.tags, { a: '2', b: '3' });
      assert.deepEqual((await client.userAssignedIdentities.get(rg, name)).tags, { a: '2', b: '3' });
      await rejectsArm(client.userAssignedIdentities.update(rg, identityName('missing'), { tags: {} }), 404, 'ResourceNotFound');
    });

    it('lists by resource group and by subscription, paged with nextLink', async () => {
      const rg = groupName();
      const names = ['c-three', 'a-one', 'b-two'].map((prefix) => identityName(prefix));
      for (const name of names) await createIdentity(rg, name);
      const expected = [...names].sort();

      const inGroup = await collect(client.userAssignedIdentities.listByResourceGroup(rg));
      assert.deepEqual(inGroup.map((identity) => identity.name), expected);
      assert.ok(inGroup.every((identity: Identity) => identity.type === 'Microsoft.ManagedIdentity/userAssignedIdentities' && GUID.test(identity.principalId ?? '')));

      const first = await arm('GET', `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=${API_VERSION}&$top=2`);
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.json.value.map((item: any) => item.name), expected.slice(0, 2));
      assert.match(first.json.nextLink, new RegExp(`^${endpoint}/subscriptions/`));
      const second = await arm('GET', first.json.nextLink.slice(endpoint.length));
      assert.equal(second.status, 200, second.text);
      assert.deepEqual(second.json.value.map((item: any) => item.name), expected.slice(2));
      assert.equal(second.json.nextLink, undefined);

      const inSubscription = await collect(client.userAssignedIdentities.listBySubscription());
      const ids = inSubscription.map((identity) => identity.id);
      for (const name of names) assert.ok(ids.includes(identityId(rg, name)), `${name} in ${JSON.stringify(ids)}`);

      const paged = await arm('GET', `/subscriptions/${subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=${API_VERSION}&$top=1`);
      assert.equal(paged.status, 200, paged.text);
      assert.equal(paged.json.value.length, 1);
      assert.ok(paged.json.nextLink, 'more than one identity: a nextLink');

      await rejectsArm(collect(client.userAssignedIdentities.listByResourceGroup(groupName())), 404, 'ResourceGroupNotFound');
    });

    it('delete removes the identity and its principal (200, then 204)', async () => {
      const rg = groupName();
      const name = identityName();
      const keep = await createIdentity(rg, identityName('keep'));
      const created = await createIdentity(rg, name);
      const statuses: number[] = [];
      await client.userAssignedIdentities.delete(rg, name, { onResponse: (response: any) => statuses.push(response.status) });
      await client.userAssignedIdentities.delete(rg, name, { onResponse: (response: any) => statuses.push(response.status) });
      assert.deepEqual(statuses, [200, 204]);
      await rejectsArm(client.userAssignedIdentities.get(rg, name), 404, 'ResourceNotFound');
      const listed = (await server.cli('identity', 'list')) as Array<{ clientId: string }>;
      assert.ok(!listed.some((entry) => entry.clientId === created.clientId), 'the principal is gone');
      assert.ok(listed.some((entry) => entry.clientId === keep.clientId), 'the other identity stays');
    });

    it("gives an ARM identity's workload an IDENTITY_HEADER through `coffer identity rotate-header`", async () => {
      const created = await createIdentity(groupName(), identityName());
      const rotated = (await server.cli('identity', 'rotate-header', created.clientId!)) as { clientId: string; identityHeader: string };
      assert.equal(rotated.clientId, created.clientId);
      const resource = `https://vault.localhost:${server.port}`;
      const answer = await server.request('GET', `${server.credentials.authorityHost}/msi/token?api-version=2019-08-01&resource=${encodeURIComponent(resource)}`, {
        headers: { 'x-identity-header': rotated.identityHeader },
      });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(decodeJwt(answer.json.access_token).oid, created.principalId);
    });
  });

  describe('federatedIdentityCredentials', () => {
    it('a credential made through ARM lets WorkloadIdentityCredential act as the identity; a role assignment lets it read; deleting the identity stops it at once', async () => {
      const rg = groupName();
      const name = identityName('workload');
      const identity = await createIdentity(rg, name);
      const statuses: number[] = [];
      const made = await client.federatedIdentityCredentials.createOrUpdate(rg, name, 'k8s-api', credentialBody(), { onResponse: (response: any) => statuses.push(response.status) });
      assert.deepEqual(statuses, [201]);
      assert.equal(made.id, `${identityId(rg, name)}/federatedIdentityCredentials/k8s-api`);
      assert.equal(made.name, 'k8s-api');
      assert.equal(made.type, 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials');
      assert.deepEqual([made.issuer, made.subject, made.audiences], [idp.issuer, SUBJECT, [AUDIENCE]]);
      assert.deepEqual(await client.federatedIdentityCredentials.get(rg, name, 'K8S-API'), made);
      assert.deepEqual(await collect(client.federatedIdentityCredentials.list(rg, name)), [made]);
      // The same credential the CLI shows for the identity's principal.
      const cli = (await server.cli('principal', 'federated', 'list', identity.clientId!)) as Array<{ name: string; issuer: string; subject: string }>;
      assert.deepEqual(cli.map((entry) => [entry.name, entry.issuer, entry.subject]), [['k8s-api', idp.issuer, SUBJECT]]);

      const secretName = `msi-${randomBytes(4).toString('hex')}`;
      await server.secretClient().setSecret(secretName, 'for the workload');

      const credential = await workloadCredential(identity.clientId!);
      const vaultScope = `https://vault.localhost:${server.port}/.default`;
      const token = decodeJwt((await credential.getToken(vaultScope)).token);
      assert.equal(token.oid, identity.principalId);
      assert.equal(token.appid, identity.clientId);
      const workload = secretClient(credential);
      await rejectsArm(workload.getSecret(secretName), 403, 'Forbidden');

      const assignment = (await server.cli('role', 'assignment', 'create', '--assignee', identity.principalId!, '--role', 'Key Vault Secrets User', '--vault', 'default')) as { id: string };
      assert.equal((await workload.getSecret(secretName)).value, 'for the workload');

      await client.userAssignedIdentities.delete(rg, name);
      // The token the client holds is refused from the next request on, and no new one is issued.
      await rejectsArm(workload.getSecret(secretName), 403, 'Forbidden');
      await assert.rejects((await workloadCredential(identity.clientId!)).getToken(vaultScope), /AuthenticationError|invalid_client|unauthorized_client|not found/i);
      // As in Azure, the role assignment stays, naming a principal that no longer exists.
      const left = (await server.cli('role', 'assignment', 'list', '--assignee', identity.principalId!)) as Array<{ id: string; principalId: string }>;
      assert.deepEqual(left.map((entry) => [entry.id, entry.principalId]), [[assignment.id, identity.principalId]]);
    });

    it('createOrUpdate replaces a credential (200); delete removes it (200, then 204) and its tokens stop', async () => {
      const rg = groupName();
      const name = identityName();
      const identity = await createIdentity(rg, name);
      await client.federatedIdentityCredentials.createOrUpdate(rg, name, 'ci-pipeline', credentialBody(idp.issuer, 'old-subject'));
      const statuses: number[] = [];
      const onResponse = (response: any) => statuses.push(response.status);
      const replaced = await client.federatedIdentityCredentials.createOrUpdate(rg, name, 'ci-pipeline', credentialBody(), { onResponse });
      assert.equal(replaced.subject, SUBJECT);
      assert.deepEqual(statuses, [200]);
      const credential = await workloadCredential(identity.clientId!);
      assert.equal(decodeJwt((await credential.getToken(`${endpoint}/.default`)).token).oid, identity.principalId);

      await client.federatedIdentityCredentials.delete(rg, name, 'ci-pipeline', { onResponse });
      await client.federatedIdentityCredentials.delete(rg, name, 'ci-pipeline', { onResponse });
      assert.deepEqual(statuses, [200, 200, 204]);
      assert.deepEqual(await collect(client.federatedIdentityCredentials.list(rg, name)), []);
      await rejectsArm(client.federatedIdentityCredentials.get(rg, name, 'ci-pipeline'), 404, 'ResourceNotFound');
      await assert.rejects((await workloadCredential(identity.clientId!)).getToken(`${endpoint}/.default`), /AADSTS700211|No matching federated identity record/);
    });
  });

  describe('bad input', () => {
    const rg = groupName();
    const keeper = identityName('keeper');
    const url = (name: string, apiVersion = API_VERSION) => `${identityPath(rg, name)}?api-version=${apiVersion}`;
    const ficUrl = (name: string, identity = keeper, apiVersion = API_VERSION) => `${identityPath(rg, identity)}/federatedIdentityCredentials/${name}?api-version=${apiVersion}`;
    let snapshot: unknown;

    const state = async () => {
      const identities = await arm('GET', `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=${API_VERSION}`);
      const credentials = await arm('GET', `${identityPath(rg, keeper)}/federatedIdentityCredentials?api-version=${API_VERSION}`);
      assert.equal(identities.status, 200, identities.text);
      assert.equal(credentials.status, 200, credentials.text);
      return { identities: identities.json, credentials: credentials.json };
    };

    before(async () => {
      const created = await arm('PUT', url(keeper), { location: LOCATION, tags: { keep: 'yes' } });
      assert.equal(created.status, 201, created.text);
      const fic = await arm('PUT', ficUrl('kept'), { properties: { issuer: 'https://issuer.example', subject: 'kept', audiences: [AUDIENCE] } });
      assert.equal(fic.status, 201, fic.text);
      snapshot = await state();
    });

    it('refuses bad identity names with 400 InvalidResourceName', async () => {
      for (const name of ['ab', '-leading-hyphen', '_leading', 'has.dot', 'has space', 'x'.repeat(129)]) {
        assertArmError(await arm('PUT', url(encodeURIComponent(name)), { location: LOCATION }), 400, 'InvalidResourceName', 'name', name);
      }
      const longest = 'y'.repeat(128);
      assert.equal((await arm('GET', url(longest))).status, 404);
      assert.deepEqual(await state(), snapshot);
    });

    it('refuses a missing or malformed location, and a different location for an existing identity', async () => {
      const fresh = identityName();
      assertArmError(await arm('PUT', url(fresh), { tags: {} }), 400, 'LocationRequired', 'location', 'no location');
      for (const location of ['West Europe!', 'eu/west', '', 'x', 42]) {
        const response = await arm('PUT', url(fresh), { location });
        assert.equal(response.status, 400, `${JSON.stringify(location)}: ${response.text}`);
        assert.equal(response.json.error.target, 'location', response.text);
      }
      assertArmError(await arm('PUT', url(keeper), { location: 'eastus', tags: {} }), 409, 'InvalidResourceLocation', 'location', 'moved');
      assertArmError(await arm('PATCH', url(keeper), { location: 'eastus', tags: {} }), 409, 'InvalidResourceLocation', 'location', 'moved by PATCH');
      assert.equal((await arm('GET', url(fresh))).status, 404);
      assert.deepEqual(await state(), snapshot);
    });

    it('refuses bad tags, isolation scopes, subscriptions, groups and api-versions', async () => {
      const fresh = identityName();
      assertArmError(await arm('PUT', url(fresh), { location: LOCATION, tags: { n: 1 } }), 400, 'BadRequest', 'tags.n', 'number tag');
      assertArmError(await arm('PUT', url(fresh), { location: LOCATION, tags: ['a'] }), 400, 'BadRequest', 'tags', 'array tags');
      const many = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`t${index}`, 'v']));
      assertArmError(await arm('PUT', url(fresh), { location: LOCATION, tags: many }), 400, 'BadRequest', 'tags', '51 tags');
      assertArmError(await arm('PUT', url(fresh), { location: LOCATION, properties: { isolationScope: 'Global' } }), 400, 'BadRequest', 'properties.isolationScope', 'isolation');
      assertArmError(await arm('PATCH', url(keeper), { tags: { n: true } }), 400, 'BadRequest', 'tags.n', 'PATCH tag');
      assertArmError(await arm('PUT', `/subscriptions/not-a-guid/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${fresh}?api-version=${API_VERSION}`, { location: LOCATION }), 400, 'InvalidSubscriptionId', undefined, 'subscription');
      assertArmError(await arm('PUT', `${identityPath('bad.', fresh)}?api-version=${API_VERSION}`, { location: LOCATION }), 400, 'InvalidResourceGroup', undefined, 'group');
      assertArmError(await arm('PUT', url(fresh, '2015-08-31-preview'), { location: LOCATION }), 400, 'InvalidApiVersionParameter', undefined, 'api-version');
      assert.equal((await arm('GET', url(fresh))).status, 404);
      assert.deepEqual(await state(), snapshot);
    });

    it("refuses federated credentials that break Azure's rules", async () => {
      const body = (properties: Record<string, unknown>) => ({ properties: { issuer: 'https://issuer.example', subject: 'fresh', audiences: [AUDIENCE], ...properties } });
      const cases: Array<[string, unknown, string]> = [
        ['plain-http', body({ issuer: 'http://issuer.example' }), 'properties.issuer'],
        ['not-a-url', body({ issuer: 'issuer.example' }), 'properties.issuer'],
        ['two-audiences', body({ audiences: [AUDIENCE, 'api://other'] }), 'properties.audiences'],
        ['no-audience', body({ audiences: [] }), 'properties.audiences'],
        ['no-subject', { properties: { issuer: 'https://issuer.example', audiences: [AUDIENCE] } }, 'properties.subject'],
        ['no-properties', {}, 'properties.issuer'],
        ['x', body({}), 'name'],
        ['-leading', body({}), 'name'],
        ['z'.repeat(121), body({}), 'name'],
        ['same-subject', body({ subject: 'kept' }), 'properties.subject'],
      ];
      for (const [name, request, target] of cases) assertArmError(await arm('PUT', ficUrl(name), request), 400, 'BadRequest', target, name);
      assertArmError(await arm('PUT', ficUrl('fresh', identityName('missing')), body({})), 404, 'ParentResourceNotFound', undefined, 'missing identity');
      assertArmError(await arm('PUT', ficUrl('fresh', keeper, '2018-11-30'), body({})), 400, 'InvalidApiVersionParameter', undefined, 'api-version without credentials');
      assert.deepEqual(await state(), snapshot);
    });

    it('allows at most 20 federated credentials per identity', async () => {
      const name = identityName('twenty');
      assert.equal((await arm('PUT', url(name), { location: LOCATION })).status, 201);
      for (let index = 0; index < 20; index++) {
        const response = await arm('PUT', ficUrl(`fic-${index}`, name), { properties: { issuer: 'https://issuer.example', subject: `s${index}`, audiences: [AUDIENCE] } });
        assert.equal(response.status, 201, response.text);
      }
      assertArmError(await arm('PUT', ficUrl('fic-20', name), { properties: { issuer: 'https://issuer.example', subject: 's20', audiences: [AUDIENCE] } }), 400, 'BadRequest', undefined, '21st');
      // Replacing one of the twenty is still allowed.
      assert.equal((await arm('PUT', ficUrl('fic-0', name), { properties: { issuer: 'https://issuer.example', subject: 's0-new', audiences: [AUDIENCE] } })).status, 200);
      const listed = await collect(client.federatedIdentityCredentials.list(rg, name, { top: 7 }));
      assert.equal(listed.length, 20, 'the SDK follows nextLink through every page');
      assert.equal(new Set(listed.map((item) => item.name)).size, 20);
    });
  });

  describe('who may manage identities', () => {
    it('Owner and Contributor may; a Reader may read but not write; others get 403 AuthorizationFailed; nothing changes', async () => {
      const rg = groupName();
      const name = identityName();
      await createIdentity(rg, name, { owner: 'admin' });
      await client.federatedIdentityCredentials.createOrUpdate(rg, name, 'kept', credentialBody(idp.issuer, 'kept'));
      const principal = async (role: string | undefined) => {
        const made = (await server.cli('principal', 'create', `msi-${role ?? 'outsider'}-${randomBytes(3).toString('hex')}`.replace(/\s/g, ''))) as { clientId: string; clientSecret: string };
        if (role) await server.cli('role', 'assignment', 'create', '--assignee', made.clientId, '--role', role, '--scope', `/subscriptions/${subscriptionId}`);
        return msiClient(server.credential({ clientId: made.clientId, clientSecret: made.clientSecret }));
      };

      const contributor = await principal('Contributor');
      const made = await contributor.userAssignedIdentities.createOrUpdate(rg, identityName('by-contributor'), { location: LOCATION });
      await contributor.federatedIdentityCredentials.createOrUpdate(rg, made.name!, 'ci-pipeline', credentialBody());
      await contributor.userAssignedIdentities.delete(rg, made.name!);

      const reader = await principal('Reader');
      assert.deepEqual((await reader.userAssignedIdentities.get(rg, name)).tags, { owner: 'admin' });
      assert.equal((await collect(reader.userAssignedIdentities.listByResourceGroup(rg))).length, 1);
      assert.equal((await collect(reader.federatedIdentityCredentials.list(rg, name))).length, 1);
      const fresh = identityName('by-reader');
      await rejectsArm(reader.userAssignedIdentities.createOrUpdate(rg, fresh, { location: LOCATION }), 403, 'AuthorizationFailed');
      await rejectsArm(reader.userAssignedIdentities.update(rg, name, { tags: { owner: 'reader' } }), 403, 'AuthorizationFailed');
      await rejectsArm(reader.userAssignedIdentities.delete(rg, name), 403, 'AuthorizationFailed');
      await rejectsArm(reader.federatedIdentityCredentials.createOrUpdate(rg, name, 'sneaky', credentialBody(idp.issuer, 'sneaky')), 403, 'AuthorizationFailed');
      await rejectsArm(reader.federatedIdentityCredentials.delete(rg, name, 'kept'), 403, 'AuthorizationFailed');

      const outsider = await principal(undefined);
      await rejectsArm(outsider.userAssignedIdentities.get(rg, name), 403, 'AuthorizationFailed');
      await rejectsArm(collect(outsider.federatedIdentityCredentials.list(rg, name)), 403, 'AuthorizationFailed');

      assert.deepEqual((await client.userAssignedIdentities.get(rg, name)).tags, { owner: 'admin' });
      await rejectsArm(client.userAssignedIdentities.get(rg, fresh), 404, 'ResourceNotFound');
      assert.deepEqual((await collect(client.federatedIdentityCredentials.list(rg, name))).map((item) => item.name), ['kept']);
    });
  });

  describe('audit', () => {
    it("records every request under the identity's resource id, refusals included", async () => {
      const rg = groupName();
      const name = identityName();
      await createIdentity(rg, name);
      await client.userAssignedIdentities.get(rg, name);
      await client.federatedIdentityCredentials.createOrUpdate(rg, name, 'audited', credentialBody());
      const outsiderMade = (await server.cli('principal', 'create', `msi-audit-${randomBytes(3).toString('hex')}`)) as { clientId: string; clientSecret: string };
      const outsider = msiClient(server.credential({ clientId: outsiderMade.clientId, clientSecret: outsiderMade.clientSecret }));
      await rejectsArm(outsider.userAssignedIdentities.delete(rg, name), 403, 'AuthorizationFailed');

      const resourceId = identityId(rg, name).toUpperCase();
      const mine = async () => (await auditRecords()).filter((record) => record.resourceId === resourceId);
      await eventually('audit records of the identity', async () => (await mine()).length >= 4);
      const found = (await mine()).map((record) => [record.operationName, record.properties.httpStatusCode, record.resultDescription, record.identity?.claim.appid]);
      assert.deepEqual(
        found.sort(),
        [
          ['FederatedIdentityCredentialPut', 201, '', server.credentials.clientId],
          ['UserAssignedIdentityDelete', 403, 'AuthorizationFailed', outsiderMade.clientId],
          ['UserAssignedIdentityGet', 200, '', server.credentials.clientId],
          ['UserAssignedIdentityPut', 201, '', server.credentials.clientId],
        ],
        JSON.stringify(found),
      );
      const credentialRecord = (await mine()).find((record) => record.operationName === 'FederatedIdentityCredentialPut');
      assert.equal(lower(credentialRecord?.properties.id), lower(`${identityId(rg, name)}/federatedIdentityCredentials/audited`));
    });
  });
});
