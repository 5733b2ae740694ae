// RBAC on the data plane against a real server and real tokens: every built-in role × every data-plane operation,
// with Azure's expected allow/deny written out by hand below from Azure's role definitions (CATALOG.md §2, §3) —
// not derived from Coffer's code. A request is allowed when it gets anything but 403: rights are checked before
// the object is looked up or the body validated, so the probes name objects that do not exist and send bodies that
// are invalid, and an allowed probe answers 404 or 400 without changing anything. Then scope inheritance, object
// scopes, groups, management rights vs data rights, denial before existence, and the audit fields.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SecretClient } from '@azure/keyvault-secrets';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { MISSING, PROBES } from '../support/data-plane-probes.js';
import { startServer, type RawResponse, type TestServer } from '../support/start-server.js';

const API = 'api-version=7.5';
const ALL = PROBES.map((probe) => probe.op);
const SECRET_OPS = ALL.filter((op) => op.startsWith('Secret'));
const KEY_OPS = ALL.filter((op) => op.startsWith('Key'));
const CERTIFICATE_OPS = ALL.filter((op) => op.startsWith('Certificate'));
// Data actions each read grants (Azure's operation → dataAction table).
const SECRET_METADATA = ['SecretList', 'SecretListVersions', 'SecretGetDeleted', 'SecretListDeleted'];
const KEY_READ = ['KeyGet', 'KeyList', 'KeyListVersions', 'KeyGetDeleted', 'KeyListDeleted'];
// Azure lets keys/read perform the public-key operations of asymmetric keys (every vault key is asymmetric).
const PUBLIC_KEY_OPS = ['KeyEncrypt', 'KeyWrap', 'KeyVerify'];
const CERTIFICATE_READ = ['CertificateGet', 'CertificateList', 'CertificateListVersions', 'CertificatePolicyGet', 'CertificatePendingGet', 'CertificateGetDeleted', 'CertificateListDeleted'];

/** Azure's answer for each built-in role: the operations it allows on a vault using RBAC. */
const EXPECTED: Record<string, readonly string[]> = {
  'Key Vault Administrator': ALL,
  'Key Vault Secrets Officer': SECRET_OPS,
  'Key Vault Secrets User': ['SecretGet', ...SECRET_METADATA],
  'Key Vault Reader': [
    ...SECRET_METADATA, ...KEY_READ, ...PUBLIC_KEY_OPS, 'KeyRotationPolicyGet', ...CERTIFICATE_READ,
    'CertificateIssuersList', 'CertificateIssuerGet', 'CertificateContactsGet',
  ],
  'Key Vault Crypto Officer': KEY_OPS,
  'Key Vault Crypto User': [...KEY_READ, 'KeyUpdate', 'KeyBackup', 'KeyEncrypt', 'KeyDecrypt', 'KeyWrap', 'KeyUnwrap', 'KeySign', 'KeyVerify'],
  'Key Vault Crypto Service Encryption User': [...KEY_READ, 'KeyWrap', 'KeyUnwrap', 'KeyEncrypt', 'KeyVerify'],
  'Key Vault Crypto Service Release User': [],
  'Key Vault Certificates Officer': CERTIFICATE_OPS.filter((op) => op !== 'CertificateContactsGet'),
  'Key Vault Certificate User': [...CERTIFICATE_READ, 'SecretGet', ...SECRET_METADATA, ...KEY_READ, ...PUBLIC_KEY_OPS],
  // Control-plane roles never grant data access.
  Owner: [],
  Contributor: [],
  Reader: [],
  'User Access Administrator': [],
  'Key Vault Contributor': [],
  'Key Vault Data Access Administrator': [],
  'Key Vault Purge Operator': [],
};

interface Principal {
  clientId: string;
  clientSecret: string;
  objectId: string;
}

describe('RBAC on the data plane', () => {
  let server: TestServer;
  const vault = `rbac${randomBytes(4).toString('hex')}`;

  const credentialOf = (principal: { clientId: string; clientSecret: string }) => server.credential(principal);
  const tokenOf = async (principal: Principal) => (await credentialOf(principal).getToken(`https://vault.localhost:${server.port}/.default`)).token;
  const newPrincipal = async (name: string) => (await server.cli('principal', 'create', name)) as Principal;
  const assign = (assignee: string, role: string, ...scope: string[]) => server.cli('role', 'assignment', 'create', '--assignee', assignee, '--role', role, ...scope) as Promise<{ id: string }>;
  const call = (token: string, method: string, pathAndQuery: string, body?: unknown, vaultName = vault) =>
    server.request(method, `https://${vaultName}.vault.localhost:${server.port}${pathAndQuery}${pathAndQuery.includes('?') ? '&' : '?'}${API}`, { token, ...(body === undefined ? {} : { body }) });

  function assertDenied(response: RawResponse, context: string): void {
    assert.equal(response.status, 403, `${context}: ${response.status} ${response.text.slice(0, 300)}`);
    assert.equal(response.json.error.code, 'Forbidden', context);
    assert.equal(response.json.error.innererror?.code, 'ForbiddenByRbac', context);
  }

  async function auditRecord(requestId: string): Promise<AuditEvent> {
    const dir = path.join(server.dataDir, 'audit');
    for (const file of await readdir(dir)) {
      for (const line of (await readFile(path.join(dir, file), 'utf8')).split('\n')) {
        if (line.includes(requestId)) return JSON.parse(line) as AuditEvent;
      }
    }
    assert.fail(`no audit record of request ${requestId}`);
  }

  let subscriptionId: string;

  before(async () => {
    server = await startServer();
    await server.cli('vault', 'create', vault);
    const subscriptions = await server.request('GET', `https://localhost:${server.port}/subscriptions?api-version=2022-12-01`, {
      token: (await server.credential().getToken(`https://localhost:${server.port}/.default`)).token,
    });
    subscriptionId = subscriptions.json.value[0].subscriptionId;
  });
  after(() => server.dispose());

  it(`matches Azure for ${Object.keys(EXPECTED).length} built-in roles × ${PROBES.length} operations`, async () => {
    const roles = Object.keys(EXPECTED);
    const principals = await Promise.all(roles.map((role) => newPrincipal(`matrix ${role}`)));
    await Promise.all(roles.map((role, index) => assign(principals[index]!.objectId, role, '--vault', vault)));
    const mismatches: string[] = [];
    for (const [index, role] of roles.entries()) {
      const token = await tokenOf(principals[index]!);
      const allowed = new Set(EXPECTED[role]);
      for (const probe of PROBES) {
        const response = await call(token, probe.method, probe.path, probe.body);
        const wasAllowed = response.status !== 403;
        if (wasAllowed !== allowed.has(probe.op)) mismatches.push(`${role} ${probe.op}: expected ${allowed.has(probe.op) ? 'allow' : 'deny'}, got ${response.status} ${response.text.slice(0, 120)}`);
        else if (!wasAllowed) assertDenied(response, `${role} ${probe.op}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  it('denies a principal with no assignment everything, and before looking the object up', async () => {
    const nobody = await newPrincipal('no rights');
    const token = await tokenOf(nobody);
    const admin = await server.adminToken();
    assert.equal((await call(admin, 'PUT', '/secrets/exists', { value: 'v' })).status, 200);
    for (const probe of PROBES) assertDenied(await call(token, probe.method, probe.path, probe.body), probe.op);
    const existing = await call(token, 'GET', '/secrets/exists');
    const missing = await call(token, 'GET', `/secrets/${MISSING}`);
    assertDenied(existing, 'existing secret');
    assertDenied(missing, 'missing secret');
    // The two refusals differ only in the resource they name: nothing tells whether the object exists.
    assert.equal(existing.json.error.message.replace('/secrets/exists', '/secrets/X'), missing.json.error.message.replace(`/secrets/${MISSING}`, '/secrets/X'));
    assert.match(existing.json.error.message, new RegExp(`^Caller is not authorized to perform action on resource\\.\\r\\n`));
    assert.match(existing.json.error.message, new RegExp(`Caller: appid=${nobody.clientId};oid=${nobody.objectId};iss=`));
    assert.match(existing.json.error.message, /Action: 'Microsoft\.KeyVault\/vaults\/secrets\/getSecret\/action'\r\n/);
    assert.match(existing.json.error.message, new RegExp(`Resource: '/subscriptions/[0-9a-f-]+/resourcegroups/coffer/providers/microsoft\\.keyvault/vaults/${vault}/secrets/exists'`));
    assert.match(existing.json.error.message, new RegExp(`Vault: ${vault};location=local\\r\\n$`));
  });

  it('applies assignments from the subscription, the group, the vault or one object down, and no further', async () => {
    const admin = await server.adminToken();
    for (const name of ['alpha', 'beta']) assert.equal((await call(admin, 'PUT', `/secrets/${name}`, { value: `${name}-value` })).status, 200);
    const subscription = `/subscriptions/${subscriptionId}`;
    const vaultScope = `${subscription}/resourceGroups/coffer/providers/Microsoft.KeyVault/vaults/${vault}`;
    for (const scope of [subscription, `${subscription}/resourceGroups/coffer`, vaultScope, '/']) {
      const principal = await newPrincipal(`scoped ${scope}`);
      await assign(principal.clientId, 'Key Vault Secrets User', '--scope', scope);
      const client = new SecretClient(server.vaultUrl(vault), credentialOf(principal), { agent: server.agent, retryOptions: { maxRetries: 0 } } as never);
      assert.equal((await client.getSecret('alpha')).value, 'alpha-value', scope);
      await assert.rejects(client.setSecret('alpha', 'changed'), (error: any) => error.statusCode === 403, scope);
    }

    // One secret only: that secret, not its neighbour and not the vault-wide list.
    const narrow = await newPrincipal('one secret');
    await assign(narrow.clientId, 'Key Vault Secrets User', '--vault', vault, '--secret', 'alpha');
    const client = new SecretClient(server.vaultUrl(vault), credentialOf(narrow), { agent: server.agent, retryOptions: { maxRetries: 0 } } as never);
    assert.equal((await client.getSecret('alpha')).value, 'alpha-value');
    await assert.rejects(client.getSecret('beta'), (error: any) => error.statusCode === 403 && error.code === 'Forbidden');
    const token = await tokenOf(narrow);
    assertDenied(await call(token, 'GET', '/secrets'), 'list at vault scope');
    assertDenied(await call(token, 'GET', '/secrets/alpha', undefined, 'default'), 'the same name in another vault');
  });

  it('grants through groups, nested groups included, and stops at once when membership or the assignment goes', async () => {
    const admin = await server.adminToken();
    assert.equal((await call(admin, 'PUT', '/secrets/grouped', { value: 'g' })).status, 200);
    const member = await newPrincipal('group member');
    const outer = (await server.cli('group', 'create', 'readers')) as { id: string };
    const inner = (await server.cli('group', 'create', 'team')) as { id: string };
    await server.cli('group', 'add-member', outer.id, inner.id);
    await server.cli('group', 'add-member', inner.id, member.clientId);
    const token = await tokenOf(member);
    assertDenied(await call(token, 'GET', '/secrets/grouped'), 'before the assignment');
    const assignment = await assign(outer.id, 'Key Vault Secrets User', '--vault', vault);
    assert.equal((await call(token, 'GET', '/secrets/grouped')).status, 200, 'through the nested group');
    await server.cli('group', 'remove-member', inner.id, member.clientId);
    assertDenied(await call(token, 'GET', '/secrets/grouped'), 'after leaving the group');
    await server.cli('group', 'add-member', inner.id, member.objectId);
    assert.equal((await call(token, 'GET', '/secrets/grouped')).status, 200, 'back in the group');
    await server.cli('role', 'assignment', 'delete', assignment.id);
    assertDenied(await call(token, 'GET', '/secrets/grouped'), 'after the assignment is removed');
  });

  it('keeps management rights and data rights apart', async () => {
    const contributor = await newPrincipal('vault contributor');
    await assign(contributor.objectId, 'Key Vault Contributor', '--vault', vault);
    const managementToken = (await credentialOf(contributor).getToken(`https://localhost:${server.port}/.default`)).token;
    const vaultPath = `/subscriptions/${subscriptionId}/resourceGroups/coffer/providers/Microsoft.KeyVault/vaults/${vault}`;
    const managed = await server.request('PATCH', `https://localhost:${server.port}${vaultPath}?api-version=2026-02-01`, { token: managementToken, body: { tags: { owner: 'contributor' } } });
    assert.equal(managed.status, 200, managed.text);
    assertDenied(await call(await tokenOf(contributor), 'GET', '/secrets'), 'Key Vault Contributor on the data plane');

    const secretsOfficer = await newPrincipal('secrets officer');
    await assign(secretsOfficer.objectId, 'Key Vault Secrets Officer', '--vault', vault);
    const officerManagement = (await credentialOf(secretsOfficer).getToken(`https://localhost:${server.port}/.default`)).token;
    const refused = await server.request('PATCH', `https://localhost:${server.port}${vaultPath}?api-version=2026-02-01`, { token: officerManagement, body: { tags: {} } });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json.error.code, 'AuthorizationFailed');
    assert.match(refused.json.error.message, /does not have authorization to perform action 'Microsoft\.KeyVault\/vaults\/write' over scope/);
    const refusal = await auditRecord(String(refused.headers['x-ms-request-id']));
    assert.equal(refusal.resourceId, vaultPath.toUpperCase(), 'the refusal is audited under the vault it named');
    assert.equal(refusal.resultType, 'Failure');
  });

  it('records the decision in the audit log: isRbacAuthorized and the applied assignment', async () => {
    const reader = await newPrincipal('audited reader');
    const assignment = await assign(reader.objectId, 'Key Vault Secrets User', '--vault', vault);
    const token = await tokenOf(reader);
    const allowed = await call(token, 'GET', '/secrets');
    assert.equal(allowed.status, 200);
    const allowedRecord = await auditRecord(String(allowed.headers['x-ms-request-id']));
    assert.equal(allowedRecord.properties.isRbacAuthorized, true);
    assert.equal(allowedRecord.properties.appliedAssignmentId, assignment.id);
    const denied = await call(token, 'PUT', '/secrets/nope', { value: 'x' });
    assertDenied(denied, 'set');
    const deniedRecord = await auditRecord(String(denied.headers['x-ms-request-id']));
    assert.equal(deniedRecord.properties.isRbacAuthorized, false);
    assert.equal(deniedRecord.properties.appliedAssignmentId, undefined);
    assert.equal(deniedRecord.resultDescription, 'ForbiddenByRbac');
  });
  it('reviews who can do what on a vault and when each last used it, by CLI and management API', async () => {
    const reviewed = `rev${randomBytes(4).toString('hex')}`;
    await server.cli('vault', 'create', reviewed);
    const user = await newPrincipal('review user');
    const idle = await newPrincipal('review idle');
    const team = (await server.cli('group', 'create', 'review team')) as { id: string };
    await server.cli('group', 'add-member', team.id, idle.objectId);
    const direct = await assign(user.objectId, 'Key Vault Secrets User', '--vault', reviewed);
    const viaGroup = await assign(team.id, 'Key Vault Reader', '--vault', reviewed);
    assert.equal((await call(await tokenOf(user), 'GET', '/secrets', undefined, reviewed)).status, 200);

    type Review = { model: string; principals: Array<{ principalId: string; displayName?: string; unused: boolean; lastUsedAt?: string; rights: Array<{ assignmentId?: string; role?: string; viaGroup?: { id: string }; grantsData: boolean; grantsManagement: boolean }> }> };
    const byCli = (await server.cli('access', 'review', '--vault', reviewed, '--unused-days', '30')) as Review;
    const managementToken = (await server.credential().getToken(`https://localhost:${server.port}/.default`)).token;
    const byApi = await server.request('GET', `https://localhost:${server.port}/subscriptions/${subscriptionId}/resourceGroups/coffer/providers/Microsoft.KeyVault/vaults/${reviewed}/accessReview?api-version=2026-02-01&unusedDays=30`, { token: managementToken });
    assert.equal(byApi.status, 200, byApi.text);
    for (const review of [byCli, byApi.json as Review]) {
      assert.equal(review.model, 'rbac');
      const of = (id: string) => review.principals.find((principal) => principal.principalId === id);
      assert.equal(of(user.objectId)?.unused, false);
      assert.ok(of(user.objectId)?.lastUsedAt);
      assert.deepEqual(of(user.objectId)?.rights.map((right) => [right.assignmentId, right.role, right.grantsData]), [[direct.id, 'Key Vault Secrets User', true]]);
      assert.equal(of(idle.objectId)?.unused, true, 'never used');
      assert.deepEqual(of(idle.objectId)?.rights.map((right) => [right.assignmentId, right.viaGroup?.id]), [[viaGroup.id, team.id]]);
      // The administrator's standing roles at '/' reach every vault, and it has not used this one.
      const admin = review.principals.find((principal) => principal.displayName === 'Coffer administrator');
      assert.deepEqual(admin?.rights.map((right) => right.role).sort(), ['Key Vault Administrator', 'Owner']);
      assert.equal(admin?.rights.find((right) => right.role === 'Owner')?.grantsManagement, true);
    }
    const forbidden = await server.request('GET', `https://localhost:${server.port}/subscriptions/${subscriptionId}/resourceGroups/coffer/providers/Microsoft.KeyVault/vaults/${reviewed}/accessReview?api-version=2026-02-01`, {
      token: (await credentialOf(user).getToken(`https://localhost:${server.port}/.default`)).token,
    });
    assert.equal(forbidden.status, 403, 'a Secrets User may not see who else has access');
  });
});
