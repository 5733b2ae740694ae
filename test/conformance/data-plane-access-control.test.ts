// The vault's own role assignments and definitions on the vault host, in the shape Azure serves on Managed HSM
// (`/{scope}/providers/Microsoft.Authorization/…`, api-version 7.x) and KeyVaultAccessControlClient
// (@azure/keyvault-admin) sends. That package cannot be installed here, so these requests are written the way its
// generated client builds them: `/{scope}` with the scope unencoded, hence `//providers/…` for '/' and
// `//keys/providers/…` for '/keys'. On `localhost` the same paths are ARM's root scope; the api-version decides.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startServer, type RawResponse, type TestServer } from '../support/start-server.js';

const API = 'api-version=7.5';
const SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const DATA_ACCESS_ADMINISTRATOR = '8b54135c-b56d-4d72-a534-26097cfdc8d8';

interface Principal {
  clientId: string;
  clientSecret: string;
  objectId: string;
}

describe('KeyVaultAccessControlClient shape on the vault host', () => {
  let server: TestServer;
  let subscriptionId: string;
  let vault: string;
  let adminToken: string;

  const vaultBase = () => `https://${vault}.vault.localhost:${server.port}`;
  const tokenOf = async (principal?: Principal) =>
    (await server.credential(principal ?? {}).getToken(`https://vault.localhost:${server.port}/.default`)).token;
  /** `scopeAndPath` starts with the scope ('/', '/keys', '/secrets/NAME'), so the URL has the SDK's double slash; a $filter is percent-encoded. */
  const call = (token: string, method: string, scopeAndPath: string, body?: unknown, base = vaultBase()) =>
    server.request(method, `${base}/${scopeAndPath.replace(/ /g, '%20').replace(/'/g, '%27')}${scopeAndPath.includes('?') ? '&' : '?'}${API}`, {
      token, ...(body === undefined ? {} : { body }),
    });
  const newPrincipal = async (name: string) => (await server.cli('principal', 'create', `${name}-${randomBytes(3).toString('hex')}`)) as Principal;
  const vaultScope = () => `/subscriptions/${subscriptionId}/resourceGroups/coffer/providers/Microsoft.KeyVault/vaults/${vault}`;
  const secretOf = (principal: Principal, name: string) => server.secretClient({ vault, clientId: principal.clientId, clientSecret: principal.clientSecret }).getSecret(name);

  function assertStatus(response: RawResponse, status: number, context: string): void {
    assert.equal(response.status, status, `${context}: ${response.status} ${response.text.slice(0, 400)}`);
  }

  before(async () => {
    server = await startServer();
    vault = `ac${randomBytes(5).toString('hex')}`;
    await server.cli('vault', 'create', vault);
    const subscriptions = await server.request('GET', `https://localhost:${server.port}/subscriptions?api-version=2022-12-01`, {
      token: (await server.credential().getToken(`https://localhost:${server.port}/.default`)).token,
    });
    subscriptionId = subscriptions.json.value[0].subscriptionId;
    adminToken = await tokenOf();
    const admin = server.secretClient({ vault });
    await admin.setSecret('mine', 'm-value');
    await admin.setSecret('theirs', 't-value');
  });
  after(() => server.dispose());

  it('listRoleDefinitions and getRoleDefinition: the built-in roles, as Managed HSM names them', async () => {
    const list = await call(adminToken, 'GET', '/providers/Microsoft.Authorization/roleDefinitions');
    assertStatus(list, 200, 'list');
    const secretsUser = list.json.value.find((role: any) => role.name === SECRETS_USER);
    assert.ok(secretsUser, 'Key Vault Secrets User is listed');
    assert.equal(secretsUser.id, `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${SECRETS_USER}`);
    assert.equal(secretsUser.type, 'Microsoft.Authorization/roleDefinitions');
    assert.equal(secretsUser.properties.roleName, 'Key Vault Secrets User');
    assert.equal(secretsUser.properties.type, 'AKVBuiltInRole');
    assert.deepEqual(secretsUser.properties.assignableScopes, ['/']);
    const filtered = await call(adminToken, 'GET', "/keys/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName eq 'Key Vault Secrets User'");
    assert.deepEqual(filtered.json.value.map((role: any) => role.name), [SECRETS_USER]);
    const one = await call(adminToken, 'GET', `/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`);
    assertStatus(one, 200, 'get');
    assert.equal(one.json.properties.roleName, 'Owner');
    assertStatus(await call(adminToken, 'GET', `/providers/Microsoft.Authorization/roleDefinitions/${randomUUID()}`), 404, 'unknown role');
  });

  it('createRoleAssignment at the vault: the data plane honours it, get and list show it, delete returns it and denies at once', async () => {
    const app = await newPrincipal('kvac-app');
    await assert.rejects(secretOf(app, 'mine'), (error: any) => error.statusCode === 403);
    const name = randomUUID();
    const roleDefinitionId = `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${SECRETS_USER}`;
    const created = await call(adminToken, 'PUT', `/providers/Microsoft.Authorization/roleAssignments/${name}`, { properties: { roleDefinitionId, principalId: app.objectId } });
    assertStatus(created, 201, 'create');
    assert.deepEqual(created.json, {
      id: `/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: { scope: '/', roleDefinitionId, principalId: app.objectId },
    });
    assert.equal((await secretOf(app, 'mine')).value, 'm-value');

    assert.deepEqual((await call(adminToken, 'GET', `/providers/Microsoft.Authorization/roleAssignments/${name}`)).json, created.json);
    const listed = await call(adminToken, 'GET', `/providers/Microsoft.Authorization/roleAssignments?$filter=principalId eq '${app.objectId}'`);
    assert.deepEqual(listed.json.value, [created.json]);
    // The same assignment, seen through ARM at the vault's scope.
    const arm = await server.request('GET', `https://localhost:${server.port}${vaultScope()}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`, {
      token: (await server.credential().getToken(`https://localhost:${server.port}/.default`)).token,
    });
    assertStatus(arm, 200, 'ARM view');
    assert.equal(arm.json.properties.scope, vaultScope());

    const deleted = await call(adminToken, 'DELETE', `/providers/Microsoft.Authorization/roleAssignments/${name}`);
    assertStatus(deleted, 200, 'delete');
    assert.deepEqual(deleted.json, created.json);
    await assert.rejects(secretOf(app, 'mine'), (error: any) => error.statusCode === 403);
    const gone = await call(adminToken, 'GET', `/providers/Microsoft.Authorization/roleAssignments/${name}`);
    assertStatus(gone, 404, 'after delete');
    assert.equal(gone.json.error.code, 'RoleAssignmentNotFound');
  });

  it('assigns on one secret (scope /secrets/NAME)', async () => {
    const app = await newPrincipal('kvac-one');
    const name = randomUUID();
    const created = await call(adminToken, 'PUT', `/secrets/mine/providers/Microsoft.Authorization/roleAssignments/${name}`, {
      properties: { roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${SECRETS_USER}`, principalId: app.objectId },
    });
    assertStatus(created, 201, 'create');
    assert.equal(created.json.properties.scope, '/secrets/mine');
    assert.equal(created.json.id, `/secrets/mine/providers/Microsoft.Authorization/roleAssignments/${name}`);
    assert.equal((await secretOf(app, 'mine')).value, 'm-value');
    await assert.rejects(secretOf(app, 'theirs'), (error: any) => error.statusCode === 403);
    // Listed below the vault, left out by atScope() at the vault.
    const all = await call(adminToken, 'GET', '/providers/Microsoft.Authorization/roleAssignments');
    assert.ok(all.json.value.some((assignment: any) => assignment.name === name));
    const atVault = await call(adminToken, 'GET', '/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()');
    assert.ok(!atVault.json.value.some((assignment: any) => assignment.name === name));
  });

  it('is authorized by control-plane rights at the vault: denied without them, and limited by the Data Access Administrator condition', async () => {
    const nobody = await newPrincipal('kvac-nobody');
    const target = await newPrincipal('kvac-target');
    const body = (role: string) => ({ properties: { roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${role}`, principalId: target.objectId } });
    const denied = await call(await tokenOf(nobody), 'PUT', `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`, body(SECRETS_USER));
    assertStatus(denied, 403, 'no rights');
    assert.equal(denied.json.error.code, 'Forbidden');
    assert.equal(denied.json.error.innererror.code, 'ForbiddenByRbac');
    assert.match(denied.json.error.message, /Action: 'Microsoft\.Authorization\/roleAssignments\/write'/);
    assertStatus(await call(await tokenOf(nobody), 'GET', '/providers/Microsoft.Authorization/roleAssignments'), 403, 'no read rights');

    const dataAccessAdmin = await newPrincipal('kvac-daa');
    assertStatus(
      await call(adminToken, 'PUT', `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`, {
        properties: { roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${DATA_ACCESS_ADMINISTRATOR}`, principalId: dataAccessAdmin.objectId },
      }),
      201,
      'make a Data Access Administrator',
    );
    const daaToken = await tokenOf(dataAccessAdmin);
    const allowed = await call(daaToken, 'PUT', `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`, body(SECRETS_USER));
    assertStatus(allowed, 201, 'a Key Vault data role');
    const refused = await call(daaToken, 'PUT', `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`, body(OWNER));
    assertStatus(refused, 403, 'Owner');
    assert.equal(refused.json.error.innererror.code, 'ForbiddenByRbac');
    assertStatus(await call(daaToken, 'DELETE', `/providers/Microsoft.Authorization/roleAssignments/${allowed.json.name}`), 200, 'remove its own');
    // Data rights never include these: a Key Vault Administrator holds every data action, and no role-assignment right.
    const dataAdmin = await newPrincipal('kvac-kvadmin');
    await call(adminToken, 'PUT', `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`, {
      properties: { roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/00482a5a-887f-4fb3-b363-3b7fe8e74483', principalId: dataAdmin.objectId },
    });
    assertStatus(await call(await tokenOf(dataAdmin), 'PUT', `/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`, body(SECRETS_USER)), 403, 'Key Vault Administrator');
  });

  it('refuses bad input and changes nothing', async () => {
    const app = await newPrincipal('kvac-bad');
    const put = (body: unknown, name: string = randomUUID()) => call(adminToken, 'PUT', `/providers/Microsoft.Authorization/roleAssignments/${name}`, body);
    const role = `/providers/Microsoft.Authorization/roleDefinitions/${SECRETS_USER}`;
    const unknownPrincipal = await put({ properties: { roleDefinitionId: role, principalId: randomUUID() } });
    assertStatus(unknownPrincipal, 400, 'unknown principal');
    assert.equal(unknownPrincipal.json.error.code, 'PrincipalNotFound');
    const unknownRole = await put({ properties: { roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${randomUUID()}`, principalId: app.objectId } });
    assertStatus(unknownRole, 400, 'unknown role');
    assert.equal(unknownRole.json.error.code, 'RoleDefinitionDoesNotExist');
    assertStatus(await put({ properties: { roleDefinitionId: role, principalId: app.objectId } }, 'not-a-guid'), 400, 'name not a GUID');
    assertStatus(await put({ roleDefinitionId: role }), 400, 'no properties');
    const listed = await call(adminToken, 'GET', `/providers/Microsoft.Authorization/roleAssignments?$filter=principalId eq '${app.objectId}'`);
    assert.deepEqual(listed.json.value, []);
  });

  it("shares its paths with ARM's root scope on localhost: the api-version decides, and each refuses the other's token", async () => {
    const managementToken = (await server.credential().getToken(`https://localhost:${server.port}/.default`)).token;
    const base = `https://localhost:${server.port}`;
    // The default vault's own assignments (none at the vault itself).
    const dataPlane = await call(adminToken, 'GET', '/providers/Microsoft.Authorization/roleAssignments', undefined, base);
    assertStatus(dataPlane, 200, 'data plane on localhost');
    assert.ok(dataPlane.json.value.every((assignment: any) => !assignment.id.startsWith('/subscriptions/')));
    // ARM at the root: the administrator's own root assignments.
    const arm = await server.request('GET', `${base}///providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=atScope()`, { token: managementToken });
    assertStatus(arm, 200, 'ARM on localhost');
    assert.ok(arm.json.value.some((assignment: any) => assignment.properties.scope === '/' && assignment.properties.roleDefinitionId === `/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`));
    const vaultTokenOnArm = await server.request('GET', `${base}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`, { token: adminToken });
    assertStatus(vaultTokenOnArm, 401, 'vault token on ARM');
    assert.equal(vaultTokenOnArm.json.error.code, 'InvalidAuthenticationTokenAudience');
    assertStatus(await call(managementToken, 'GET', '/providers/Microsoft.Authorization/roleAssignments', undefined, base), 401, 'management token on the data plane');
  });
});
