// Access policies (vaults with enableRbacAuthorization: false) against a real server and real tokens: every
// access-policy permission × every data-plane operation, with the expected answers written out by hand from the REST
// reference's "requires the X permission" notes (CATALOG.md §3–4). Policies are managed through the management API
// (accessPolicies/replace) and take effect on the next request. Then 'all', compound identities, groups, RBAC
// ignored on such a vault, and Azure's ForbiddenByPolicy refusal.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SecretClient } from '@azure/keyvault-secrets';
import { PROBES } from '../support/data-plane-probes.js';
import { startServer, type RawResponse, type TestServer } from '../support/start-server.js';

const ALL = PROBES.map((probe) => probe.op);

/** Azure's answer per permission: the operations it allows (REST reference: "This operation requires …"). */
const EXPECTED: Record<'secrets' | 'keys' | 'certificates', Record<string, readonly string[]>> = {
  secrets: {
    get: ['SecretGet', 'SecretGetDeleted'],
    list: ['SecretList', 'SecretListVersions', 'SecretListDeleted'],
    set: ['SecretSet', 'SecretUpdate'],
    delete: ['SecretDelete'],
    backup: ['SecretBackup'],
    restore: ['SecretRestore'],
    recover: ['SecretRecover'],
    purge: ['SecretPurge'],
    all: ALL.filter((op) => op.startsWith('Secret')),
  },
  keys: {
    // Random bytes (Managed HSM only in Azure) are given to whoever may get keys here.
    get: ['KeyGet', 'KeyGetDeleted', 'GetRandomBytes'],
    list: ['KeyList', 'KeyListVersions', 'KeyListDeleted'],
    create: ['KeyCreate'],
    import: ['KeyImport'],
    update: ['KeyUpdate'],
    delete: ['KeyDelete'],
    backup: ['KeyBackup'],
    restore: ['KeyRestore'],
    recover: ['KeyRecover'],
    purge: ['KeyPurge'],
    encrypt: ['KeyEncrypt'],
    decrypt: ['KeyDecrypt'],
    wrapKey: ['KeyWrap'],
    unwrapKey: ['KeyUnwrap'],
    sign: ['KeySign'],
    verify: ['KeyVerify'],
    rotate: ['KeyRotate'],
    getrotationpolicy: ['KeyRotationPolicyGet'],
    setrotationpolicy: ['KeyRotationPolicySet'],
    release: [],
    all: [...ALL.filter((op) => op.startsWith('Key')), 'GetRandomBytes'],
  },
  certificates: {
    get: ['CertificateGet', 'CertificatePolicyGet', 'CertificatePendingGet', 'CertificateGetDeleted'],
    list: ['CertificateList', 'CertificateListVersions', 'CertificateListDeleted'],
    create: ['CertificateCreate', 'CertificatePendingMerge'],
    import: ['CertificateImport'],
    update: ['CertificateUpdate', 'CertificatePolicyUpdate', 'CertificatePendingUpdate', 'CertificatePendingDelete'],
    delete: ['CertificateDelete'],
    managecontacts: ['CertificateContactsGet', 'CertificateContactsSet', 'CertificateContactsDelete'],
    getissuers: ['CertificateIssuerGet'],
    listissuers: ['CertificateIssuersList'],
    setissuers: ['CertificateIssuerSet', 'CertificateIssuerUpdate'],
    deleteissuers: ['CertificateIssuerDelete'],
    manageissuers: ['CertificateIssuersList', 'CertificateIssuerGet', 'CertificateIssuerSet', 'CertificateIssuerUpdate', 'CertificateIssuerDelete'],
    recover: ['CertificateRecover'],
    purge: ['CertificatePurge'],
    backup: ['CertificateBackup'],
    restore: ['CertificateRestore'],
    all: ALL.filter((op) => op.startsWith('Certificate')),
  },
};

interface Principal {
  clientId: string;
  clientSecret: string;
  objectId: string;
}

describe('access policies on the data plane', () => {
  let server: TestServer;
  let managementToken: string;
  let vaultPath: string;
  let tenantId: string;
  const vault = `pol${randomBytes(4).toString('hex')}`;

  const credentialOf = (principal: { clientId: string; clientSecret: string }) => server.credential(principal);
  const tokenOf = async (principal: Principal) => (await credentialOf(principal).getToken(`https://vault.localhost:${server.port}/.default`)).token;
  const call = (token: string, method: string, path: string, body?: unknown) =>
    server.request(method, `https://${vault}.vault.localhost:${server.port}${path}?api-version=7.5`, { token, ...(body === undefined ? {} : { body }) });
  const arm = (method: string, path: string, body: unknown) =>
    server.request(method, `https://localhost:${server.port}${vaultPath}${path}?api-version=2026-02-01`, { token: managementToken, body });
  const entry = (objectId: string, permissions: Partial<Record<'keys' | 'secrets' | 'certificates', string[]>>, applicationId?: string) => ({
    tenantId,
    objectId,
    ...(applicationId === undefined ? {} : { applicationId }),
    permissions: { keys: [], secrets: [], certificates: [], ...permissions },
  });

  async function setPolicies(entries: unknown[]): Promise<void> {
    const response = await arm('PUT', '/accessPolicies/replace', { properties: { accessPolicies: entries } });
    assert.equal(response.status, 200, response.text);
  }

  function assertDeniedByPolicy(response: RawResponse, context: string): void {
    assert.equal(response.status, 403, `${context}: ${response.status} ${response.text.slice(0, 300)}`);
    assert.equal(response.json.error.code, 'Forbidden', context);
    assert.equal(response.json.error.innererror?.code, 'ForbiddenByPolicy', context);
  }

  before(async () => {
    server = await startServer();
    tenantId = server.credentials.tenantId;
    managementToken = (await server.credential().getToken(`https://localhost:${server.port}/.default`)).token;
    const subscriptions = await server.request('GET', `https://localhost:${server.port}/subscriptions?api-version=2022-12-01`, { token: managementToken });
    vaultPath = `/subscriptions/${subscriptions.json.value[0].subscriptionId}/resourceGroups/policies/providers/Microsoft.KeyVault/vaults/${vault}`;
    const created = await arm('PUT', '', {
      location: 'westus',
      properties: { tenantId, sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: false, accessPolicies: [] },
    });
    assert.equal(created.status, 201, created.text);
  });
  after(() => server.dispose());

  it(`matches Azure for every permission × ${PROBES.length} operations`, async () => {
    const principal = (await server.cli('principal', 'create', 'policy matrix')) as Principal;
    const token = await tokenOf(principal);
    const mismatches: string[] = [];
    let cells = 0;
    for (const [collection, permissions] of Object.entries(EXPECTED)) {
      for (const [permission, operations] of Object.entries(permissions)) {
        await setPolicies([entry(principal.objectId, { [collection]: [permission] })]);
        const allowed = new Set(operations);
        for (const probe of PROBES) {
          cells++;
          const response = await call(token, probe.method, probe.path, probe.body);
          const wasAllowed = response.status !== 403;
          if (wasAllowed !== allowed.has(probe.op)) mismatches.push(`${collection} ${permission} ${probe.op}: expected ${allowed.has(probe.op) ? 'allow' : 'deny'}, got ${response.status} ${response.text.slice(0, 120)}`);
          else if (!wasAllowed) assertDeniedByPolicy(response, `${collection} ${permission} ${probe.op}`);
        }
      }
    }
    assert.deepEqual(mismatches, []);
    assert.ok(cells > 2500, `${cells} cells`);
  });

  it("refuses in Azure's words, naming the caller and the missing permission", async () => {
    const principal = (await server.cli('principal', 'create', 'policy wording')) as Principal;
    await setPolicies([entry(principal.objectId, { secrets: ['list'] })]);
    const response = await call(await tokenOf(principal), 'GET', '/secrets/anything');
    assertDeniedByPolicy(response, 'get without the get permission');
    assert.match(
      response.json.error.message,
      new RegExp(`^The user, group or application 'appid=${principal.clientId};oid=${principal.objectId};iss=[^']+' does not have secrets get permission on key vault '${vault};location=westus'\\. For help resolving this issue, please see https://go\\.microsoft\\.com/fwlink/\\?linkid=2125287$`),
    );
  });

  it('ignores RBAC on a vault that uses access policies, and access policies once it uses RBAC', async () => {
    const adminToken = await server.adminToken();
    await setPolicies([]);
    // The administrator's Key Vault Administrator role at '/' does not apply here.
    assertDeniedByPolicy(await call(adminToken, 'GET', '/secrets'), 'administrator without a policy');
    const principals = (await server.cli('principal', 'list')) as Array<{ clientId: string; objectId: string }>;
    const adminObjectId = principals.find((principal) => principal.clientId === server.credentials.clientId)!.objectId;
    await setPolicies([entry(adminObjectId, { secrets: ['all'] })]);
    assert.equal((await call(adminToken, 'PUT', '/secrets/kept', { value: 'v' })).status, 200);

    const reader = (await server.cli('principal', 'create', 'model switch')) as Principal;
    const policies = (await arm('GET', '', undefined)).json.properties.accessPolicies;
    await setPolicies([...policies, entry(reader.objectId, { secrets: ['get'] })]);
    const token = await tokenOf(reader);
    assert.equal((await call(token, 'GET', '/secrets/kept')).status, 200, 'by policy');
    const switched = await arm('PATCH', '', { properties: { enableRbacAuthorization: true } });
    assert.equal(switched.status, 200, switched.text);
    const refused = await call(token, 'GET', '/secrets/kept');
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.innererror.code, 'ForbiddenByRbac', 'the policy no longer counts');
    const back = await arm('PATCH', '', { properties: { enableRbacAuthorization: false } });
    assert.equal(back.status, 200, back.text);
    assert.equal((await call(token, 'GET', '/secrets/kept')).status, 200, 'by policy again');
  });

  it('matches compound identities by application, and groups by membership', async () => {
    const adminToken = await server.adminToken();
    assert.equal((await call(adminToken, 'GET', '/secrets/kept')).status, 200);
    const member = (await server.cli('principal', 'create', 'policy group member')) as Principal;
    const other = (await server.cli('principal', 'create', 'some other app')) as Principal;
    const group = (await server.cli('group', 'create', 'policy readers')) as { id: string };
    await server.cli('group', 'add-member', group.id, member.objectId);
    const policies = (await arm('GET', '', undefined)).json.properties.accessPolicies;

    await setPolicies([...policies, entry(group.id, { secrets: ['get'] })]);
    const client = new SecretClient(server.vaultUrl(vault), credentialOf(member), { agent: server.agent, retryOptions: { maxRetries: 0 } } as never);
    assert.equal((await client.getSecret('kept')).value, 'v', 'through the group');
    await server.cli('group', 'remove-member', group.id, member.objectId);
    await assert.rejects(client.getSecret('kept'), (error: any) => error.statusCode === 403, 'out of the group');

    // Compound identity: the entry holds for that principal only when it calls through that application.
    await setPolicies([...policies, entry(member.objectId, { secrets: ['get'] }, other.clientId)]);
    assertDeniedByPolicy(await call(await tokenOf(member), 'GET', '/secrets/kept'), 'compound entry, other application');
    await setPolicies([...policies, entry(member.objectId, { secrets: ['get'] }, member.clientId)]);
    assert.equal((await call(await tokenOf(member), 'GET', '/secrets/kept')).status, 200, 'compound entry, its own application');
  });
});
