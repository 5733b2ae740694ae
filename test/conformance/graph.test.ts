// Microsoft Graph v1.0 (the directory subset: applications, servicePrincipals, groups) against a real Coffer, through
// the official @microsoft/microsoft-graph-client 3.0.7 (test/support/graph-client.ts: the client's own request
// building, authentication handler and error parsing; only its fetch is swapped for node:https to trust the test CA).
// What Graph manages is proved where it takes effect: a password added through Graph gets a vault token and, with a
// role, reads a secret; removing it or disabling the service principal refuses at once; group membership carries a
// group's role; federated and certificate credentials work with @azure/identity's credentials. Raw HTTPS only for
// what the client hides (tokens of other audiences).
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClientCertificateCredential, ClientSecretCredential, WorkloadIdentityCredential, type TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { Client } from '@microsoft/microsoft-graph-client';
import { decodeJwt } from 'jose';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { makeClientCertificate } from '../support/client-certificates.js';
import { GRAPH_SCOPE, graphClient } from '../support/graph-client.js';
import { startOidcIssuer, type TestIssuer } from '../support/oidc-issuer.js';
import { encodings, filesUnder } from '../support/scan-files.js';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

interface CliPrincipal {
  clientId: string;
  clientSecret: string;
  objectId: string;
}

/** A Graph client call that must fail with this status and Graph error code. */
async function rejectsGraph(promise: Promise<unknown>, status: number, code: string): Promise<any> {
  let caught: any;
  await assert.rejects(promise, (error: any) => {
    assert.equal(error?.statusCode, status, `expected ${status} ${code}, got ${error?.statusCode} ${error?.code}: ${error?.message}`);
    assert.equal(error.code, code, String(error?.message));
    caught = error;
    return true;
  });
  return caught;
}

describe('Microsoft Graph v1.0 directory', () => {
  let server: TestServer;
  let idp: TestIssuer;
  let admin: Client;
  let tempDir: string;
  let tokenUrl: string;
  let vaultScope: string;

  before(async () => {
    idp = await startOidcIssuer();
    // Debug logging, so that "never in the server's log" means something.
    server = await startServer({ env: { NODE_EXTRA_CA_CERTS: idp.caCertPath, COFFER_LOG_LEVEL: 'debug' } });
    admin = graphClient({ port: server.port, agent: server.agent, credential: server.credential() });
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-graph-'));
    tokenUrl = `https://localhost:${server.port}/${server.credentials.tenantId}/oauth2/v2.0/token`;
    vaultScope = `https://vault.localhost:${server.port}/.default`;
  });
  after(async () => {
    await server?.dispose();
    await idp?.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  const credentialOptions = () => ({ authorityHost: server.credentials.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: server.ca } }) as any;
  const secretCredential = (clientId: string, secret: string) => new ClientSecretCredential(server.credentials.tenantId, clientId, secret, credentialOptions());
  const secretClient = (credential: TokenCredential) =>
    new SecretClient(server.credentials.vaultUrl, credential, { disableChallengeResourceVerification: true, agent: server.agent, retryOptions: { maxRetries: 0 } } as any);
  const graphAs = (credential: TokenCredential) => graphClient({ port: server.port, agent: server.agent, credential });

  async function postToken(form: Record<string, string>, scope = vaultScope) {
    return server.request('POST', tokenUrl, {
      body: new URLSearchParams({ grant_type: 'client_credentials', scope, ...form }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  async function assignSecretsUser(objectId: string): Promise<void> {
    await server.cli('role', 'assignment', 'create', '--assignee', objectId, '--role', 'Key Vault Secrets User', '--vault', 'default');
  }

  /** A secret in the default vault, set by the administrator. */
  async function adminSecret(value: string): Promise<string> {
    const name = uniqueName('graph');
    await server.secretClient().setSecret(name, value);
    return name;
  }

  /** An application, its service principal and a password, all through Graph. */
  async function registeredApplication(displayName = uniqueName('app')) {
    const application = await admin.api('/applications').post({ displayName });
    const password = await admin.api(`/applications/${application.id}/addPassword`).post({ passwordCredential: { displayName: 'ci' } });
    const servicePrincipal = await admin.api('/servicePrincipals').post({ appId: application.appId });
    return { application, password, servicePrincipal };
  }

  describe('applications, service principals and passwords', () => {
    it('creates an application, adds a password and a service principal; the password gets a vault token that reads a secret once a role is assigned', async () => {
      const displayName = uniqueName('payroll-api');
      const application = await admin.api('/applications').post({ displayName });
      assert.match(application.id, GUID);
      assert.match(application.appId, GUID);
      assert.notEqual(application.id, application.appId);
      assert.equal(application.displayName, displayName);
      assert.equal(application.signInAudience, 'AzureADMyOrg');
      assert.ok(Math.abs(Date.parse(application.createdDateTime) - Date.now()) < 300_000);
      assert.deepEqual(application.passwordCredentials, []);
      assert.deepEqual(application.keyCredentials, []);
      assert.match(application['@odata.context'], /\$metadata#applications\/\$entity$/);

      const endDateTime = new Date(Date.now() + 30 * 86_400_000);
      endDateTime.setUTCMilliseconds(0);
      const password = await admin.api(`/applications/${application.id}/addPassword`).post({ passwordCredential: { displayName: 'deploy', endDateTime: endDateTime.toISOString() } });
      assert.match(password.keyId, GUID);
      assert.equal(typeof password.secretText, 'string');
      assert.ok(password.secretText.length >= 32);
      assert.equal(password.hint, password.secretText.slice(0, 3));
      assert.equal(password.displayName, 'deploy');
      assert.equal(Date.parse(password.endDateTime), endDateTime.getTime());

      // Added before the service principal exists: the application cannot get tokens yet, as in Entra.
      const early = await postToken({ client_id: application.appId, client_secret: password.secretText });
      assert.equal(early.status, 401, early.text);
      assert.deepEqual(early.json.error_codes, [7000229]);

      const servicePrincipal = await admin.api('/servicePrincipals').post({ appId: application.appId });
      assert.match(servicePrincipal.id, GUID);
      assert.notEqual(servicePrincipal.id, application.id);
      assert.equal(servicePrincipal.appId, application.appId);
      assert.equal(servicePrincipal.displayName, displayName);
      assert.equal(servicePrincipal.accountEnabled, true);
      assert.equal(servicePrincipal.servicePrincipalType, 'Application');
      assert.equal(servicePrincipal.appOwnerOrganizationId, server.credentials.tenantId);

      const credential = secretCredential(application.appId, password.secretText);
      const claims = decodeJwt((await credential.getToken(vaultScope)).token);
      assert.equal(claims.oid, servicePrincipal.id);
      assert.equal(claims.appid, application.appId);

      const name = await adminSecret('payroll-db-password');
      const client = secretClient(credential);
      await assert.rejects(client.getSecret(name), (error: any) => error.statusCode === 403);
      await assignSecretsUser(servicePrincipal.id);
      assert.equal((await client.getSecret(name)).value, 'payroll-db-password');
    });

    it('gets, lists and filters applications by id, appId and displayName; the secret text is never shown again', async () => {
      const { application, password } = await registeredApplication();
      const byId = await admin.api(`/applications/${application.id}`).get();
      const byAppId = await admin.api(`/applications(appId='${application.appId}')`).get();
      assert.equal(byId.id, application.id);
      assert.equal(byAppId.id, application.id);
      assert.deepEqual(
        byId.passwordCredentials.map((credential: any) => [credential.keyId, credential.hint, credential.displayName, credential.secretText]),
        [[password.keyId, password.hint, 'ci', null]],
      );
      const filtered = await admin.api('/applications').filter(`appId eq '${application.appId}'`).get();
      assert.deepEqual(filtered.value.map((item: any) => item.id), [application.id]);
      assert.match(filtered['@odata.context'], /\$metadata#applications$/);
      const byName = await admin.api('/applications').filter(`displayName eq '${application.displayName}'`).get();
      assert.deepEqual(byName.value.map((item: any) => item.id), [application.id]);
      const selected = await admin.api(`/applications/${application.id}`).select(['appId', 'displayName']).get();
      assert.deepEqual(Object.keys(selected).filter((key) => !key.startsWith('@')).sort(), ['appId', 'displayName']);
      const all = await admin.api('/applications').get();
      assert.ok(all.value.some((item: any) => item.id === application.id));
      assert.equal(JSON.stringify(all).includes(password.secretText), false);
    });

    it('pages a list with $top and @odata.nextLink', async () => {
      for (let i = 0; i < 3; i++) await admin.api('/applications').post({ displayName: uniqueName('paged') });
      const first = await admin.api('/applications').top(2).get();
      assert.equal(first.value.length, 2);
      assert.equal(typeof first['@odata.nextLink'], 'string');
      const second = await admin.api(first['@odata.nextLink']).get();
      assert.ok(second.value.length >= 1);
      assert.equal(second.value.some((item: any) => first.value.some((seen: any) => seen.id === item.id)), false);
    });

    it('updates an application (PATCH displayName) and lists and filters service principals', async () => {
      const { application, servicePrincipal } = await registeredApplication();
      await admin.api(`/applications/${application.id}`).patch({ displayName: `${application.displayName}-renamed`, description: 'payroll' });
      const changed = await admin.api(`/applications/${application.id}`).get();
      assert.equal(changed.displayName, `${application.displayName}-renamed`);
      assert.equal(changed.description, 'payroll');
      const byAppId = await admin.api(`/servicePrincipals(appId='${application.appId}')`).get();
      assert.equal(byAppId.id, servicePrincipal.id);
      assert.equal(byAppId.appDisplayName, `${application.displayName}-renamed`);
      const listed = await admin.api('/servicePrincipals').filter(`appId eq '${application.appId}'`).get();
      assert.deepEqual(listed.value.map((item: any) => item.id), [servicePrincipal.id]);
    });

    it('removePassword refuses that password at once, and keeps the others', async () => {
      const { application, password, servicePrincipal } = await registeredApplication();
      const second = await admin.api(`/applications/${application.id}/addPassword`).post({ passwordCredential: { displayName: 'second' } });
      assert.equal((await postToken({ client_id: application.appId, client_secret: password.secretText })).status, 200);
      await admin.api(`/applications/${application.id}/removePassword`).post({ keyId: password.keyId });
      const refused = await postToken({ client_id: application.appId, client_secret: password.secretText });
      assert.equal(refused.status, 401, refused.text);
      assert.deepEqual(refused.json.error_codes, [7000215]);
      await assert.rejects(secretCredential(application.appId, password.secretText).getToken(vaultScope), /7000215/);
      const kept = await secretCredential(application.appId, second.secretText).getToken(vaultScope);
      assert.equal(decodeJwt(kept.token).oid, servicePrincipal.id);
      const listed = await admin.api(`/applications/${application.id}`).get();
      assert.deepEqual(listed.passwordCredentials.map((credential: any) => credential.keyId), [second.keyId]);
    });

    it('PATCH servicePrincipal accountEnabled: false refuses the token it holds at once, and true lets it back in', async () => {
      const { password, servicePrincipal, application } = await registeredApplication();
      await assignSecretsUser(servicePrincipal.id);
      const name = await adminSecret('held-token');
      const client = secretClient(secretCredential(application.appId, password.secretText));
      assert.equal((await client.getSecret(name)).value, 'held-token');

      await admin.api(`/servicePrincipals/${servicePrincipal.id}`).patch({ accountEnabled: false });
      // The same client keeps presenting the token it already holds.
      await assert.rejects(client.getSecret(name), (error: any) => error.statusCode === 401);
      const refused = await postToken({ client_id: application.appId, client_secret: password.secretText });
      assert.deepEqual(refused.json.error_codes, [7000112], refused.text);
      assert.equal((await admin.api(`/servicePrincipals/${servicePrincipal.id}`).get()).accountEnabled, false);
      const cli = (await server.cli('principal', 'show', application.appId)) as { enabled: boolean };
      assert.equal(cli.enabled, false);

      await admin.api(`/servicePrincipals/${servicePrincipal.id}`).patch({ accountEnabled: true });
      assert.equal((await client.getSecret(name)).value, 'held-token');
    });

    it('deleting the service principal keeps the application and its passwords; a new one gets a new object id', async () => {
      const { application, password, servicePrincipal } = await registeredApplication();
      await admin.api(`/servicePrincipals/${servicePrincipal.id}`).delete();
      await rejectsGraph(admin.api(`/servicePrincipals/${servicePrincipal.id}`).get(), 404, 'Request_ResourceNotFound');
      const refused = await postToken({ client_id: application.appId, client_secret: password.secretText });
      assert.deepEqual(refused.json.error_codes, [7000229], refused.text);
      const kept = await admin.api(`/applications/${application.id}`).get();
      assert.deepEqual(kept.passwordCredentials.map((credential: any) => credential.keyId), [password.keyId]);

      const again = await admin.api('/servicePrincipals').post({ appId: application.appId });
      assert.notEqual(again.id, servicePrincipal.id);
      const token = await postToken({ client_id: application.appId, client_secret: password.secretText });
      assert.equal(token.status, 200, token.text);
      assert.equal(decodeJwt(token.json.access_token).oid, again.id);
    });

    it('deleting the application deletes its service principal and every credential', async () => {
      const { application, password, servicePrincipal } = await registeredApplication();
      await admin.api(`/applications(appId='${application.appId}')`).delete();
      await rejectsGraph(admin.api(`/applications/${application.id}`).get(), 404, 'Request_ResourceNotFound');
      await rejectsGraph(admin.api(`/servicePrincipals/${servicePrincipal.id}`).get(), 404, 'Request_ResourceNotFound');
      const refused = await postToken({ client_id: application.appId, client_secret: password.secretText });
      assert.deepEqual(refused.json.error_codes, [700016], refused.text);
    });

    it('shows principals made by `coffer principal create` as an application and its service principal, and the CLI sees what Graph adds', async () => {
      const created = (await server.cli('principal', 'create', uniqueName('cli-made'))) as CliPrincipal;
      const servicePrincipal = await admin.api(`/servicePrincipals(appId='${created.clientId}')`).get();
      assert.equal(servicePrincipal.id, created.objectId);
      const application = await admin.api(`/applications(appId='${created.clientId}')`).get();
      assert.notEqual(application.id, created.objectId);
      assert.equal(application.passwordCredentials.length, 1);
      const added = await admin.api(`/applications/${application.id}/addPassword`).post({});
      const listed = (await server.cli('principal', 'secret', 'list', created.clientId)) as Array<{ keyId: string }>;
      assert.ok(listed.some((secret) => secret.keyId === added.keyId));
      assert.equal(decodeJwt((await secretCredential(created.clientId, added.secretText).getToken(vaultScope)).token).oid, created.objectId);
      // The administrator created at first start is there too.
      const administrator = await admin.api(`/servicePrincipals(appId='${server.credentials.clientId}')`).get();
      assert.equal(administrator.accountEnabled, true);
    });
  });

  describe('certificate and federated credentials', () => {
    it('PATCH keyCredentials registers a certificate that ClientCertificateCredential signs with, and an empty list removes it', async () => {
      const { application, servicePrincipal } = await registeredApplication();
      const certificate = await makeClientCertificate();
      await admin.api(`/applications/${application.id}`).patch({
        keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: certificate.der.toString('base64'), displayName: 'signing' }],
      });
      const [keyCredential, ...rest] = (await admin.api(`/applications/${application.id}`).get()).keyCredentials;
      assert.equal(rest.length, 0);
      assert.equal(keyCredential.type, 'AsymmetricX509Cert');
      assert.equal(keyCredential.usage, 'Verify');
      assert.equal(keyCredential.displayName, 'signing');
      assert.equal(keyCredential.key, null);
      assert.equal(keyCredential.customKeyIdentifier, createHash('sha1').update(certificate.der).digest('base64'));

      const pemFile = path.join(tempDir, `${randomUUID()}.pem`);
      await writeFile(pemFile, `${certificate.keyPem}${certificate.certPem}`);
      const credential = new ClientCertificateCredential(server.credentials.tenantId, application.appId, { certificatePath: pemFile }, credentialOptions());
      assert.equal(decodeJwt((await credential.getToken(vaultScope)).token).oid, servicePrincipal.id);

      // Kept by its keyId alone, as a client echoing the collection sends it.
      await admin.api(`/applications/${application.id}`).patch({ keyCredentials: [{ keyId: keyCredential.keyId, type: 'AsymmetricX509Cert', usage: 'Verify' }] });
      assert.equal((await admin.api(`/applications/${application.id}`).get()).keyCredentials.length, 1);
      await admin.api(`/applications/${application.id}`).patch({ keyCredentials: [] });
      assert.deepEqual((await admin.api(`/applications/${application.id}`).get()).keyCredentials, []);
      const fresh = new ClientCertificateCredential(server.credentials.tenantId, application.appId, { certificatePath: pemFile }, credentialOptions());
      await assert.rejects(fresh.getToken(vaultScope), /700027/);
    });

    it('federatedIdentityCredentials made through Graph let WorkloadIdentityCredential in, and deleting one refuses it at once', async () => {
      const application = await admin.api('/applications').post({ displayName: uniqueName('federated') });
      const subject = 'system:serviceaccount:payments:api';
      const created = await admin.api(`/applications/${application.id}/federatedIdentityCredentials`).post({
        name: 'k8s-payments', issuer: idp.issuer, subject, audiences: [EXCHANGE_AUDIENCE], description: 'payments api',
      });
      assert.match(created.id, GUID);
      assert.equal(created.name, 'k8s-payments');
      assert.deepEqual(created.audiences, [EXCHANGE_AUDIENCE]);
      const servicePrincipal = await admin.api('/servicePrincipals').post({ appId: application.appId });

      const listed = await admin.api(`/applications/${application.id}/federatedIdentityCredentials`).get();
      assert.deepEqual(listed.value.map((item: any) => [item.name, item.issuer, item.subject]), [['k8s-payments', idp.issuer, subject]]);
      assert.equal((await admin.api(`/applications/${application.id}/federatedIdentityCredentials/k8s-payments`).get()).id, created.id);

      const tokenFile = path.join(tempDir, `${randomUUID()}.jwt`);
      await writeFile(tokenFile, await idp.sign({ sub: subject, aud: EXCHANGE_AUDIENCE }));
      const credential = new WorkloadIdentityCredential({ tenantId: server.credentials.tenantId, clientId: application.appId, tokenFilePath: tokenFile, ...credentialOptions() });
      assert.equal(decodeJwt((await credential.getToken(vaultScope)).token).oid, servicePrincipal.id);

      await admin.api(`/applications/${application.id}/federatedIdentityCredentials/${created.id}`).delete();
      const refused = await postToken({
        client_id: application.appId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await idp.sign({ sub: subject, aud: EXCHANGE_AUDIENCE }),
      });
      assert.deepEqual(refused.json.error_codes, [700211], refused.text);
    });
  });

  describe('groups and members', () => {
    it('a role assigned to a group reaches a service principal added through members/$ref, and leaves with it', async () => {
      const { application, password, servicePrincipal } = await registeredApplication();
      const group = await admin.api('/groups').post({ displayName: uniqueName('readers'), mailNickname: uniqueName('readers'), mailEnabled: false, securityEnabled: true });
      assert.match(group.id, GUID);
      assert.equal(group.securityEnabled, true);
      assert.equal(group.mailEnabled, false);
      await server.cli('role', 'assignment', 'create', '--assignee', group.id, '--role', 'Key Vault Secrets User', '--vault', 'default');
      const name = await adminSecret('through-a-group');
      const client = secretClient(secretCredential(application.appId, password.secretText));
      await assert.rejects(client.getSecret(name), (error: any) => error.statusCode === 403);

      // Any host in @odata.id, as clients write graph.microsoft.com.
      await admin.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${servicePrincipal.id}` });
      assert.equal((await client.getSecret(name)).value, 'through-a-group');
      const members = await admin.api(`/groups/${group.id}/members`).get();
      assert.deepEqual(members.value.map((member: any) => [member['@odata.type'], member.id, member.appId]), [['#microsoft.graph.servicePrincipal', servicePrincipal.id, application.appId]]);
      await rejectsGraph(
        admin.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${servicePrincipal.id}` }),
        400,
        'Request_BadRequest',
      );

      await admin.api(`/groups/${group.id}/members/${servicePrincipal.id}/$ref`).delete();
      await assert.rejects(client.getSecret(name), (error: any) => error.statusCode === 403);
      assert.deepEqual((await admin.api(`/groups/${group.id}/members`).get()).value, []);
    });

    it('nests groups, lists, filters and deletes them', async () => {
      const displayName = uniqueName('outer');
      const outer = await admin.api('/groups').post({ displayName, mailNickname: 'outer', mailEnabled: false, securityEnabled: true, description: 'outer group' });
      const inner = await admin.api('/groups').post({ displayName: uniqueName('inner'), mailNickname: 'inner', mailEnabled: false, securityEnabled: true });
      await admin.api(`/groups/${outer.id}/members/$ref`).post({ '@odata.id': `https://localhost/v1.0/groups/${inner.id}` });
      const members = await admin.api(`/groups/${outer.id}/members`).get();
      assert.deepEqual(members.value.map((member: any) => [member['@odata.type'], member.id]), [['#microsoft.graph.group', inner.id]]);
      assert.equal((await admin.api(`/groups/${outer.id}`).get()).description, 'outer group');
      const filtered = await admin.api('/groups').filter(`displayName eq '${displayName}'`).get();
      assert.deepEqual(filtered.value.map((group: any) => group.id), [outer.id]);
      await admin.api(`/groups/${outer.id}`).delete();
      await rejectsGraph(admin.api(`/groups/${outer.id}`).get(), 404, 'Request_ResourceNotFound');
    });
  });

  describe('authentication and rights', () => {
    it('refuses requests without a token, and vault and management tokens (401 InvalidAuthenticationToken)', async () => {
      const url = `https://localhost:${server.port}/v1.0/applications`;
      const none = await server.request('GET', url);
      assert.equal(none.status, 401);
      assert.equal(none.json.error.code, 'InvalidAuthenticationToken');
      assert.match(none.json.error.innerError['request-id'], GUID);
      for (const scope of [vaultScope, `https://localhost:${server.port}/.default`]) {
        const token = (await server.credential().getToken(scope)).token;
        const refused = await server.request('GET', url, { token });
        assert.equal(refused.status, 401, scope);
        assert.equal(refused.json.error.code, 'InvalidAuthenticationToken');
      }
      // And the other way round: a Graph token opens no vault.
      const graphToken = (await server.credential().getToken(GRAPH_SCOPE)).token;
      assert.equal(decodeJwt(graphToken).aud, 'https://graph.microsoft.com');
      const vault = await server.request('GET', `${server.credentials.vaultUrl}/secrets?api-version=7.5`, { token: graphToken });
      assert.equal(vault.status, 401);
      const management = await server.request('GET', `https://localhost:${server.port}/subscriptions?api-version=2022-12-01`, { token: graphToken });
      assert.equal(management.status, 401);
    });

    it('refuses a principal without directory rights (403 Authorization_RequestDenied); Reader may read only; Contributor may not write', async () => {
      const someone = (await server.cli('principal', 'create', uniqueName('no-rights'))) as CliPrincipal;
      const graph = graphAs(secretCredential(someone.clientId, someone.clientSecret));
      const before = (await admin.api('/applications').get()).value.length;
      const denied = await rejectsGraph(graph.api('/applications').get(), 403, 'Authorization_RequestDenied');
      assert.match(denied.message, /Microsoft\.Directory\/applications\/read/);
      await rejectsGraph(graph.api('/applications').post({ displayName: 'not allowed' }), 403, 'Authorization_RequestDenied');

      await server.cli('role', 'assignment', 'create', '--assignee', someone.objectId, '--role', 'Reader', '--scope', '/');
      assert.ok((await graph.api('/applications').get()).value.length >= before);
      await rejectsGraph(graph.api('/groups').post({ displayName: 'x', mailNickname: 'x', mailEnabled: false, securityEnabled: true }), 403, 'Authorization_RequestDenied');

      // Contributor holds every action but role assignment; a directory write would let it become Owner, so it may not.
      await server.cli('role', 'assignment', 'create', '--assignee', someone.objectId, '--role', 'Contributor', '--scope', '/');
      const escalation = await rejectsGraph(
        graph.api(`/applications(appId='${server.credentials.clientId}')/addPassword`).post({}),
        403,
        'Authorization_RequestDenied',
      );
      assert.match(escalation.message, /Microsoft\.Authorization\/roleAssignments\/write/);
      assert.equal((await admin.api('/applications').get()).value.length, before);
      assert.equal((await admin.api(`/applications(appId='${server.credentials.clientId}')`).get()).passwordCredentials.length, 1);
    });
  });

  describe('bad input', () => {
    it('answers Graph errors and changes nothing', async () => {
      const count = async (collection: string) => (await admin.api(collection).top(999).get()).value.length;
      const counts = { applications: await count('/applications'), servicePrincipals: await count('/servicePrincipals'), groups: await count('/groups') };
      const { application, servicePrincipal } = await registeredApplication();
      const group = await admin.api('/groups').post({ displayName: uniqueName('bad-input'), mailNickname: 'bad', mailEnabled: false, securityEnabled: true });
      const unknown = randomUUID();

      const missingName = await rejectsGraph(admin.api('/applications').post({}), 400, 'Request_BadRequest');
      assert.match(missingName.message, /displayName/);
      assert.match(missingName.requestId ?? '', GUID);
      await rejectsGraph(admin.api('/applications').post({ displayName: 'x', web: { redirectUris: ['https://x'] } }), 400, 'Request_BadRequest');
      await rejectsGraph(admin.api('/applications').post({ displayName: 'x', passwordCredentials: [{ displayName: 'no' }] }), 400, 'Request_BadRequest');
      await rejectsGraph(admin.api('/applications').post({ displayName: 'x', keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: Buffer.from('not a certificate').toString('base64') }] }), 400, 'Request_BadRequest');
      await rejectsGraph(admin.api(`/applications/${unknown}`).get(), 404, 'Request_ResourceNotFound');
      await rejectsGraph(admin.api(`/applications(appId='${unknown}')`).get(), 404, 'Request_ResourceNotFound');
      await rejectsGraph(admin.api('/applications/not-a-guid').get(), 400, 'Request_BadRequest');
      await rejectsGraph(admin.api(`/applications/${unknown}/addPassword`).post({}), 404, 'Request_ResourceNotFound');
      await rejectsGraph(admin.api(`/applications/${application.id}/addPassword`).post({ passwordCredential: { endDateTime: '2001-01-01T00:00:00Z' } }), 400, 'Request_BadRequest');
      await rejectsGraph(admin.api(`/applications/${application.id}/removePassword`).post({ keyId: unknown }), 404, 'Request_ResourceNotFound');
      await rejectsGraph(admin.api(`/applications/${application.id}`).patch({ displayName: '' }), 400, 'Request_BadRequest');
      await rejectsGraph(
        admin.api(`/applications/${application.id}/federatedIdentityCredentials`).post({ name: 'x', issuer: 'http://insecure', subject: 's', audiences: [EXCHANGE_AUDIENCE] }),
        400,
        'Request_BadRequest',
      );
      await rejectsGraph(admin.api('/applications').filter("startswith(displayName,'a')").get(), 400, 'Request_UnsupportedQuery');
      await rejectsGraph(admin.api('/servicePrincipals').post({ appId: unknown }), 400, 'Request_BadRequest');
      await rejectsGraph(admin.api('/servicePrincipals').post({ appId: application.appId }), 409, 'Request_MultipleObjectsWithSameKeyValue');
      await rejectsGraph(admin.api(`/servicePrincipals/${unknown}`).patch({ accountEnabled: false }), 404, 'Request_ResourceNotFound');
      await rejectsGraph(admin.api(`/servicePrincipals/${servicePrincipal.id}`).patch({ accountEnabled: 'no' }), 400, 'Request_BadRequest');
      await rejectsGraph(admin.api('/groups').post({ displayName: 'no nickname', mailEnabled: false, securityEnabled: true }), 400, 'Request_BadRequest');
      await rejectsGraph(admin.api('/groups').post({ displayName: 'mail', mailNickname: 'mail', mailEnabled: true, securityEnabled: false }), 400, 'Request_BadRequest');
      await rejectsGraph(admin.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': 'not a url' }), 400, 'Request_BadRequest');
      await rejectsGraph(admin.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/users` }), 400, 'Request_BadRequest');
      await rejectsGraph(admin.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${unknown}` }), 404, 'Request_ResourceNotFound');
      // An application is not a directory member; its service principal is.
      await rejectsGraph(admin.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${application.id}` }), 404, 'Request_ResourceNotFound');
      await rejectsGraph(admin.api(`/groups/${unknown}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${servicePrincipal.id}` }), 404, 'Request_ResourceNotFound');
      await rejectsGraph(admin.api(`/groups/${group.id}/members/${servicePrincipal.id}/$ref`).delete(), 404, 'Request_ResourceNotFound');
      await rejectsGraph(admin.api('/users').get(), 400, 'BadRequest');
      await rejectsGraph(admin.api(`/servicePrincipals(appId='${server.credentials.clientId}')`).delete(), 400, 'Request_BadRequest');

      const after = await admin.api(`/applications/${application.id}`).get();
      assert.equal(after.displayName, application.displayName);
      assert.equal(after.passwordCredentials.length, 1);
      assert.deepEqual(after.keyCredentials, []);
      assert.deepEqual((await admin.api(`/applications/${application.id}/federatedIdentityCredentials`).get()).value, []);
      assert.equal((await admin.api(`/servicePrincipals/${servicePrincipal.id}`).get()).accountEnabled, true);
      assert.deepEqual((await admin.api(`/groups/${group.id}/members`).get()).value, []);
      assert.equal(await count('/applications'), counts.applications + 1);
      assert.equal(await count('/servicePrincipals'), counts.servicePrincipals + 1);
      assert.equal(await count('/groups'), counts.groups + 1);
    });
  });

  describe('audit', () => {
    it('records every Graph request, and the secret text appears in no audit record, server log or file of the data directory', async () => {
      const { application, password } = await registeredApplication();
      await rejectsGraph(graphAs(secretCredential(application.appId, password.secretText)).api('/groups').get(), 403, 'Authorization_RequestDenied');

      const auditDir = path.join(server.dataDir, 'audit');
      const records: AuditEvent[] = [];
      for (const file of (await readdir(auditDir)).filter((name) => name.endsWith('.jsonl'))) {
        records.push(...(await readFile(path.join(auditDir, file), 'utf8')).split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AuditEvent));
      }
      const added = records.find((record) => record.operationName === 'ApplicationAddPassword' && record.properties.requestUri.includes(application.id));
      assert.ok(added, 'an ApplicationAddPassword record');
      assert.equal(added.resultType, 'Success');
      assert.equal(added.properties.isRbacAuthorized, true);
      assert.equal(added.identity?.claim.appid, server.credentials.clientId);
      assert.match(added.resourceId, /\/VAULTS\/$/);
      const denied = records.find((record) => record.operationName === 'GroupList' && record.identity?.claim.appid === application.appId);
      assert.ok(denied, 'a GroupList record for the refused caller');
      assert.equal(denied.resultSignature, 'Forbidden');
      assert.equal(denied.properties.isRbacAuthorized, false);
      for (const operation of ['ApplicationCreate', 'ServicePrincipalCreate']) assert.ok(records.some((record) => record.operationName === operation), operation);

      const secret = Buffer.from(password.secretText);
      assert.equal(server.output().includes(password.secretText), false, 'the server log');
      for (const { file, bytes } of await filesUnder(server.dataDir)) {
        for (const { how, needle } of encodings(secret)) assert.equal(bytes.indexOf(needle), -1, `${file} (${how})`);
      }
    });
  });
});
