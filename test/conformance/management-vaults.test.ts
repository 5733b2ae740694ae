// KeyVaultManagementClient (@azure/arm-keyvault) against a real Coffer: vaults as Azure resources on the same
// HTTPS listener under /subscriptions. Create, replace, patch, list and page; the data plane of a vault made this
// way; soft delete, recover and purge; purge protection; name availability; access policies; who may manage; the
// audit trail; and bad input, each refused in ARM's shape with nothing changed (notes: arm-brief.md).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ClientSecretCredential } from '@azure/identity';
import {
  KeyVaultManagementClient,
  type AccessPolicyEntry,
  type Vault,
  type VaultCreateOrUpdateParameters,
  type VaultProperties,
} from '@azure/arm-keyvault';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { serverStore, type ServerStore } from '../support/server-store.js';
import { startServer, type RawResponse, type TestServer } from '../support/start-server.js';
import { collect, eventually } from '../support/waiting.js';

/** The api-version @azure/arm-keyvault 5.0.0 sends; raw requests use it too. */
const API_VERSION = '2026-02-01';
const LOCATION = 'westus';
const DAY_MS = 86_400_000;

/** A valid vault name: a letter, then 10 hex digits (3–24 characters, no '--'). */
function vaultName(): string {
  return `v${randomBytes(5).toString('hex')}`;
}

function groupName(): string {
  return `rg-${randomBytes(4).toString('hex')}`;
}

const lower = (value: string | undefined) => (value ?? '').toLowerCase();

/** Azure echoes permission casing as sent: compare sorted and lower-cased, a missing list as empty. */
function normalizePolicies(entries: AccessPolicyEntry[] | undefined) {
  const list = (values: string[] | undefined) => (values ?? []).map((value) => value.toLowerCase()).sort();
  return (entries ?? [])
    .map((entry) => ({
      tenantId: lower(entry.tenantId),
      objectId: lower(entry.objectId),
      applicationId: entry.applicationId === undefined || entry.applicationId === null ? null : lower(entry.applicationId),
      keys: list(entry.permissions.keys),
      secrets: list(entry.permissions.secrets),
      certificates: list(entry.permissions.certificates),
      storage: list(entry.permissions.storage),
    }))
    .sort((a, b) => `${a.objectId}/${a.applicationId}`.localeCompare(`${b.objectId}/${b.applicationId}`));
}

/** An SDK call that must fail with this HTTP status. */
async function rejectsStatus(promise: Promise<unknown>, status: number): Promise<void> {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error?.statusCode, status, `expected ${status}, got ${error?.statusCode} ${error?.code}: ${error?.message}`);
    return true;
  });
}

/** An SDK call that must fail with this HTTP status and ARM error code. */
async function rejectsArm(promise: Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error?.statusCode, status, `expected ${status} ${code}, got ${error?.statusCode} ${error?.code}: ${error?.message}`);
    assert.equal(error.code, code, String(error?.message));
    return true;
  });
}

function assertNoInternals(text: string, context: string): void {
  assert.doesNotMatch(text, /\bat [^\s]+ \(|\bat (file|node):|\n\s+at /, `${context}: stack frame in ${text.slice(0, 300)}`);
  assert.doesNotMatch(text, /\/work\/|node_modules|\/src\/|\.ts:\d+|\.js:\d+/, `${context}: file path in ${text.slice(0, 300)}`);
}

/** ARM's error shape: {"error":{"code","message","target"?}} as JSON, with this status and code. */
function assertArmError(response: RawResponse, status: number, code: string | undefined, context: string): void {
  assert.equal(response.status, status, `${context}: ${response.status} ${response.text.slice(0, 400)}`);
  assert.match(String(response.headers['content-type']), /^application\/json/, `${context}: content-type`);
  assert.equal(typeof response.json?.error?.code, 'string', `${context}: error.code in ${response.text.slice(0, 300)}`);
  assert.equal(typeof response.json.error.message, 'string', `${context}: error.message`);
  if (code !== undefined) assert.equal(response.json.error.code, code, `${context}: ${response.text.slice(0, 400)}`);
  assertNoInternals(response.text, context);
}

describe('KeyVaultManagementClient vaults', () => {
  let server: TestServer;
  let store: ServerStore;
  let endpoint: string;
  let subscriptionId: string;
  let tenantId: string;
  let client: KeyVaultManagementClient;
  let armToken: string;

  const managementClient = (credential: ClientSecretCredential, subscription = subscriptionId) =>
    new KeyVaultManagementClient(credential, subscription, { endpoint, tlsOptions: { ca: server.ca }, retryOptions: { maxRetries: 0 } });

  const vaultPath = (rg: string, name: string, subscription = subscriptionId) =>
    `/subscriptions/${subscription}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${name}`;
  const vaultId = (rg: string, name: string) => vaultPath(rg, name);

  /** A raw management request with an administrator token for the management audience. */
  const arm = (method: string, pathAndQuery: string, body?: unknown) =>
    server.request(method, `${endpoint}${pathAndQuery}`, { token: armToken, ...(body === undefined ? {} : { body }) });

  const createBody = (properties: Partial<VaultProperties> = {}, tags?: Record<string, string>): VaultCreateOrUpdateParameters => ({
    location: LOCATION,
    ...(tags === undefined ? {} : { tags }),
    properties: { tenantId, sku: { family: 'A', name: 'standard' }, ...properties },
  });

  const createVault = (rg: string, name: string, properties: Partial<VaultProperties> = {}, tags?: Record<string, string>) =>
    client.vaults.beginCreateOrUpdateAndWait(rg, name, createBody(properties, tags));

  before(async () => {
    store = await serverStore();
    server = await startServer(store.startOptions);
    endpoint = `https://localhost:${server.port}`;
    tenantId = server.credentials.tenantId;
    // The server's own subscription, read from its database (independently of GET /subscriptions, tested below).
    const meta = store.open(server.dataDir).selectFrom('server_meta').select('value').where('key', '=', 'subscription_id');
    subscriptionId = (await meta.executeTakeFirstOrThrow()).value;
    client = managementClient(server.credential());
    armToken = (await server.credential().getToken(`${endpoint}/.default`)).token;
  });
  after(async () => {
    await server?.dispose();
    await store?.dispose();
  });

  it("lists the server's subscription, whose 'coffer' group holds the default vault", async () => {
    const response = await arm('GET', '/subscriptions?api-version=2022-12-01');
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json.value, [{ id: `/subscriptions/${subscriptionId}`, subscriptionId, tenantId, displayName: response.json.value?.[0]?.displayName, state: 'Enabled' }]);
    assert.equal(typeof response.json.value[0].displayName, 'string');

    const vault = await client.vaults.get('coffer', 'default');
    assert.equal(vault.name, 'default');
    assert.equal(lower(vault.id), lower(vaultId('coffer', 'default')));
    assert.equal(vault.type, 'Microsoft.KeyVault/vaults');
    assert.equal(vault.properties.provisioningState, 'Succeeded');
    assert.equal(vault.properties.tenantId, tenantId);
  });

  it('creates a vault with Azure defaults (201, synchronous), gets it, and replaces it with a PUT (200)', async () => {
    const rg = groupName();
    const name = vaultName();
    const initial: Array<{ status: number; location: string | undefined; asyncOperation: string | undefined; body: any }> = [];
    const capture = {
      onResponse: (response: any) =>
        initial.push({ status: response.status, location: response.headers.get('location'), asyncOperation: response.headers.get('azure-asyncoperation'), body: response.parsedBody }),
    };

    const created = await client.vaults.beginCreateOrUpdateAndWait(rg, name, createBody({}, { env: 'test' }), capture);
    assert.equal(initial.length, 1);
    assert.equal(initial[0]!.status, 201);
    assert.equal(initial[0]!.location, undefined, 'no Location: the PUT is synchronous');
    assert.equal(initial[0]!.asyncOperation, undefined, 'no Azure-AsyncOperation: the PUT is synchronous');
    assert.equal(initial[0]!.body?.properties?.provisioningState, 'Succeeded');

    const check = (vault: Vault) => {
      assert.equal(lower(vault.id), lower(vaultId(rg, name)));
      assert.equal(vault.name, name);
      assert.equal(vault.type, 'Microsoft.KeyVault/vaults');
      assert.equal(vault.location, LOCATION);
      const p = vault.properties;
      assert.equal(p.tenantId, tenantId);
      assert.equal(lower(p.sku.family), 'a');
      assert.equal(lower(p.sku.name), 'standard');
      assert.deepEqual(p.accessPolicies, []);
      assert.equal(p.enableSoftDelete, true);
      assert.equal(p.softDeleteRetentionInDays, 90);
      assert.equal(p.enableRbacAuthorization, true, `enableRbacAuthorization defaults to true at api-version ${API_VERSION}`);
      assert.notEqual(p.enablePurgeProtection, true);
      assert.equal(p.publicNetworkAccess, 'Enabled');
      assert.equal(p.provisioningState, 'Succeeded');
      assert.equal(p.vaultUri, `https://${name}.vault.localhost:${server.port}/`);
    };
    check(created);
    assert.deepEqual(created.tags, { env: 'test' });
    assert.equal(created.properties.enabledForDeployment ?? false, false);

    const fetched = await client.vaults.get(rg, name);
    check(fetched);
    assert.deepEqual(fetched.tags, { env: 'test' });

    initial.length = 0;
    const replaced = await client.vaults.beginCreateOrUpdateAndWait(rg, name, createBody({ enabledForDeployment: true }, { env: 'prod', team: 'payroll' }), capture);
    assert.equal(initial.length, 1);
    assert.equal(initial[0]!.status, 200);
    check(replaced);
    assert.deepEqual(replaced.tags, { env: 'prod', team: 'payroll' });
    assert.equal(replaced.properties.enabledForDeployment, true);

    const again = await client.vaults.get(rg, name);
    assert.deepEqual(again.tags, { env: 'prod', team: 'payroll' });
    assert.equal(again.properties.enabledForDeployment, true);
  });

  it('PATCH changes only what it is sent; purge protection, once on, stays on', async () => {
    const rg = groupName();
    const name = vaultName();
    const created = await createVault(rg, name, { softDeleteRetentionInDays: 30 }, { env: 'test' });
    const base = { ...created.properties };

    const tagged = await client.vaults.update(rg, name, { tags: { team: 'payroll' } });
    assert.deepEqual(tagged.tags, { team: 'payroll' });
    assert.deepEqual(tagged.properties, base, 'tags alone changed');

    const deployable = await client.vaults.update(rg, name, { properties: { enabledForDeployment: true } });
    assert.deepEqual(deployable.tags, { team: 'payroll' }, 'tags kept when not sent');
    assert.equal(deployable.properties.enabledForDeployment, true);
    assert.deepEqual({ ...deployable.properties, enabledForDeployment: base.enabledForDeployment }, base, 'nothing else changed');

    const networked = await client.vaults.update(rg, name, {
      properties: { networkAcls: { bypass: 'AzureServices', defaultAction: 'Allow', ipRules: [{ value: '203.0.113.0/24' }] }, publicNetworkAccess: 'Disabled' },
    });
    assert.deepEqual(networked.properties.networkAcls?.ipRules?.map((rule) => rule.value), ['203.0.113.0/24']);
    assert.equal(networked.properties.networkAcls?.defaultAction, 'Allow');
    assert.equal(networked.properties.publicNetworkAccess, 'Disabled');
    assert.equal(networked.properties.enabledForDeployment, true);
    assert.equal(networked.properties.softDeleteRetentionInDays, 30);

    const protectedVault = await client.vaults.update(rg, name, { properties: { enablePurgeProtection: true } });
    assert.equal(protectedVault.properties.enablePurgeProtection, true);
    assert.equal(protectedVault.properties.publicNetworkAccess, 'Disabled');
    assert.deepEqual(protectedVault.properties.networkAcls?.ipRules?.map((rule) => rule.value), ['203.0.113.0/24']);
    assert.deepEqual(protectedVault.tags, { team: 'payroll' });

    await rejectsArm(client.vaults.update(rg, name, { properties: { enablePurgeProtection: false } }), 400, 'BadRequest');
    const fetched = await client.vaults.get(rg, name);
    assert.equal(fetched.properties.enablePurgeProtection, true);
    assert.equal(fetched.properties.enabledForDeployment, true);
    assert.equal(fetched.properties.softDeleteRetentionInDays, 30);
    assert.deepEqual(fetched.tags, { team: 'payroll' });
  });

  it('lists vaults by group with $top paging, by subscription, and through the generic resources list', async () => {
    const rg = groupName();
    const names = [vaultName(), vaultName(), vaultName()];
    for (const name of names) await createVault(rg, name, {}, { list: name });

    const pages: string[][] = [];
    for await (const page of client.vaults.listByResourceGroup(rg, { top: 1 }).byPage()) pages.push(page.map((vault) => vault.name!));
    assert.ok(pages.every((page) => page.length <= 1), `pages of at most one vault: ${JSON.stringify(pages)}`);
    assert.equal(pages.filter((page) => page.length === 1).length, 3, `three pages: ${JSON.stringify(pages)}`);
    assert.deepEqual(pages.flat().sort(), [...names].sort());

    const inGroup = await collect(client.vaults.listByResourceGroup(rg));
    assert.deepEqual(inGroup.map((vault) => vault.name).sort(), [...names].sort());
    for (const vault of inGroup) {
      assert.equal(lower(vault.id), lower(vaultId(rg, vault.name!)));
      assert.deepEqual(vault.tags, { list: vault.name });
      assert.equal(vault.properties.vaultUri, `https://${vault.name}.vault.localhost:${server.port}/`);
    }

    const subscriptionPages: string[][] = [];
    for await (const page of client.vaults.listBySubscription({ top: 1 }).byPage()) subscriptionPages.push(page.map((vault) => vault.name!));
    assert.ok(subscriptionPages.every((page) => page.length <= 1), JSON.stringify(subscriptionPages));
    const everywhere = subscriptionPages.flat();
    for (const name of [...names, 'default']) assert.ok(everywhere.includes(name), `${name} in listBySubscription`);
    assert.equal(new Set(everywhere).size, everywhere.length, 'no vault twice across pages');

    const genericPages: Array<Array<{ id?: string; name?: string; type?: string; location: string; tags?: Record<string, string> }>> = [];
    for await (const page of client.vaults.list({ top: 2 }).byPage()) genericPages.push(page);
    assert.ok(genericPages.every((page) => page.length <= 2), 'pages of at most two resources');
    const generic = genericPages.flat();
    for (const name of names) {
      const item = generic.find((resource) => resource.name === name);
      assert.ok(item, `${name} in the generic resources list`);
      assert.equal(lower(item.id), lower(vaultId(rg, name)));
      assert.equal(item.type, 'Microsoft.KeyVault/vaults');
      assert.equal(item.location, LOCATION);
      assert.deepEqual(item.tags, { list: name });
    }
    assert.ok(generic.some((resource) => resource.name === 'default'));
  });

  it('treats any GUID as a subscription and a vault PUT as creating its group; a group without vaults is not found', async () => {
    const otherSubscription = randomUUID();
    const other = managementClient(server.credential(), otherSubscription);
    assert.deepEqual(await collect(other.vaults.listBySubscription()), []);
    assert.deepEqual(await collect(other.vaults.list()), []);
    assert.deepEqual(await collect(other.vaults.listDeleted()), []);

    const rg = groupName();
    const name = vaultName();
    const created = await other.vaults.beginCreateOrUpdateAndWait(rg, name, createBody());
    assert.equal(lower(created.id), lower(vaultPath(rg, name, otherSubscription)));
    assert.deepEqual((await collect(other.vaults.listByResourceGroup(rg))).map((vault) => vault.name), [name]);
    assert.deepEqual((await collect(other.vaults.listBySubscription())).map((vault) => vault.name), [name]);
    assert.ok(!(await collect(client.vaults.listBySubscription())).some((vault) => vault.name === name), 'not in the server subscription');

    const empty = groupName();
    await rejectsArm(client.vaults.get(empty, name), 404, 'ResourceGroupNotFound');
    await rejectsArm(client.vaults.update(empty, name, { tags: { a: 'b' } }), 404, 'ResourceGroupNotFound');
    await rejectsArm(collect(client.vaults.listByResourceGroup(empty)), 404, 'ResourceGroupNotFound');
    // The same group name in the server's subscription is a different group.
    await rejectsArm(client.vaults.get(rg, name), 404, 'ResourceGroupNotFound');

    const invalid = managementClient(server.credential(), 'not-a-subscription');
    await rejectsArm(invalid.vaults.get('coffer', 'default'), 400, 'InvalidSubscriptionId');
    await rejectsArm(collect(invalid.vaults.listBySubscription()), 400, 'InvalidSubscriptionId');
  });

  it('serves the data plane of a vault created through the management API', async () => {
    const rg = groupName();
    const name = vaultName();
    const vault = await createVault(rg, name);
    assert.equal(vault.properties.vaultUri, `${server.vaultUrl(name)}/`);

    const secrets = server.secretClient({ vault: name });
    const set = await secrets.setSecret('greeting', 'hello from arm');
    assert.ok(set.properties.id?.startsWith(`${server.vaultUrl(name)}/secrets/greeting/`), set.properties.id);
    assert.equal((await secrets.getSecret('greeting')).value, 'hello from arm');
    // A vault of its own: the default vault does not see it.
    await assert.rejects(server.secretClient().getSecret('greeting'), (error: any) => error.statusCode === 404);
  });

  it('soft-deletes a vault, shows it as deleted, recovers it with its secrets, then purges it and frees the name', async () => {
    const rg = groupName();
    const name = vaultName();
    await createVault(rg, name, { softDeleteRetentionInDays: 7 }, { stage: 'one' });
    await server.secretClient({ vault: name }).setSecret('kept', 'survives recovery');

    const statuses: number[] = [];
    const capture = { onResponse: (response: any) => statuses.push(response.status) };
    const beforeDelete = Date.now();
    await client.vaults.delete(rg, name, capture);
    const afterDelete = Date.now();
    assert.deepEqual(statuses, [200]);

    await rejectsStatus(client.vaults.get(rg, name), 404);
    await assert.rejects(server.secretClient({ vault: name }).getSecret('kept'), (error: any) => {
      assert.equal(error.statusCode, 404, String(error.message));
      return true;
    });
    assert.ok(!(await collect(client.vaults.listByResourceGroup(rg))).some((vault) => vault.name === name));

    const check = (deleted: Awaited<ReturnType<typeof client.vaults.getDeleted>>) => {
      assert.equal(deleted.name, name);
      assert.equal(deleted.type, 'Microsoft.KeyVault/deletedVaults');
      assert.equal(lower(deleted.id), lower(`/subscriptions/${subscriptionId}/providers/Microsoft.KeyVault/locations/${LOCATION}/deletedVaults/${name}`));
      const p = deleted.properties!;
      assert.equal(lower(p.vaultId), lower(vaultId(rg, name)));
      assert.equal(p.location, LOCATION);
      assert.deepEqual(p.tags, { stage: 'one' });
      assert.equal(p.purgeProtectionEnabled, false);
      const deletedAt = p.deletionDate!.getTime();
      assert.ok(deletedAt >= beforeDelete - 2000 && deletedAt <= afterDelete + 2000, `deletionDate ${p.deletionDate!.toISOString()}`);
      assert.ok(Math.abs(p.scheduledPurgeDate!.getTime() - deletedAt - 7 * DAY_MS) <= 1000, `scheduledPurgeDate ${p.scheduledPurgeDate!.toISOString()} is deletionDate + 7 days`);
    };
    const listed = (await collect(client.vaults.listDeleted())).find((deleted) => deleted.name === name);
    assert.ok(listed, 'in listDeleted');
    check(listed);
    check(await client.vaults.getDeleted(name, LOCATION));

    assert.deepEqual(await client.vaults.checkNameAvailability({ name, type: 'Microsoft.KeyVault/vaults' }).then((r) => [r.nameAvailable, r.reason]), [false, 'AlreadyExists']);
    await rejectsArm(createVault(rg, name), 409, 'ConflictError');
    // The name stays taken in every group while the deleted vault holds it.
    const elsewhere = groupName();
    await rejectsStatus(createVault(elsewhere, name), 409);
    await rejectsStatus(client.vaults.get(elsewhere, name), 404);
    statuses.length = 0;
    await client.vaults.delete(rg, name, capture);
    assert.deepEqual(statuses, [204], 'nothing left to delete');

    const recovered = await client.vaults.beginCreateOrUpdateAndWait(rg, name, createBody({ createMode: 'recover' }));
    assert.equal(recovered.name, name);
    assert.equal(recovered.properties.provisioningState, 'Succeeded');
    assert.equal(recovered.properties.softDeleteRetentionInDays, 7);
    assert.equal((await client.vaults.get(rg, name)).name, name);
    assert.equal((await server.secretClient({ vault: name }).getSecret('kept')).value, 'survives recovery');
    assert.ok(!(await collect(client.vaults.listDeleted())).some((deleted) => deleted.name === name));
    await assert.rejects(client.vaults.getDeleted(name, LOCATION), (error: any) => error.statusCode === 404);

    await client.vaults.delete(rg, name);
    await client.vaults.beginPurgeDeletedAndWait(name, LOCATION);
    await assert.rejects(client.vaults.getDeleted(name, LOCATION), (error: any) => error.statusCode === 404);
    assert.ok(!(await collect(client.vaults.listDeleted())).some((deleted) => deleted.name === name));
    assert.deepEqual(await client.vaults.checkNameAvailability({ name, type: 'Microsoft.KeyVault/vaults' }).then((r) => r.nameAvailable), true);

    // The name is free again, in any group, and the new vault starts empty.
    const rg2 = groupName();
    const reborn = await createVault(rg2, name);
    assert.equal(reborn.properties.softDeleteRetentionInDays, 90);
    const secrets = server.secretClient({ vault: name });
    await assert.rejects(secrets.getSecret('kept'), (error: any) => error.statusCode === 404);
    assert.deepEqual(await collect(secrets.listPropertiesOfSecrets()), []);
    assert.deepEqual(await collect(secrets.listDeletedSecrets()), []);
  });

  it('refuses to purge a deleted vault under purge protection (405 MethodNotAllowed) and keeps it', async () => {
    const rg = groupName();
    const name = vaultName();
    await createVault(rg, name, { enablePurgeProtection: true, softDeleteRetentionInDays: 7 });
    await client.vaults.delete(rg, name);
    assert.equal((await client.vaults.getDeleted(name, LOCATION)).properties?.purgeProtectionEnabled, true);

    await rejectsArm(client.vaults.beginPurgeDeletedAndWait(name, LOCATION), 405, 'MethodNotAllowed');
    const still = await client.vaults.getDeleted(name, LOCATION);
    assert.equal(still.name, name);
    assert.equal(still.properties?.purgeProtectionEnabled, true);
    assert.ok((await collect(client.vaults.listDeleted())).some((deleted) => deleted.name === name));
    assert.equal((await client.vaults.checkNameAvailability({ name, type: 'Microsoft.KeyVault/vaults' })).nameAvailable, false);
  });

  it('checks name availability: free, taken (any case), invalid', async () => {
    const check = (name: string) => client.vaults.checkNameAvailability({ name, type: 'Microsoft.KeyVault/vaults' });
    const name = vaultName();
    assert.equal((await check(name)).nameAvailable, true);
    assert.equal((await check(name)).reason, undefined);

    await createVault(groupName(), name);
    for (const taken of [name, name.toUpperCase(), 'default']) {
      const result = await check(taken);
      assert.equal(result.nameAvailable, false, taken);
      assert.equal(result.reason, 'AlreadyExists', taken);
      assert.equal(typeof result.message, 'string');
    }

    for (const invalid of ['ab', '1vault', 'va--ult', 'vault-', 'vault_1', '-vault', `v${'a'.repeat(24)}`]) {
      const result = await check(invalid);
      assert.equal(result.nameAvailable, false, invalid);
      assert.equal(result.reason, 'AccountNameInvalid', invalid);
    }
  });

  it('updates access policies: add unions permissions, replace sets them, remove subtracts and drops empty entries', async () => {
    const rg = groupName();
    const name = vaultName();
    await createVault(rg, name, { enableRbacAuthorization: false });
    const alice = randomUUID();
    const bob = randomUUID();
    const app = randomUUID();
    type Perms = { keys?: string[]; secrets?: string[]; certificates?: string[]; storage?: string[] };
    const entry = (objectId: string, permissions: Perms, applicationId?: string): AccessPolicyEntry => ({
      tenantId,
      objectId,
      ...(applicationId === undefined ? {} : { applicationId }),
      permissions,
    });
    const expected = entry;

    async function update(kind: 'add' | 'replace' | 'remove', entries: AccessPolicyEntry[], want: AccessPolicyEntry[], what: string) {
      const result = await client.vaults.updateAccessPolicy(rg, name, kind, { properties: { accessPolicies: entries } });
      assert.ok(Array.isArray(result.properties.accessPolicies), `${what}: an array of entries`);
      assert.deepEqual(normalizePolicies(result.properties.accessPolicies), normalizePolicies(want), `${what}: the response holds the whole resulting list`);
      const vault = await client.vaults.get(rg, name);
      assert.deepEqual(normalizePolicies(vault.properties.accessPolicies), normalizePolicies(want), `${what}: GET shows it`);
    }

    await update('add', [entry(alice, { secrets: ['get', 'list'] })], [expected(alice, { secrets: ['get', 'list'] })], 'add a first entry');
    await update(
      'add',
      [entry(alice, { secrets: ['set', 'get'], keys: ['get'] })],
      [expected(alice, { secrets: ['get', 'list', 'set'], keys: ['get'] })],
      'add to the same holder unions its permissions',
    );
    await update(
      'add',
      [entry(bob, { certificates: ['get'] })],
      [expected(alice, { secrets: ['get', 'list', 'set'], keys: ['get'] }), expected(bob, { certificates: ['get'] })],
      'add another holder appends',
    );
    await update(
      'add',
      [entry(alice, { storage: ['get'] }, app)],
      [expected(alice, { secrets: ['get', 'list', 'set'], keys: ['get'] }), expected(bob, { certificates: ['get'] }), expected(alice, { storage: ['get'] }, app)],
      'an application id makes a holder of its own',
    );
    await update(
      'replace',
      [entry(alice, { keys: ['sign'] })],
      [expected(alice, { keys: ['sign'] }), expected(bob, { certificates: ['get'] }), expected(alice, { storage: ['get'] }, app)],
      'replace sets the holder permissions, others untouched',
    );
    await update(
      'remove',
      [entry(bob, { certificates: ['get'] }), entry(alice, { storage: ['get'] }, app)],
      [expected(alice, { keys: ['sign'] })],
      'remove drops entries left empty',
    );
    await update('remove', [entry(alice, { keys: ['sign', 'get'] })], [], 'remove of the last permission leaves no entry');
  });

  it('refuses a principal that is not the administrator with 403 AuthorizationFailed and changes nothing', async () => {
    const rg = groupName();
    const name = vaultName();
    await createVault(rg, name, {}, { owner: 'admin' });
    const created = (await server.cli('principal', 'create', `arm-outsider-${randomBytes(3).toString('hex')}`)) as { clientId: string; clientSecret: string };
    const outsider = managementClient(server.credential({ clientId: created.clientId, clientSecret: created.clientSecret }));

    await rejectsArm(outsider.vaults.get(rg, name), 403, 'AuthorizationFailed');
    await rejectsArm(outsider.vaults.get('coffer', 'default'), 403, 'AuthorizationFailed');
    await rejectsArm(collect(outsider.vaults.listBySubscription()), 403, 'AuthorizationFailed');
    await rejectsArm(outsider.vaults.update(rg, name, { tags: { owner: 'outsider' } }), 403, 'AuthorizationFailed');
    await rejectsArm(outsider.vaults.delete(rg, name), 403, 'AuthorizationFailed');
    const fresh = vaultName();
    await rejectsArm(outsider.vaults.beginCreateOrUpdateAndWait(rg, fresh, createBody()), 403, 'AuthorizationFailed');

    const still = await client.vaults.get(rg, name);
    assert.deepEqual(still.tags, { owner: 'admin' });
    assert.equal((await client.vaults.checkNameAvailability({ name: fresh, type: 'Microsoft.KeyVault/vaults' })).nameAvailable, true);

    const anonymous = await server.request('GET', `${endpoint}${vaultPath(rg, name)}?api-version=${API_VERSION}`);
    assert.equal(anonymous.status, 401, anonymous.text);
  });

  it('records management requests in the audit log under the vault resource id', async () => {
    const rg = groupName();
    const name = vaultName();
    await createVault(rg, name);
    await client.vaults.get(rg, name);
    const resourceId = vaultId(rg, name).toUpperCase();
    const records = () =>
      readdirSync(path.join(server.dataDir, 'audit'))
        .filter((file) => /^audit-\d{4}-\d{2}-\d{2}\.jsonl$/.test(file))
        .flatMap((file) =>
          readFileSync(path.join(server.dataDir, 'audit', file), 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as AuditEvent),
        )
        .filter((record) => record.resourceId === resourceId && record.operationName.startsWith('Vault'));
    await eventually('audit records of the management calls', async () => records().length >= 2);
    const found = records();
    assert.ok(found.some((record) => record.properties.httpStatusCode === 201), `the create: ${JSON.stringify(found.map((r) => [r.operationName, r.properties.httpStatusCode]))}`);
    assert.ok(found.some((record) => record.properties.httpStatusCode === 200), 'the get');
    for (const record of found) {
      assert.equal(record.resultType, 'Success');
      assert.equal(record.identity?.claim.appid, server.credentials.clientId);
    }
  });

  describe('bad input', () => {
    const rg = groupName();
    const keeper = vaultName();
    const keeperProperties = {
      sku: { family: 'A', name: 'standard' },
      softDeleteRetentionInDays: 30,
      enabledForDeployment: true,
      networkAcls: { bypass: 'AzureServices', defaultAction: 'Allow', ipRules: [{ value: '198.51.100.0/24' }] },
    };
    const keeperBody = (properties: Record<string, unknown> = {}) => ({
      location: LOCATION,
      tags: { keep: 'yes' },
      properties: { tenantId, ...keeperProperties, ...properties },
    });
    let snapshot: unknown;

    const url = (name: string, group = rg, subscription = subscriptionId) => `${vaultPath(group, name, subscription)}?api-version=${API_VERSION}`;
    const newBody = (properties: Record<string, unknown> = {}) => ({ location: LOCATION, properties: { tenantId, sku: { family: 'A', name: 'standard' }, ...properties } });
    const ipTarget = 'properties.networkAcls.ipRules[0].value';
    const badIps = ['300.1.1.1', '10.0.0.1/8', 'example.com'];

    before(async () => {
      const created = await arm('PUT', url(keeper), keeperBody());
      assert.equal(created.status, 201, created.text);
      const got = await arm('GET', url(keeper));
      assert.equal(got.status, 200, got.text);
      snapshot = got.json;
    });

    async function assertKeeperUnchanged(context: string): Promise<void> {
      const got = await arm('GET', url(keeper));
      assert.equal(got.status, 200, `${context}: ${got.text}`);
      assert.deepEqual(got.json, snapshot, `${context}: the vault changed`);
      const listed = await arm('GET', `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults?api-version=${API_VERSION}`);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.json.value.map((vault: { name: string }) => vault.name), [keeper], `${context}: the group holds the keeper only`);
    }

    async function assertAbsent(name: string, context: string, group = rg, subscription = subscriptionId): Promise<void> {
      const got = await arm('GET', url(name, group, subscription));
      assert.equal(got.status, 404, `${context}: ${name} should not exist: ${got.text}`);
    }

    for (const name of ['ab', `v${'a'.repeat(24)}`, '1vault', 'vault-', 'va--ult', 'vault_1', '-vault']) {
      it(`refuses the vault name '${name}' with 400 VaultNameNotValid`, async () => {
        const response = await arm('PUT', url(name), newBody());
        assertArmError(response, 400, 'VaultNameNotValid', name);
        await assertKeeperUnchanged(name);
      });
    }

    const newVaultCases: Array<[string, Record<string, unknown>, number, string, string | undefined]> = [
      ['softDeleteRetentionInDays 6', { softDeleteRetentionInDays: 6 }, 400, 'BadRequest', 'properties.softDeleteRetentionInDays'],
      ['softDeleteRetentionInDays 91', { softDeleteRetentionInDays: 91 }, 400, 'BadRequest', 'properties.softDeleteRetentionInDays'],
      ['enablePurgeProtection false', { enablePurgeProtection: false }, 400, 'BadRequest', undefined],
      ['enableSoftDelete false', { enableSoftDelete: false }, 400, 'BadRequest', undefined],
      ...badIps.map((value): [string, Record<string, unknown>, number, string, string] => [
        `the IP rule '${value}'`,
        { networkAcls: { defaultAction: 'Deny', ipRules: [{ value }] } },
        400,
        'BadRequest',
        ipTarget,
      ]),
      ['another tenant', { tenantId: randomUUID() }, 400, 'BadRequest', undefined],
      ["createMode 'recover' with no deleted vault", { createMode: 'recover' }, 400, 'SoftDeletedVaultDoesNotExist', undefined],
    ];
    for (const [label, properties, status, code, target] of newVaultCases) {
      it(`refuses a new vault with ${label} (${status} ${code}) and creates nothing`, async () => {
        const name = vaultName();
        const response = await arm('PUT', url(name), newBody(properties));
        assertArmError(response, status, code, label);
        if (target !== undefined) assert.equal(response.json.error.target, target, `${label}: ${response.text}`);
        await assertAbsent(name, label);
        await assertKeeperUnchanged(label);
      });
    }

    it('refuses the name of a vault in another group or subscription with 409 VaultAlreadyExists', async () => {
      const otherGroup = groupName();
      const inGroup = await arm('PUT', url(keeper, otherGroup), keeperBody());
      assertArmError(inGroup, 409, 'VaultAlreadyExists', 'another group');
      await assertAbsent(keeper, 'another group', otherGroup);

      const otherSubscription = randomUUID();
      const inSubscription = await arm('PUT', url(keeper, rg, otherSubscription), keeperBody());
      assertArmError(inSubscription, 409, 'VaultAlreadyExists', 'another subscription');
      await assertAbsent(keeper, 'another subscription', rg, otherSubscription);
      await assertKeeperUnchanged('VaultAlreadyExists');
    });

    const existingCases: Array<[string, Record<string, unknown>, string, string | undefined]> = [
      ['a changed softDeleteRetentionInDays', { softDeleteRetentionInDays: 60 }, 'BadRequest', undefined],
      ['enablePurgeProtection false', { enablePurgeProtection: false }, 'BadRequest', undefined],
      ['enableSoftDelete false', { enableSoftDelete: false }, 'BadRequest', undefined],
      ...badIps.map((value): [string, Record<string, unknown>, string, string] => [
        `the IP rule '${value}'`,
        { networkAcls: { defaultAction: 'Deny', ipRules: [{ value }] } },
        'BadRequest',
        ipTarget,
      ]),
      ['another tenant', { tenantId: randomUUID() }, 'BadRequest', undefined],
    ];
    for (const [label, properties, code, target] of existingCases) {
      it(`refuses a PUT replacing the vault with ${label} (400 ${code}) and changes nothing`, async () => {
        const response = await arm('PUT', url(keeper), keeperBody(properties));
        assertArmError(response, 400, code, label);
        if (target !== undefined) assert.equal(response.json.error.target, target, `${label}: ${response.text}`);
        await assertKeeperUnchanged(`PUT ${label}`);
      });

      it(`refuses a PATCH with ${label} (400 ${code}) and changes nothing`, async () => {
        const response = await arm('PATCH', url(keeper), { tags: { patched: 'yes' }, properties });
        assertArmError(response, 400, code, label);
        if (target !== undefined) assert.equal(response.json.error.target, target, `${label}: ${response.text}`);
        await assertKeeperUnchanged(`PATCH ${label}`);
      });
    }

    it('accepts the keeper body unchanged (the refusals above are for what they name)', async () => {
      const response = await arm('PUT', url(keeper), keeperBody());
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.properties.softDeleteRetentionInDays, 30);
      assert.deepEqual(response.json.tags, { keep: 'yes' });
    });
  });
});
