// The directory service over a real SQLite store (migrations included): applications and their credential holders,
// the service principal's lifecycle, group membership by object id, and the backfill of migration 0010.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { CofferError } from '../../errors.js';
import { createAccessControlStore } from '../../store/access-control.js';
import { createApplicationStore } from '../../store/applications.js';
import { createCertificateCredentialStore } from '../../store/certificate-credentials.js';
import { createFederatedCredentialStore } from '../../store/federated-credentials.js';
import { createIdentityStore } from '../../store/identities.js';
import { migrations } from '../../store/migrations/index.js';
import type { Db } from '../../store/open.js';
import { createPostgresKysely, createPostgresPool, postgresSchemaWords } from '../../store/postgres.js';
import { closeTestStore, createTestDatabase, openTestStore, testPostgresUrl } from '../../store/test-store.js';
import { createAccessService } from '../access/access-service.js';
import { createDirectoryService } from './directory-service.js';
import { createPrincipalService } from './principal-service.js';

const now = 1_800_000_000;
const clock = { nowMs: () => now * 1000 };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const graphError = (status: number, code: string) => (error: unknown) => error instanceof CofferError && error.status === status && error.code === code;

function servicesOver(db: Db) {
  const identities = createIdentityStore(db);
  const applications = createApplicationStore(db);
  const certificates = createCertificateCredentialStore(db);
  const principals = createPrincipalService({ identities, applications, certificates, federated: createFederatedCredentialStore(db), tenantId: 'tenant', clock });
  const access = createAccessService({ store: createAccessControlStore(db), identities, tenantId: 'tenant', clock });
  const directory = createDirectoryService({ applications, identities, certificates, principals, access, tenantId: 'tenant', clock });
  return { identities, principals, access, directory };
}

describe('the directory service', () => {
  let db: Db;
  let services: ReturnType<typeof servicesOver>;
  before(async () => {
    db = await openTestStore();
    services = servicesOver(db);
  });
  after(() => closeTestStore(db));

  it('registers an application with a credential holder that is not yet a service principal', async () => {
    const { directory, identities } = services;
    const view = await directory.createApplication({ displayName: 'payroll' });
    assert.match(view.application.objectId, GUID);
    assert.notEqual(view.holder.objectId, view.application.objectId);
    assert.equal(view.holder.hasServicePrincipal, false);
    assert.equal((await identities.getPrincipalByAppId(view.application.appId))?.hasServicePrincipal, false);
    await assert.rejects(directory.getServicePrincipal({ objectId: view.holder.objectId }), graphError(404, 'Request_ResourceNotFound'));
    assert.equal((await directory.listServicePrincipals()).some((principal) => principal.appId === view.application.appId), false);
  });

  it('keeps credentials added before the service principal exists, which then becomes the holder', async () => {
    const { directory } = services;
    const { application, holder } = await directory.createApplication({ displayName: 'early' });
    const { credential } = await directory.addPassword({ objectId: application.objectId }, { displayName: 'first' });
    const servicePrincipal = await directory.createServicePrincipal({ appId: application.appId });
    assert.equal(servicePrincipal.objectId, holder.objectId);
    assert.equal(servicePrincipal.hasServicePrincipal, undefined);
    assert.deepEqual((await directory.getApplication({ appId: application.appId })).secrets.map((secret) => secret.id), [credential.id]);
    await assert.rejects(directory.createServicePrincipal({ appId: application.appId }), graphError(409, 'Request_MultipleObjectsWithSameKeyValue'));
  });

  it('deleting a service principal moves the credentials to a new object id, drops its memberships, and a new one gets that id', async () => {
    const { directory, access, identities } = services;
    const { application } = await directory.createApplication({ displayName: 'rekeyed' });
    const { credential } = await directory.addPassword({ objectId: application.objectId }, {});
    const first = await directory.createServicePrincipal({ appId: application.appId });
    const group = await directory.createGroup({ displayName: 'readers', mailNickname: 'readers' });
    await directory.addGroupMember(group.id, first.objectId);

    await directory.deleteServicePrincipal({ objectId: first.objectId });
    assert.equal(await identities.getPrincipal(first.objectId), undefined);
    assert.deepEqual(await access.listMembers(group.id), []);
    const holder = await identities.getPrincipalByAppId(application.appId);
    assert.notEqual(holder?.objectId, first.objectId);
    assert.equal(holder?.hasServicePrincipal, false);
    assert.deepEqual((await directory.getApplication({ objectId: application.objectId })).secrets.map((secret) => secret.id), [credential.id]);

    const second = await directory.createServicePrincipal({ appId: application.appId, accountEnabled: false });
    assert.equal(second.objectId, holder?.objectId);
    assert.equal(second.enabled, false);
  });

  it('deleting an application removes its principal, credentials and memberships', async () => {
    const { directory, access, identities } = services;
    const { application } = await directory.createApplication({ displayName: 'gone' });
    await directory.addPassword({ objectId: application.objectId }, {});
    const servicePrincipal = await directory.createServicePrincipal({ appId: application.appId });
    const group = await directory.createGroup({ displayName: 'members', mailNickname: 'members' });
    await directory.addGroupMember(group.id, servicePrincipal.objectId);
    await directory.deleteApplication({ appId: application.appId });
    assert.equal(await identities.getPrincipal(servicePrincipal.objectId), undefined);
    assert.deepEqual(await identities.listClientSecrets(servicePrincipal.objectId), []);
    assert.deepEqual(await access.listMembers(group.id), []);
    await assert.rejects(directory.getApplication({ objectId: application.objectId }), graphError(404, 'Request_ResourceNotFound'));
  });

  it("refuses to delete the administrator's application or service principal", async () => {
    const { principals, directory } = services;
    const { principal } = await principals.createServicePrincipal({ displayName: 'administrator', isAdmin: true });
    await assert.rejects(directory.deleteApplication({ appId: principal.appId }), graphError(400, 'Request_BadRequest'));
    await assert.rejects(directory.deleteServicePrincipal({ objectId: principal.objectId }), graphError(400, 'Request_BadRequest'));
  });

  it('takes only service principals and groups as members, each once', async () => {
    const { directory } = services;
    const { application, holder } = await directory.createApplication({ displayName: 'candidate' });
    const group = await directory.createGroup({ displayName: 'g', mailNickname: 'g' });
    // Not a member before its service principal exists; the application's own id never is one.
    await assert.rejects(directory.addGroupMember(group.id, holder.objectId), graphError(404, 'Request_ResourceNotFound'));
    await assert.rejects(directory.addGroupMember(group.id, application.objectId), graphError(404, 'Request_ResourceNotFound'));
    await directory.createServicePrincipal({ appId: application.appId });
    await directory.addGroupMember(group.id, holder.objectId);
    await assert.rejects(directory.addGroupMember(group.id, holder.objectId), graphError(400, 'Request_BadRequest'));
    await assert.rejects(directory.addGroupMember(group.id, group.id), graphError(400, 'Request_BadRequest'));
    const inner = await directory.createGroup({ displayName: 'inner', mailNickname: 'inner' });
    await directory.addGroupMember(group.id, inner.id);
    assert.deepEqual((await directory.listGroupMembers(group.id)).map((member) => member.kind).sort(), ['group', 'servicePrincipal']);
    await assert.rejects(directory.removeGroupMember(group.id, application.objectId), graphError(404, 'Request_ResourceNotFound'));
  });

  it('refuses bad input before writing anything', async () => {
    const { directory } = services;
    const before = (await directory.listApplications()).length;
    for (const displayName of [undefined, '', '   ', 42, 'x'.repeat(257)]) {
      await assert.rejects(directory.createApplication({ displayName }), graphError(400, 'Request_BadRequest'));
    }
    await assert.rejects(directory.createApplication({ displayName: 'bad cert', keyCredentials: [{ key: Buffer.from('nope') }] }), graphError(400, 'Request_BadRequest'));
    await assert.rejects(directory.createApplication({ displayName: 'unknown keyId', keyCredentials: [{ keyId: '00000000-0000-4000-8000-000000000000' }] }), graphError(400, 'Request_BadRequest'));
    assert.equal((await directory.listApplications()).length, before);
    await assert.rejects(directory.getApplication({ objectId: 'not-a-guid' }), graphError(400, 'Request_BadRequest'));
    await assert.rejects(directory.createServicePrincipal({ appId: 'not-a-guid' }), graphError(400, 'Request_BadRequest'));
    const { application } = await directory.createApplication({ displayName: 'dates' });
    await assert.rejects(directory.addPassword({ objectId: application.objectId }, { endsAt: now - 1 }), graphError(400, 'Request_BadRequest'));
    await assert.rejects(directory.addPassword({ objectId: application.objectId }, { startsAt: now + 3600 }), graphError(400, 'Request_BadRequest'));
    assert.deepEqual((await directory.getApplication({ objectId: application.objectId })).secrets, []);
  });
});

describe('migration 0010', () => {
  it('gives every service principal made before it an application, and managed identities none', async () => {
    const { db, release } = await unmigratedDatabase();
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      assert.equal((await migrator.migrateTo('0009-credentials')).error, undefined);
      const row = (id: string, appId: string, kind: string) => ({
        id, tenant_id: 't', app_id: appId, display_name: `${kind}-${id}`, kind, is_admin: 0, trusted_service: 0, enabled: 1, created_at: 1_700_000_000,
      });
      await db.insertInto('principals').values([row('sp-1', 'app-1', 'servicePrincipal'), row('mi-1', 'app-2', 'managedIdentity')]).execute();
      assert.equal((await migrator.migrateTo('0010-directory')).error, undefined);
      const applications = await db.selectFrom('applications').selectAll().execute();
      assert.equal(applications.length, 1);
      assert.equal(applications[0]!.app_id, 'app-1');
      assert.equal(applications[0]!.display_name, 'servicePrincipal-sp-1');
      assert.notEqual(applications[0]!.id, 'sp-1');
      const flags = await db.selectFrom('principals').select(['id', 'has_service_principal']).orderBy('id').execute();
      assert.deepEqual(flags, [{ id: 'mi-1', has_service_principal: 1 }, { id: 'sp-1', has_service_principal: 1 }]);
    } finally {
      await release();
    }
  });
});

/** An empty database for migrations to run on step by step: a SQLite file, or one on COFFER_TEST_POSTGRES. */
async function unmigratedDatabase(): Promise<{ db: Kysely<any>; release(): Promise<void> }> {
  if (testPostgresUrl === undefined) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-migration-'));
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path.join(dir, 'coffer.db')) }) });
    return {
      db,
      async release() {
        await db.destroy();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createTestDatabase({ empty: true });
  const db = createPostgresKysely(createPostgresPool(database.url)).withPlugin(postgresSchemaWords) as Kysely<any>;
  return {
    db,
    async release() {
      await db.destroy();
      await database.drop();
    },
  };
}
