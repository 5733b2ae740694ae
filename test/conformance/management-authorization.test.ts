// AuthorizationManagementClient (@azure/arm-authorization 9) against a real Coffer: role definitions and role
// assignments at every scope form through ARM's Microsoft.Authorization, with their effect seen on the data plane by
// the assignee's own SecretClient; custom roles; who may assign (Owner, User Access Administrator, Key Vault Data Access
// Administrator and its condition, not Contributor); just-in-time access through the PIM schedule requests, ended by
// the development clock; and bad input, refused in ARM's shape with nothing changed.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { startServer, type TestServer } from '../support/start-server.js';
import { collect } from '../support/waiting.js';

/** Azure's role definition GUIDs, written out here rather than read from Coffer's code. */
const ROLES = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  keyVaultAdministrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultReader: '21090545-7ca7-4776-b22c-e363652d74d2',
  keyVaultDataAccessAdministrator: '8b54135c-b56d-4d72-a534-26097cfdc8d8',
};
const BUILT_IN_NAMES: Record<string, string> = {
  [ROLES.owner]: 'Owner',
  [ROLES.contributor]: 'Contributor',
  [ROLES.reader]: 'Reader',
  [ROLES.userAccessAdministrator]: 'User Access Administrator',
  [ROLES.keyVaultAdministrator]: 'Key Vault Administrator',
  'a4417e6f-fecd-4de8-b567-7b0420556985': 'Key Vault Certificates Officer',
  'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba': 'Key Vault Certificate User',
  '14b46e9e-c2b7-41b4-b07b-48a6ebf60603': 'Key Vault Crypto Officer',
  'e147488a-f6f5-4113-8e2d-b22465e65bf6': 'Key Vault Crypto Service Encryption User',
  '08bbd89e-9f13-488c-ac41-acfcb10c90ab': 'Key Vault Crypto Service Release User',
  '12338af0-0e69-4776-bea7-57ae8d297424': 'Key Vault Crypto User',
  [ROLES.keyVaultReader]: 'Key Vault Reader',
  [ROLES.keyVaultSecretsOfficer]: 'Key Vault Secrets Officer',
  [ROLES.keyVaultSecretsUser]: 'Key Vault Secrets User',
  'f25e0fa2-a7c8-4377-a976-54943a77a395': 'Key Vault Contributor',
  [ROLES.keyVaultDataAccessAdministrator]: 'Key Vault Data Access Administrator',
  'a68e7c17-0ab2-4c09-9a58-125dae29748c': 'Key Vault Purge Operator',
};

interface Principal {
  clientId: string;
  clientSecret: string;
  objectId: string;
}

/** An SDK call that must fail with this HTTP status and ARM error code. */
async function rejectsArm(promise: Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error?.statusCode, status, `expected ${status} ${code}, got ${error?.statusCode} ${error?.code}: ${error?.message}`);
    assert.equal(error.code, code, String(error?.message));
    return true;
  });
}

/** A data-plane call that must be refused by RBAC. */
async function deniedByRbac(promise: Promise<unknown>, context: string): Promise<void> {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error?.statusCode, 403, `${context}: expected 403, got ${error?.statusCode} ${error?.message}`);
    return true;
  });
}

/** What one test needs from a running server: ARM clients per principal, principals, vaults. */
function harness(server: () => TestServer, subscription: () => string) {
  const endpoint = () => `https://localhost:${server().port}`;
  const h = {
    endpoint,
    client: (principal?: Principal) =>
      new AuthorizationManagementClient(server().credential(principal ?? {}), subscription(), {
        endpoint: endpoint(),
        tlsOptions: { ca: server().ca },
        retryOptions: { maxRetries: 0 },
      }),
    newPrincipal: async (name: string) => (await server().cli('principal', 'create', `${name}-${randomBytes(3).toString('hex')}`)) as Principal,
    newVault: async () => {
      const name = `az${randomBytes(5).toString('hex')}`;
      await server().cli('vault', 'create', name);
      return name;
    },
    vaultScope: (vault: string) => `/subscriptions/${subscription()}/resourceGroups/coffer/providers/Microsoft.KeyVault/vaults/${vault}`,
    roleId: (guid: string, scope = `/subscriptions/${subscription()}`) => `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
    secrets: (vault: string, principal: Principal) => server().secretClient({ vault, clientId: principal.clientId, clientSecret: principal.clientSecret }),
    /** An administrator assignment through the SDK, for setting up who may do what. */
    assign: async (scope: string, role: string, principal: Principal) =>
      h.client().roleAssignments.create(scope, randomUUID(), { roleDefinitionId: h.roleId(role), principalId: principal.objectId, principalType: 'ServicePrincipal' }),
    /** Every assignment naming this principal, as the administrator sees them from the root. */
    assignmentsOf: async (principal: Principal) => (await collect(h.client().roleAssignments.listForScope('/', { filter: `principalId eq '${principal.objectId}'` }))).map((a) => a.name).sort(),
  };
  return h;
}

async function subscriptionOf(server: TestServer): Promise<string> {
  const response = await server.request('GET', `https://localhost:${server.port}/subscriptions?api-version=2022-12-01`, {
    token: (await server.credential().getToken(`https://localhost:${server.port}/.default`)).token,
  });
  assert.equal(response.status, 200, `GET /subscriptions: ${response.status} ${response.text.slice(0, 300)}`);
  return response.json.value[0].subscriptionId as string;
}

describe('Microsoft.Authorization through AuthorizationManagementClient', () => {
  let server: TestServer;
  let subscriptionId: string;
  const h = harness(() => server, () => subscriptionId);

  before(async () => {
    server = await startServer();
    subscriptionId = await subscriptionOf(server);
  });
  after(() => server.dispose());

  describe('AuthorizationManagementClient.roleDefinitions', () => {
    it('lists every built-in role with Azure GUIDs and names, at the root and at a subscription', async () => {
      for (const scope of ['/', `/subscriptions/${subscriptionId}`]) {
        const roles = await collect(h.client().roleDefinitions.list(scope));
        for (const [guid, roleName] of Object.entries(BUILT_IN_NAMES)) {
          const role = roles.find((candidate) => candidate.name === guid);
          assert.ok(role, `${roleName} (${guid}) listed at ${scope}`);
          assert.equal(role.roleName, roleName);
          assert.equal(role.roleType, 'BuiltInRole');
          assert.equal(role.type, 'Microsoft.Authorization/roleDefinitions');
          assert.equal(role.id, h.roleId(guid, scope));
          assert.deepEqual(role.assignableScopes, ['/']);
        }
      }
      const secretsUser = (await collect(h.client().roleDefinitions.list('/'))).find((role) => role.name === ROLES.keyVaultSecretsUser)!;
      assert.deepEqual(secretsUser.permissions, [
        { actions: [], notActions: [], dataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'], notDataActions: [] },
      ]);
    });

    it("filters by roleName eq and type eq, and gets one by id or by ARM id", async () => {
      const byName = await collect(h.client().roleDefinitions.list('/', { filter: "roleName eq 'Key Vault Secrets User'" }));
      assert.deepEqual(byName.map((role) => role.name), [ROLES.keyVaultSecretsUser]);
      const custom = await collect(h.client().roleDefinitions.list('/', { filter: "type eq 'CustomRole'" }));
      assert.ok(custom.every((role) => role.roleType === 'CustomRole'));
      const got = await h.client().roleDefinitions.get(`/subscriptions/${subscriptionId}`, ROLES.owner);
      assert.equal(got.roleName, 'Owner');
      assert.equal(got.id, `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLES.owner}`);
      assert.equal((await h.client().roleDefinitions.getById(`/providers/Microsoft.Authorization/roleDefinitions/${ROLES.reader}`)).roleName, 'Reader');
      await rejectsArm(h.client().roleDefinitions.get('/', randomUUID()), 404, 'RoleDefinitionDoesNotExist');
    });

    it('creates a custom role that works on the data plane, refuses to delete it while assigned, then deletes it', async () => {
      const vault = await h.newVault();
      const admin = server.secretClient({ vault });
      await admin.setSecret('readable', 'r-value');
      const subscriptionScope = `/subscriptions/${subscriptionId}`;
      const roleGuid = randomUUID();
      const roleName = `Secret reader ${roleGuid.slice(0, 8)}`;
      const created = await h.client().roleDefinitions.createOrUpdate(subscriptionScope, roleGuid, {
        roleName,
        description: 'reads secret values and nothing else',
        roleType: 'CustomRole',
        permissions: [{ actions: [], notActions: [], dataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action'], notDataActions: [] }],
        assignableScopes: [subscriptionScope],
      });
      assert.equal(created.name, roleGuid);
      assert.equal(created.roleType, 'CustomRole');
      assert.equal(created.roleName, roleName);
      const listed = await collect(h.client().roleDefinitions.list(subscriptionScope, { filter: `roleName eq '${roleName}'` }));
      assert.deepEqual(listed.map((role) => role.name), [roleGuid]);

      const app = await h.newPrincipal('custom-role');
      await deniedByRbac(h.secrets(vault, app).getSecret('readable'), 'before the assignment');
      const assignment = await h.client().roleAssignments.create(h.vaultScope(vault), randomUUID(), {
        roleDefinitionId: created.id!, principalId: app.objectId, principalType: 'ServicePrincipal',
      });
      assert.equal((await h.secrets(vault, app).getSecret('readable')).value, 'r-value');
      await deniedByRbac(h.secrets(vault, app).setSecret('readable', 'changed'), 'a write the custom role does not grant');

      await rejectsArm(h.client().roleDefinitions.delete(subscriptionScope, roleGuid), 409, 'RoleDefinitionHasAssignments');
      await h.client().roleAssignments.delete(h.vaultScope(vault), assignment.name!);
      const deleted = await h.client().roleDefinitions.delete(subscriptionScope, roleGuid);
      assert.equal(deleted.name, roleGuid);
      await rejectsArm(h.client().roleDefinitions.get(subscriptionScope, roleGuid), 404, 'RoleDefinitionDoesNotExist');
      await rejectsArm(h.client().roleDefinitions.delete(subscriptionScope, ROLES.owner), 400, 'RoleDefinitionNotEditable');
    });
  });

  describe('AuthorizationManagementClient.roleAssignments', () => {
    it('creates an assignment the data plane honours at once, reads it every way, and deletes it with the denial at once', async () => {
      const vault = await h.newVault();
      await server.secretClient({ vault }).setSecret('db-password', 'hunter2');
      const app = await h.newPrincipal('web-app');
      const secrets = h.secrets(vault, app);
      await deniedByRbac(secrets.getSecret('db-password'), 'before the assignment');

      const scope = h.vaultScope(vault);
      const name = randomUUID();
      const created = await h.client().roleAssignments.create(scope, name, {
        roleDefinitionId: h.roleId(ROLES.keyVaultSecretsUser), principalId: app.objectId, principalType: 'ServicePrincipal', description: 'reads the db password',
      });
      assert.equal(created.id, `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`);
      assert.equal(created.name, name);
      assert.equal(created.type, 'Microsoft.Authorization/roleAssignments');
      assert.equal(created.scope, scope);
      assert.equal(created.roleDefinitionId, `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLES.keyVaultSecretsUser}`);
      assert.equal(created.principalId, app.objectId);
      assert.equal(created.principalType, 'ServicePrincipal');
      assert.equal(created.description, 'reads the db password');
      assert.ok(created.createdOn instanceof Date && !Number.isNaN(created.createdOn.getTime()));

      assert.equal((await secrets.getSecret('db-password')).value, 'hunter2');

      assert.equal((await h.client().roleAssignments.get(scope, name)).principalId, app.objectId);
      assert.equal((await h.client().roleAssignments.getById(created.id!)).name, name);
      const atVault = await collect(h.client().roleAssignments.listForScope(scope, { filter: 'atScope()' }));
      assert.ok(atVault.some((a) => a.name === name), 'listForScope atScope() at the vault');
      // The administrator's own assignments at the root are above every scope.
      assert.ok(atVault.some((a) => a.scope === '/' && a.roleDefinitionId === `/providers/Microsoft.Authorization/roleDefinitions/${ROLES.owner}`), 'root assignments are listed above');
      const below = await collect(h.client().roleAssignments.listForScope(`/subscriptions/${subscriptionId}`, { filter: 'atScope()' }));
      assert.ok(!below.some((a) => a.name === name), 'atScope() leaves out what is below the scope');
      const forSubscription = await collect(h.client().roleAssignments.listForSubscription({ filter: `principalId eq '${app.objectId}'` }));
      assert.deepEqual(forSubscription.map((a) => a.name), [name]);
      assert.ok((await collect(h.client().roleAssignments.listForResourceGroup('coffer'))).some((a) => a.name === name));
      assert.ok((await collect(h.client().roleAssignments.listForResource('coffer', 'Microsoft.KeyVault', 'vaults', vault))).some((a) => a.name === name));

      const deleted = await h.client().roleAssignments.delete(scope, name);
      assert.equal(deleted.name, name);
      await deniedByRbac(secrets.getSecret('db-password'), 'right after the deletion');
      await rejectsArm(h.client().roleAssignments.get(scope, name), 404, 'RoleAssignmentNotFound');
      // Deleting what is not there answers 204, which the SDK returns as an empty result.
      await h.client().roleAssignments.delete(scope, name);
    });

    it('assigns at the root scope, which @azure/arm-authorization sends as ///providers/…', async () => {
      const vault = await h.newVault();
      const app = await h.newPrincipal('root-reader');
      const name = randomUUID();
      const created = await h.client().roleAssignments.create('/', name, {
        roleDefinitionId: h.roleId(ROLES.keyVaultReader, '/'), principalId: app.objectId, principalType: 'ServicePrincipal',
      });
      assert.equal(created.id, `/providers/Microsoft.Authorization/roleAssignments/${name}`);
      assert.equal(created.scope, '/');
      assert.equal(created.roleDefinitionId, `/providers/Microsoft.Authorization/roleDefinitions/${ROLES.keyVaultReader}`);
      assert.ok((await collect(h.client().roleAssignments.listForScope('/', { filter: 'atScope()' }))).some((a) => a.name === name));
      // A reader sees secrets' metadata in every vault, not their values.
      assert.deepEqual(await collect(h.secrets(vault, app).listPropertiesOfSecrets()), []);
      await deniedByRbac(h.secrets(vault, app).getSecret('anything'), 'a reader reading a value');
      assert.equal((await h.client().roleAssignments.delete('/', name)).name, name);
      await deniedByRbac(collect(h.secrets(vault, app).listPropertiesOfSecrets()), 'after the root assignment is gone');
    });

    it('assigns on one secret only', async () => {
      const vault = await h.newVault();
      const admin = server.secretClient({ vault });
      await admin.setSecret('mine', 'm');
      await admin.setSecret('theirs', 't');
      const app = await h.newPrincipal('one-secret');
      const scope = `${h.vaultScope(vault)}/secrets/mine`;
      const created = await h.assign(scope, ROLES.keyVaultSecretsUser, app);
      assert.equal(created.scope, scope);
      assert.equal((await h.secrets(vault, app).getSecret('mine')).value, 'm');
      await deniedByRbac(h.secrets(vault, app).getSecret('theirs'), 'another secret');
      assert.ok((await collect(h.client().roleAssignments.listForScope(h.vaultScope(vault)))).some((a) => a.name === created.name), 'listed below the vault');
    });

    it('accepts the same assignment again under its name, and refuses to change it', async () => {
      const app = await h.newPrincipal('idempotent');
      const vault = await h.newVault();
      const scope = h.vaultScope(vault);
      const name = randomUUID();
      const parameters = { roleDefinitionId: h.roleId(ROLES.keyVaultSecretsUser), principalId: app.objectId, principalType: 'ServicePrincipal' };
      const first = await h.client().roleAssignments.create(scope, name, parameters);
      const again = await h.client().roleAssignments.create(scope, name, parameters);
      assert.equal(again.name, first.name);
      assert.equal(again.createdOn?.getTime(), first.createdOn?.getTime());
      await rejectsArm(h.client().roleAssignments.create(scope, name, { ...parameters, roleDefinitionId: h.roleId(ROLES.keyVaultSecretsOfficer) }), 400, 'RoleAssignmentUpdateNotPermitted');
      await rejectsArm(h.client().roleAssignments.create(`/subscriptions/${subscriptionId}`, name, parameters), 400, 'RoleAssignmentUpdateNotPermitted');
      assert.deepEqual(await h.assignmentsOf(app), [name]);
      assert.equal((await h.client().roleAssignments.get(scope, name)).roleDefinitionId?.endsWith(ROLES.keyVaultSecretsUser), true);
    });

    it('refuses bad input with ARM errors and changes nothing', async () => {
      const app = await h.newPrincipal('bad-input');
      const vault = await h.newVault();
      const scope = h.vaultScope(vault);
      const existing = await h.assign(scope, ROLES.keyVaultReader, app);
      const before = await h.assignmentsOf(app);
      const create = (target: string, parameters: Partial<{ roleDefinitionId: string; principalId: string }>, name = randomUUID()) =>
        h.client().roleAssignments.create(target, name, {
          roleDefinitionId: h.roleId(ROLES.keyVaultSecretsUser), principalId: app.objectId, principalType: 'ServicePrincipal', ...parameters,
        });
      await rejectsArm(create(scope, { roleDefinitionId: h.roleId(randomUUID()) }), 400, 'RoleDefinitionDoesNotExist');
      await rejectsArm(create(`/subscriptions/not-a-subscription/resourceGroups/coffer`, {}), 400, 'InvalidRoleAssignmentScope');
      await rejectsArm(create(`${scope}/widgets/w1`, {}), 400, 'InvalidRoleAssignmentScope');
      await rejectsArm(create(scope, { principalId: randomUUID() }), 400, 'PrincipalNotFound');
      // A client id is not an object id.
      await rejectsArm(create(scope, { principalId: app.clientId }), 400, 'PrincipalNotFound');
      await rejectsArm(create(scope, { roleDefinitionId: h.roleId(ROLES.keyVaultReader) }), 409, 'RoleAssignmentExists');
      await rejectsArm(create(scope, {}, 'not-a-guid' as ReturnType<typeof randomUUID>), 400, 'InvalidRoleAssignmentId');
      await rejectsArm(
        h.client().roleAssignments.create(scope, randomUUID(), {
          roleDefinitionId: h.roleId(ROLES.keyVaultSecretsUser), principalId: app.objectId, condition: "@Resource[Microsoft.KeyVault/vaults/secrets:name] StringEquals 'x'", conditionVersion: '2.0',
        }),
        400,
        'InvalidCondition',
      );
      await rejectsArm(h.client().roleAssignments.get(`/subscriptions/${subscriptionId}`, existing.name!), 404, 'RoleAssignmentNotFound');
      const raw = await server.request('PUT', `${h.endpoint()}${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=2022-04-01`, {
        token: (await server.credential().getToken(`${h.endpoint()}/.default`)).token,
        body: { properties: { principalId: app.objectId } },
      });
      assert.equal(raw.status, 400);
      assert.equal(raw.json.error.code, 'BadRequest');
      assert.equal(raw.json.error.target, 'properties.roleDefinitionId');
      const unsupported = await server.request('GET', `${h.endpoint()}${scope}/providers/Microsoft.Authorization/roleAssignments?api-version=2019-01-01`, {
        token: (await server.credential().getToken(`${h.endpoint()}/.default`)).token,
      });
      assert.equal(unsupported.status, 400);
      assert.equal(unsupported.json.error.code, 'InvalidApiVersionParameter');
      assert.deepEqual(await h.assignmentsOf(app), before);
    });
  });

  describe('who may assign roles', () => {
    it('refuses a Contributor (403 AuthorizationFailed) and lets a User Access Administrator assign at its scope only', async () => {
      const vault = await h.newVault();
      const scope = h.vaultScope(vault);
      const contributor = await h.newPrincipal('contributor');
      const userAccessAdmin = await h.newPrincipal('uaa');
      const target = await h.newPrincipal('target');
      await h.assign(`/subscriptions/${subscriptionId}`, ROLES.contributor, contributor);
      await h.assign(scope, ROLES.userAccessAdministrator, userAccessAdmin);
      const parameters = { roleDefinitionId: h.roleId(ROLES.keyVaultSecretsUser), principalId: target.objectId, principalType: 'ServicePrincipal' };

      await assert.rejects(h.client(contributor).roleAssignments.create(scope, randomUUID(), parameters), (error: any) => {
        assert.equal(error.statusCode, 403);
        assert.equal(error.code, 'AuthorizationFailed');
        assert.match(error.message, /Microsoft\.Authorization\/roleAssignments\/write/);
        return true;
      });
      // Contributor reads assignments (it has */read), and cannot delete one.
      assert.ok(Array.isArray(await collect(h.client(contributor).roleAssignments.listForScope(scope))));

      const made = await h.client(userAccessAdmin).roleAssignments.create(scope, randomUUID(), parameters);
      assert.equal(made.createdBy, userAccessAdmin.objectId);
      await rejectsArm(h.client(contributor).roleAssignments.delete(scope, made.name!), 403, 'AuthorizationFailed');
      await rejectsArm(h.client(userAccessAdmin).roleAssignments.create(`/subscriptions/${subscriptionId}`, randomUUID(), parameters), 403, 'AuthorizationFailed');
      assert.equal((await h.client(userAccessAdmin).roleAssignments.delete(scope, made.name!)).name, made.name);
      assert.deepEqual(await h.assignmentsOf(target), []);
    });

    it('lets a Key Vault Data Access Administrator assign and remove Key Vault data roles, and no others', async () => {
      const vault = await h.newVault();
      const scope = h.vaultScope(vault);
      await server.secretClient({ vault }).setSecret('s', 'v');
      const dataAccessAdmin = await h.newPrincipal('kv-daa');
      const target = await h.newPrincipal('daa-target');
      await h.assign(scope, ROLES.keyVaultDataAccessAdministrator, dataAccessAdmin);
      const as = h.client(dataAccessAdmin).roleAssignments;
      const parameters = (role: string) => ({ roleDefinitionId: h.roleId(role), principalId: target.objectId, principalType: 'ServicePrincipal' });

      const allowed = await as.create(scope, randomUUID(), parameters(ROLES.keyVaultSecretsUser));
      assert.equal((await h.secrets(vault, target).getSecret('s')).value, 'v');
      for (const role of [ROLES.owner, ROLES.userAccessAdministrator, ROLES.contributor, ROLES.keyVaultDataAccessAdministrator]) {
        await rejectsArm(as.create(scope, randomUUID(), parameters(role)), 403, 'AuthorizationFailed');
      }
      // Nor above the vault it was given.
      await rejectsArm(as.create(`/subscriptions/${subscriptionId}`, randomUUID(), parameters(ROLES.keyVaultSecretsUser)), 403, 'AuthorizationFailed');
      // An Owner assignment someone else made at the vault cannot be removed by it; its own Key Vault one can.
      const owner = await h.assign(scope, ROLES.owner, target);
      await rejectsArm(as.delete(scope, owner.name!), 403, 'AuthorizationFailed');
      assert.equal((await as.delete(scope, allowed.name!)).name, allowed.name);
      await deniedByRbac(h.secrets(vault, target).getSecret('s'), 'after its removal');
      assert.deepEqual(await h.assignmentsOf(target), [owner.name].sort());
    });
  });
});

describe('Just-in-time access through the PIM schedule requests', () => {
  let server: TestServer;
  let subscriptionId: string;
  const h = harness(() => server, () => subscriptionId);

  before(async () => {
    server = await startServer({ args: ['--dev-clock'] });
    subscriptionId = await subscriptionOf(server);
  });
  after(() => server.dispose());

  async function advanceClock(seconds: number): Promise<void> {
    const response = await server.request('POST', `${server.vaultUrl()}/_coffer/dev/clock?api-version=7.5`, { token: await server.adminToken(), body: { advanceSeconds: seconds } });
    assert.equal(response.status, 200, response.text);
  }

  async function auditRecords(operationName: string): Promise<AuditEvent[]> {
    const dir = path.join(server.dataDir, 'audit');
    const records: AuditEvent[] = [];
    for (const file of await readdir(dir)) {
      for (const line of (await readFile(path.join(dir, file), 'utf8')).split('\n')) {
        if (line.includes(`"${operationName}"`)) records.push(JSON.parse(line) as AuditEvent);
      }
    }
    return records;
  }

  it('makes a principal eligible, lets it activate with a justification, and denies again once the activation ends', async () => {
    const vault = await h.newVault();
    await server.secretClient({ vault }).setSecret('break-glass', 'b-value');
    const scope = h.vaultScope(vault);
    const oncall = await h.newPrincipal('on-call');
    const secrets = h.secrets(vault, oncall);

    const eligibilityName = randomUUID();
    const eligible = await h.client().roleEligibilityScheduleRequests.create(scope, eligibilityName, {
      principalId: oncall.objectId,
      roleDefinitionId: h.roleId(ROLES.keyVaultSecretsUser),
      requestType: 'AdminAssign',
      justification: 'on-call rota',
      scheduleInfo: { startDateTime: new Date(), expiration: { type: 'AfterDuration', duration: 'P30D' } },
    });
    assert.equal(eligible.status, 'Provisioned');
    assert.equal(eligible.type, 'Microsoft.Authorization/RoleEligibilityScheduleRequests');
    assert.equal(eligible.requestType, 'AdminAssign');
    assert.equal(eligible.principalId, oncall.objectId);
    assert.equal((await h.client().roleEligibilityScheduleRequests.get(scope, eligibilityName)).name, eligibilityName);
    // Eligible is not active.
    await deniedByRbac(secrets.getSecret('break-glass'), 'eligible but not activated');

    // The eligible principal finds its eligibility itself (asTarget() needs no read rights).
    const mine = await collect(h.client(oncall).roleEligibilitySchedules.listForScope(scope, { filter: 'asTarget()' }));
    assert.equal(mine.length, 1);
    const schedule = mine[0]!;
    assert.equal(schedule.id, eligible.targetRoleEligibilityScheduleId);
    assert.equal(schedule.status, 'Provisioned');
    assert.ok(schedule.endDateTime instanceof Date && schedule.endDateTime.getTime() > Date.now() + 29 * 86_400_000);

    const activation = (name: string, extra: Record<string, unknown> = {}) =>
      h.client(oncall).roleAssignmentScheduleRequests.create(scope, name, {
        principalId: oncall.objectId,
        roleDefinitionId: h.roleId(ROLES.keyVaultSecretsUser),
        requestType: 'SelfActivate',
        linkedRoleEligibilityScheduleId: schedule.id,
        justification: 'incident 4711',
        scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT1H' } },
        ...extra,
      });
    await rejectsArm(activation(randomUUID(), { justification: '' }), 400, 'JustificationRule');
    await rejectsArm(activation(randomUUID(), { scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT9H' } } }), 400, 'RoleAssignmentRequestPolicyValidationFailed');
    await rejectsArm(activation(randomUUID(), { scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'one hour' } } }), 400, 'BadRequest');
    await deniedByRbac(secrets.getSecret('break-glass'), 'after refused activations');

    const requestName = randomUUID();
    const activated = await activation(requestName);
    assert.equal(activated.status, 'Provisioned');
    assert.equal(activated.requestType, 'SelfActivate');
    assert.equal(activated.justification, 'incident 4711');
    assert.equal(activated.scheduleInfo?.expiration?.duration, 'PT1H');
    assert.equal(activated.linkedRoleEligibilityScheduleId, schedule.id);
    assert.equal((await secrets.getSecret('break-glass')).value, 'b-value');
    // A second activation of the same role while one is active is refused.
    await rejectsArm(activation(randomUUID()), 409, 'RoleAssignmentExists');

    const active = await collect(h.client(oncall).roleAssignmentScheduleInstances.listForScope(scope, { filter: 'asTarget()' }));
    const instance = active.find((candidate) => candidate.assignmentType === 'Activated');
    assert.ok(instance, 'the activation is listed as an active instance');
    assert.ok(instance.endDateTime instanceof Date && instance.startDateTime instanceof Date);
    assert.equal(instance.endDateTime.getTime() - instance.startDateTime.getTime(), 3_600_000);
    assert.ok((await collect(h.client().roleAssignmentSchedules.listForScope(scope))).some((candidate) => candidate.name === requestName && candidate.assignmentType === 'Activated'));
    // It is an ordinary role assignment meanwhile, visible to ARM's role assignment API.
    assert.ok((await collect(h.client().roleAssignments.listForScope(scope, { filter: `principalId eq '${oncall.objectId}'` }))).some((a) => a.name === requestName));

    // The activation is audited by name, with the assignment it made.
    const [record] = (await auditRecords('RoleAssignmentSelfActivate')).filter((event) => event.properties.id.endsWith(requestName));
    assert.ok(record, 'an audit record names the activation');
    assert.equal(record.resultType, 'Success');
    assert.equal(record.identity?.claim.oid, oncall.objectId);
    assert.equal(record.properties.id, `${scope}/providers/Microsoft.Authorization/roleAssignments/${requestName}`);

    // The object clock passes the end: denied at once, and no longer listed as active.
    await advanceClock(2 * 3600);
    await deniedByRbac(secrets.getSecret('break-glass'), 'after the activation ended');
    const after = await collect(h.client(oncall).roleAssignmentScheduleInstances.listForScope(scope, { filter: 'asTarget()' }));
    assert.ok(!after.some((candidate) => candidate.name === requestName));

    // It can be activated again, and ended early by SelfDeactivate.
    await activation(randomUUID());
    assert.equal((await secrets.getSecret('break-glass')).value, 'b-value');
    const deactivated = await h.client(oncall).roleAssignmentScheduleRequests.create(scope, randomUUID(), {
      principalId: oncall.objectId, roleDefinitionId: h.roleId(ROLES.keyVaultSecretsUser), requestType: 'SelfDeactivate',
    });
    assert.equal(deactivated.status, 'Revoked');
    await deniedByRbac(secrets.getSecret('break-glass'), 'after SelfDeactivate');
    assert.equal((await auditRecords('RoleAssignmentSelfDeactivate')).length, 1);
  });

  it('lets only the eligible principal activate, and only an assigner make eligibilities', async () => {
    const vault = await h.newVault();
    const scope = h.vaultScope(vault);
    const eligible = await h.newPrincipal('eligible');
    const other = await h.newPrincipal('other');
    const eligibility = await h.client().roleEligibilityScheduleRequests.create(scope, randomUUID(), {
      principalId: eligible.objectId, roleDefinitionId: h.roleId(ROLES.keyVaultSecretsOfficer), requestType: 'AdminAssign',
      scheduleInfo: { expiration: { type: 'NoExpiration' } },
    });
    const request = { roleDefinitionId: h.roleId(ROLES.keyVaultSecretsOfficer), requestType: 'SelfActivate', linkedRoleEligibilityScheduleId: eligibility.targetRoleEligibilityScheduleId, justification: 'x' };
    // Another principal can neither use the eligibility for itself nor activate in the eligible one's name.
    await rejectsArm(h.client(other).roleAssignmentScheduleRequests.create(scope, randomUUID(), { ...request, principalId: other.objectId }), 404, 'RoleEligibilityScheduleNotFound');
    await rejectsArm(h.client(other).roleAssignmentScheduleRequests.create(scope, randomUUID(), { ...request, principalId: eligible.objectId }), 403, 'AuthorizationFailed');
    // Nor make itself eligible, nor list others' eligibilities.
    await rejectsArm(
      h.client(other).roleEligibilityScheduleRequests.create(scope, randomUUID(), { principalId: other.objectId, roleDefinitionId: h.roleId(ROLES.keyVaultSecretsOfficer), requestType: 'AdminAssign' }),
      403,
      'AuthorizationFailed',
    );
    await rejectsArm(collect(h.client(other).roleEligibilitySchedules.listForScope(scope)), 403, 'AuthorizationFailed');
    assert.deepEqual(await collect(h.client(other).roleEligibilitySchedules.listForScope(scope, { filter: 'asTarget()' })), []);
    assert.deepEqual(await h.assignmentsOf(other), []);
    // A provisioned request is not pending, so it cannot be cancelled; AdminRemove ends the eligibility.
    await rejectsArm(h.client().roleEligibilityScheduleRequests.cancel(scope, eligibility.name!), 400, 'InvalidRequestState');
    const removed = await h.client().roleEligibilityScheduleRequests.create(scope, randomUUID(), {
      principalId: eligible.objectId, roleDefinitionId: h.roleId(ROLES.keyVaultSecretsOfficer), requestType: 'AdminRemove',
    });
    assert.equal(removed.status, 'Revoked');
    await rejectsArm(h.client(eligible).roleAssignmentScheduleRequests.create(scope, randomUUID(), { ...request, principalId: eligible.objectId }), 404, 'RoleEligibilityScheduleNotFound');
  });
});
