// store/copy.ts: a SQLite store with a row in every table (secrets with versions, a deleted secret, a principal…)
// copied into an empty store — PostgreSQL when COFFER_TEST_POSTGRES is set, else another SQLite file — arrives row
// for row; a store that holds data is refused; a failure part way leaves the target empty; every table the
// migrations create is copied or excluded on purpose.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { locationIdentity, parseStoreLocation, runStoreCopy } from '../cli/store-commands.js';
import { createEnvelope } from '../crypto/envelope.js';
import { createPrincipalService } from '../domain/identities/principal-service.js';
import { createSecretService } from '../domain/secrets/secret-service.js';
import { createVaultService } from '../domain/vaults/vault-service.js';
import { StartupError } from '../errors.js';
import { createApplicationStore } from './applications.js';
import { createCertificateCredentialStore } from './certificate-credentials.js';
import { COPIED_TABLES, copyStore, EXCLUDED_TABLES, listTables, openAuditFile, unknownTables, type AuditFile } from './copy.js';
import { createFederatedCredentialStore } from './federated-credentials.js';
import { createIdentityStore } from './identities.js';
import { createMetaStore } from './meta.js';
import { createObjectStore } from './objects.js';
import { openPostgresStore, openSqliteStore, type Db } from './open.js';
import { createTestDatabase, testPostgresUrl } from './test-store.js';
import { createVaultStore } from './vaults.js';

const clock = { nowMs: () => Date.UTC(2026, 10, 23, 5, 0, 0) };
const now = Math.floor(clock.nowMs() / 1000);
const subscriptionId = '00000000-0000-0000-0000-0000000000aa';

interface Side {
  db: Db;
  auditFile: AuditFile | undefined;
  close(): Promise<void>;
}

let dir: string;

async function sqliteSide(name: string): Promise<Side> {
  await mkdir(path.join(dir, name), { recursive: true });
  const db = await openSqliteStore({ file: path.join(dir, name, 'coffer.db') });
  const auditFile = openAuditFile(path.join(dir, name, 'audit.db'), { create: true });
  return { db, auditFile, close: async () => void (await Promise.all([db.destroy(), auditFile?.destroy()])) };
}

/** The target: PostgreSQL (audit records in the store) when COFFER_TEST_POSTGRES is set, else SQLite with audit.db. */
async function targetSide(): Promise<Side> {
  if (testPostgresUrl === undefined) return sqliteSide('target');
  const database = await createTestDatabase();
  const db = await openPostgresStore({ url: database.url });
  return {
    db,
    auditFile: undefined,
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
}

/** A source with at least one row in every copied table, made through the domain services where they exist. */
async function fill(db: Db, auditFile: AuditFile): Promise<{ deletedSecret: string }> {
  const envelope = createEnvelope({ masterKey: randomBytes(32) });
  const meta = createMetaStore(db);
  await meta.insertMetaOnce('master_key_check', envelope.createMasterKeyCheck());
  const tenantId = await meta.insertMetaOnce('tenant_id', randomUUID());
  await meta.insertMetaOnce('subscription_id', subscriptionId);

  const vaults = createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 90, subscriptionId });
  const vault = await vaults.createVault({ name: 'payroll' });
  await vaults.createVault({ name: 'other', retentionDays: 7, purgeProtection: true });
  const secrets = createSecretService({ objects: createObjectStore(db), envelope, clock });
  for (let i = 0; i < 5; i++) await secrets.setSecret(vault, 'db-password', { value: `value ${i}`, contentType: i % 2 ? 'text/plain' : undefined, tags: i === 3 ? { env: 'prod' } : undefined });
  await secrets.setSecret(vault, 'api-key', { value: 'k1' });
  await secrets.setSecret(vault, 'old', { value: 'gone 1' });
  await secrets.setSecret(vault, 'old', { value: 'gone 2' });
  await secrets.deleteSecret(vault, 'old');

  const principals = createPrincipalService({
    identities: createIdentityStore(db),
    applications: createApplicationStore(db),
    certificates: createCertificateCredentialStore(db),
    federated: createFederatedCredentialStore(db),
    tenantId,
    clock,
  });
  const { principal } = await principals.createServicePrincipal({ displayName: 'app one', isAdmin: false });
  await principals.createServicePrincipal({ displayName: 'admin', isAdmin: true, isTrustedService: true });

  // The tables without a convenient service here: representative rows, bytes and nulls included.
  const key = (await db.selectFrom('objects').select('id').where('name_key', '=', 'api-key').executeTakeFirstOrThrow()).id;
  const bytes = (n: number) => randomBytes(n);
  await db.insertInto('signing_keys').values([
    { kid: 'kid-1', sealed_private_key: bytes(600), public_jwk: '{"kty":"RSA"}', created_at: now, retired_at: null },
    { kid: 'kid-0', sealed_private_key: bytes(600), public_jwk: '{"kty":"RSA"}', created_at: now - 100, retired_at: now },
  ]).execute();
  await db.insertInto('used_assertions').values({ key: 'ab'.repeat(32), expires_at: now + 600 }).execute();
  await db.insertInto('rotation_policies').values({
    vault_id: vault.id, name_key: 'api-key', object_id: key, policy: '{"lifetimeActions":[]}', created_at: now, updated_at: now,
    next_rotate_at: now + 86_400, next_notify_at: null, notified_version: null, basis_version: 'abc', basis_expires: null, basis_enabled: 1,
  }).execute();
  await db.insertInto('event_outbox').values({ id: randomUUID(), vault_id: vault.id, event_type: 'Microsoft.KeyVault.SecretNewVersionCreated', subject: 'api-key', data: '{}', created_at: now, delivered_at: null }).execute();
  await db.insertInto('certificate_contacts').values({ vault_id: vault.id, contacts: '[{"email":"a@example.com"}]', updated_at: now }).execute();
  await db.insertInto('certificate_issuers').values({
    vault_id: vault.id, name_key: 'digicert', name: 'DigiCert', id: randomUUID(), provider: 'DigiCert', account_id: 'acct', sealed_password: bytes(40),
    org_details: null, enabled: 1, created_at: now, updated_at: now,
  }).execute();
  await db.insertInto('certificate_policies').values({ vault_id: vault.id, name_key: 'web', policy: '{}', created_at: now, updated_at: now }).execute();
  await db.insertInto('certificate_operations').values({
    vault_id: vault.id, name_key: 'web', name: 'Web', request_id: randomUUID(), status: 'inProgress', status_details: null, issuer_name: 'Unknown',
    csr: bytes(300), cancellation_requested: 0, error: null, version: 'ab'.repeat(16), policy: '{}', version_attributes: '{}', sealed_key: bytes(1200),
    created_at: now, updated_at: now,
  }).execute();
  await db.insertInto('certificate_authorities').values({ vault_id: vault.id, certificate: bytes(800), sealed_key: bytes(1200), created_at: now }).execute();
  await db.insertInto('certificate_credentials').values({
    id: randomUUID(), principal_id: principal.objectId, display_name: null, certificate: bytes(700), thumbprint_sha1: 'AA', thumbprint_sha256: 'BB',
    not_before: now, not_after: now + 1000, created_at: now,
  }).execute();
  await db.insertInto('federated_credentials').values({
    id: randomUUID(), principal_id: principal.objectId, name: 'gh', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:x', audiences: '["api://AzureADTokenExchange"]',
    description: null, created_at: now,
  }).execute();
  const identity = randomUUID();
  await db.insertInto('principals').values({
    id: identity, tenant_id: tenantId, app_id: randomUUID(), display_name: 'mi', kind: 'managedIdentity', is_admin: 0, trusted_service: 0, enabled: 1, created_at: now, has_service_principal: 1,
  }).execute();
  await db.insertInto('managed_identities').values({ principal_id: identity, header_lookup_id: 'lookup', header_hash: 'hash', imds_addresses: '[]', created_at: now, updated_at: now }).execute();
  await db.insertInto('user_assigned_identities').values({
    principal_id: identity, subscription_id: subscriptionId, resource_group: 'RG', resource_group_key: 'rg', name: 'MI', name_key: 'mi', location: 'westeurope',
    tags: '{}', isolation_scope: null, created_by: null, updated_by: null, created_at: now, updated_at: now,
  }).execute();
  const group = randomUUID();
  await db.insertInto('groups').values({ id: group, tenant_id: tenantId, display_name: 'ops', description: null, mail_nickname: 'ops', created_at: now }).execute();
  await db.insertInto('group_members').values([
    { group_id: group, member_id: principal.objectId, created_at: now },
    { group_id: group, member_id: identity, created_at: now },
  ]).execute();
  const role = randomUUID();
  await db.insertInto('role_definitions').values({ id: role, role_name: 'Reader of things', description: '', permissions: '[]', assignable_scopes: '["/"]', created_at: now, updated_at: now, created_by: null }).execute();
  const assignment = (over: { expires_at: number | null; max_activation_seconds: number | null }) => ({
    id: randomUUID(), scope: '/Vaults/Payroll', scope_key: '/vaults/payroll', role_definition_id: role, principal_id: principal.objectId, principal_type: 'ServicePrincipal',
    description: null, created_at: now, created_by: null, eligibility_id: null, justification: null, ...over,
  });
  await db.insertInto('role_assignments').values(assignment({ expires_at: now + 3600, max_activation_seconds: null })).execute();
  await db.insertInto('role_eligibilities').values(assignment({ expires_at: null, max_activation_seconds: 3600 })).execute();

  // Audit records: a few in the store's own table (before audit.db existed), more in audit.db, ids overlapping.
  const record = (i: number) => ({ time: new Date(clock.nowMs() + i * 1000).toISOString(), vault_name: 'payroll', operation_name: 'SecretGet', http_status: 200, caller_oid: i % 2 ? null : principal.objectId, record: `{"n":${i}}` });
  await db.insertInto('audit_events').values([record(0), record(1)]).execute();
  for (let i = 2; i < 9; i++) await auditFile.insertInto('audit_events').values(record(i)).execute();
  return { deletedSecret: 'old' };
}

/** A table's rows in key order, sorted here: PostgreSQL's collation may order text unlike SQLite. */
async function rowsOf(db: Kysely<any>, table: string, key: readonly string[]): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = await db.selectFrom(table).selectAll().execute();
  const compare = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);
  return rows.sort((a, b) => key.reduce((order, column) => order || compare(a[column], b[column]), 0));
}

async function counts(db: Db): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of [...COPIED_TABLES.map((t) => t.name), 'audit_events'] as const) {
    result[table] = Number((await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  }
  return result;
}

describe('store copy', () => {
  let source: Side;
  let target: Side;
  let deletedSecret: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-copy-'));
    source = await sqliteSide('source');
    ({ deletedSecret } = await fill(source.db, source.auditFile!));
    target = await targetSide();
  });
  afterEach(async () => {
    await source.close();
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('copies every table row for row, bytes as bytes, ids kept, and the audit records in order', async () => {
    for (const table of COPIED_TABLES) {
      assert.ok((await rowsOf(source.db, table.name, table.key)).length > 0, `the source has rows in ${table.name}`);
    }
    const { tables } = await copyStore({ from: source, to: target, batchSize: 2 });

    for (const table of COPIED_TABLES) {
      const expected = await rowsOf(source.db, table.name, table.key);
      assert.deepEqual(await rowsOf(target.db, table.name, table.key), expected, table.name);
      assert.equal(tables[table.name], expected.length, `count printed for ${table.name}`);
    }
    const deleted = await target.db.selectFrom('objects').selectAll().where('name_key', '=', deletedSecret).executeTakeFirstOrThrow();
    assert.notEqual(deleted.deleted_at, null, 'the deleted secret is still deleted');
    assert.ok(Buffer.isBuffer((await target.db.selectFrom('vaults').select('wrapped_key').executeTakeFirstOrThrow()).wrapped_key));

    // The store's two old records keep their ids; audit.db's, which began at 1 again, follow them in order.
    const sourceAudit = [...(await rowsOf(source.db, 'audit_events', ['id'])), ...(await rowsOf(source.auditFile!, 'audit_events', ['id']))];
    const targetAudit = await rowsOf(target.auditFile ?? target.db, 'audit_events', ['id']);
    assert.equal(tables.audit_events, 9);
    assert.deepEqual(targetAudit.map((row) => row.record), sourceAudit.map((row) => row.record));
    assert.deepEqual(targetAudit.map((row) => row.id), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(targetAudit.map(({ id: _id, ...rest }) => rest), sourceAudit.map(({ id: _id, ...rest }) => rest));

    // And back (PostgreSQL → SQLite when COFFER_TEST_POSTGRES is set): the same rows again, audit records in audit.db.
    const back = await sqliteSide('back');
    try {
      await copyStore({ from: target, to: back, batchSize: 3 });
      for (const table of COPIED_TABLES) {
        assert.deepEqual(await rowsOf(back.db, table.name, table.key), await rowsOf(source.db, table.name, table.key), `${table.name} after the way back`);
      }
      assert.deepEqual(await rowsOf(back.auditFile!, 'audit_events', ['id']), targetAudit);
      assert.equal((await rowsOf(back.db, 'audit_events', ['id'])).length, 0, "a SQLite target's audit records go to audit.db");
    } finally {
      await back.close();
    }

    // New rows after the copy do not collide with copied ids (PostgreSQL: the serial sequence was moved on).
    const auditTarget = (target.auditFile ?? target.db) as Kysely<any>;
    const { id } = await auditTarget
      .insertInto('audit_events')
      .values({ time: 't', vault_name: 'v', operation_name: 'o', http_status: 200, caller_oid: null, record: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    assert.equal(Number(id), 10);
  });

  it('refuses a target that already holds data, and writes nothing into it', async () => {
    await copyStore({ from: source, to: target });
    const before = await counts(target.db);
    await source.db.insertInto('server_meta').values({ key: 'extra', value: 'x' }).execute();
    await assert.rejects(copyStore({ from: source, to: target }), (error: Error) => error instanceof StartupError && /already holds data \(table server_meta\)/.test(error.message));
    assert.deepEqual(await counts(target.db), before);
  });

  it('refuses a target that holds only a vault, or only audit records', async () => {
    const other = await sqliteSide('other');
    try {
      await other.auditFile!.insertInto('audit_events').values({ time: 't', vault_name: 'v', operation_name: 'o', http_status: 200, caller_oid: null, record: '{}' }).execute();
      await assert.rejects(copyStore({ from: source, to: other }), /already holds data \(audit records in audit\.db\)/);
    } finally {
      await other.close();
    }
    await target.db.insertInto('vaults').values({
      id: 'v1', name: 'x', created_at: now, retention_days: 90, purge_protection: 0, wrapped_key: Buffer.from('k'), subscription_id: subscriptionId,
      resource_group: 'coffer', location: 'local', settings: '{}', updated_at: now, deleted_at: null, scheduled_purge_at: null,
    }).execute();
    await assert.rejects(copyStore({ from: source, to: target }), /already holds data \(table vaults\)/);
  });

  it('refuses a source that holds no Coffer data', async () => {
    const empty = await sqliteSide('empty');
    try {
      await assert.rejects(copyStore({ from: empty, to: target }), /source store holds no Coffer data/);
    } finally {
      await empty.close();
    }
  });

  it('leaves the target empty when a table fails part way', async () => {
    // The last table refuses its rows: everything before it was already inserted in the same transaction.
    if (testPostgresUrl === undefined) {
      await sql`create trigger refuse before insert on role_eligibilities begin select raise(abort, 'refused by test'); end`.execute(target.db);
    } else {
      await sql`create function refuse() returns trigger language plpgsql as $$ begin raise exception 'refused by test'; end $$`.execute(target.db);
      await sql`create trigger refuse before insert on role_eligibilities for each row execute function refuse()`.execute(target.db);
    }
    await assert.rejects(copyStore({ from: source, to: target, batchSize: 3 }), /refused by test/);
    const after = await counts(target.db);
    assert.deepEqual(Object.entries(after).filter(([, n]) => n > 0), [], 'no rows in the target');
    if (target.auditFile) assert.equal((await rowsOf(target.auditFile, 'audit_events', ['id'])).length, 0);
  });
});

describe('store copy covers every table the migrations create', () => {
  let db: Db;
  let drop: (() => Promise<void>) | undefined;
  let home: string;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'coffer-copy-'));
    db = await openSqliteStore({ file: path.join(home, 'coffer.db') });
  });
  after(async () => {
    await db.destroy();
    await drop?.();
    await rm(home, { recursive: true, force: true });
  });

  it('copies or excludes each table, and names no table that does not exist', async () => {
    const tables = await listTables(db);
    assert.deepEqual(unknownTables(tables), [], 'tables neither copied nor excluded: add them to COPIED_TABLES or EXCLUDED_TABLES in store/copy.ts');
    const listed = [...COPIED_TABLES.map((table) => table.name), ...Object.keys(EXCLUDED_TABLES)];
    assert.deepEqual(listed.filter((table) => !tables.includes(table)), [], 'listed tables the migrations do not create');
    assert.equal(new Set(listed).size, listed.length, 'each table listed once');
  });

  it('copies parents before children, and reads each table in its primary key order', async () => {
    const order = COPIED_TABLES.map((table) => table.name as string);
    for (const table of COPIED_TABLES) {
      const { rows: references } = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${table.name})`.execute(db);
      for (const { table: parent } of references) {
        assert.ok(order.indexOf(parent) >= 0 && order.indexOf(parent) < order.indexOf(table.name), `${parent} is copied before ${table.name}`);
      }
      const { rows: key } = await sql<{ name: string }>`select name from pragma_table_info(${table.name}) where pk > 0 order by pk`.execute(db);
      assert.deepEqual(key.map((column) => column.name), [...table.key], `primary key of ${table.name}`);
    }
  });

  it('finds the same tables on PostgreSQL when COFFER_TEST_POSTGRES is set', async () => {
    if (testPostgresUrl === undefined) {
      assert.equal(unknownTables(await listTables(db)).length, 0);
      return;
    }
    const database = await createTestDatabase();
    drop = database.drop;
    const postgres = await openPostgresStore({ url: database.url });
    try {
      assert.deepEqual(await listTables(postgres), await listTables(db));
    } finally {
      await postgres.destroy();
    }
  });
});

describe('store copy locations', () => {
  it('reads sqlite:DATA_DIR, sqlite:FILE.db and postgres:// URLs, and tells one store from another', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'coffer-copy-'));
    try {
      const byDir = parseStoreLocation(`sqlite:${root}`);
      const byFile = parseStoreLocation(`sqlite:${path.join(root, 'coffer.db')}`);
      assert.deepEqual(byDir, { kind: 'sqlite', file: path.join(root, 'coffer.db'), auditFile: path.join(root, 'audit.db') });
      assert.deepEqual(byFile, byDir);
      assert.equal(locationIdentity(byDir), locationIdentity(byFile));
      assert.notEqual(locationIdentity(byDir), locationIdentity(parseStoreLocation(`sqlite:${path.join(root, 'elsewhere')}`)));
      const a = parseStoreLocation('postgres://coffer:pw@DB.example:5432/coffer');
      assert.equal(locationIdentity(a), locationIdentity(parseStoreLocation('postgresql://other@db.example/coffer')));
      assert.notEqual(locationIdentity(a), locationIdentity(parseStoreLocation('postgres://coffer@db.example/coffer2')));
      assert.throws(() => parseStoreLocation(root), /not a store location/);
      // Refused before anything is opened.
      await assert.rejects(runStoreCopy({ from: `sqlite:${root}`, to: `sqlite:${path.join(root, 'coffer.db')}` }), /name the same store/);
      await assert.rejects(runStoreCopy({ from: `sqlite:${root}`, to: `sqlite:${path.join(root, 'other.db')}` }), /share a data directory/);
      await assert.rejects(runStoreCopy({ from: 'postgres://a@db.example/coffer', to: 'postgres://b:secret@DB.example:5432/coffer' }), (error: Error) => /name the same store/.test(error.message) && !error.message.includes('secret'));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
