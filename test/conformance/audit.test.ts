// The audit log as an auditor sees it: one Azure AuditEvent per data-plane request, allowed or denied, in the
// audit_events table and in DIR/audit/*.jsonl, durable before the client sees the response, never holding a
// value, a client secret or a token.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Kysely, Selectable } from 'kysely';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import type { AuditEventsTable, Database } from '../../src/store/schema.js';
import { serverStore, type ServerStore } from '../support/server-store.js';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

type Response = Awaited<ReturnType<TestServer['request']>>;

type AuditRow = Selectable<AuditEventsTable>;

interface Caller {
  token: string;
  objectId: string;
  appId: string;
}

/** Every value, client secret and token these tests used: none may ever reach the audit log. */
const forbidden: string[] = [];

function distinctiveValue(label: string): string {
  const value = `audit-${label}-${randomBytes(20).toString('hex')}`;
  forbidden.push(value);
  return value;
}

describe('audit log', () => {
  let server: TestServer;
  let store: ServerStore;
  /** Where the server keeps queryable records: audit.db beside a SQLite store, the store's own table on PostgreSQL. */
  let db: Kysely<Database>;
  let admin: Caller;
  let reader: Caller;
  let base: string;

  const maxId = async () => Number((await db.selectFrom('audit_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow()).id ?? 0);
  const rowsAfter = (id: number): Promise<AuditRow[]> => db.selectFrom('audit_events').selectAll().where('id', '>', id).orderBy('id').execute();
  const auditFiles = () =>
    readdirSync(path.join(server.dataDir, 'audit'))
      .filter((name) => /^audit-\d{4}-\d{2}-\d{2}\.jsonl$/.test(name))
      .map((name) => path.join(server.dataDir, 'audit', name));
  const jsonlRecords = (): AuditEvent[] =>
    auditFiles().flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as AuditEvent),
    );

  /**
   * Sends one request and, synchronously as soon as its response has arrived (no waiting), checks that exactly
   * one record of it is in the database and exactly one line of it in the JSON-lines files.
   */
  async function audited(method: string, url: string, opts: Parameters<TestServer['request']>[2] = {}): Promise<{ response: Response; record: AuditEvent; row: AuditRow }> {
    const before = await maxId();
    const response = await server.request(method, url, opts);
    const rows = await rowsAfter(before);
    const requestId = response.headers['x-ms-request-id'];
    assert.equal(typeof requestId, 'string', `no x-ms-request-id on ${method} ${url}`);
    assert.equal(rows.length, 1, `expected one audit row for ${method} ${url}, found ${rows.length}`);
    const row = rows[0]!;
    const record = JSON.parse(row.record) as AuditEvent;
    assert.equal(record.properties.requestId, requestId);
    const lines = jsonlRecords().filter((line) => line.properties.requestId === requestId);
    assert.equal(lines.length, 1, `expected one JSON line for ${method} ${url}`);
    assert.deepEqual(lines[0], record);
    // The indexed columns agree with the record they index.
    assert.equal(row.time, record.time);
    assert.equal(row.operation_name, record.operationName);
    assert.equal(row.http_status, record.properties.httpStatusCode);
    assert.equal(row.caller_oid, record.identity?.claim['oid'] ?? null);
    assert.equal(record.properties.httpStatusCode, response.status);
    return { response, record, row };
  }

  function assertAzureShape(record: AuditEvent, expected: { operationName: string; status: number; signature: string; caller: Caller | null; requestUri: string; vault?: string }): void {
    assert.equal(record.category, 'AuditEvent');
    assert.equal(record.operationName, expected.operationName);
    assert.equal(record.properties.httpStatusCode, expected.status);
    assert.equal(record.resultSignature, expected.signature);
    assert.equal(record.resultType, expected.status < 400 ? 'Success' : 'Failure');
    assert.equal(record.properties.requestUri, expected.requestUri);
    assert.equal(record.resourceId, record.resourceId.toUpperCase());
    assert.match(record.resourceId, new RegExp(`^/SUBSCRIPTIONS/[0-9A-F-]{36}/RESOURCEGROUPS/[^/]+/PROVIDERS/MICROSOFT\\.KEYVAULT/VAULTS/${(expected.vault ?? 'default').toUpperCase()}$`));
    assert.ok(Math.abs(Date.parse(record.time) - Date.now()) < 60_000, record.time);
    assert.match(record.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok(Number.isInteger(record.durationMs) && record.durationMs >= 0);
    assert.match(record.callerIpAddress, /127\.0\.0\.1$|^::1$/);
    if (expected.caller === null) {
      assert.equal(record.identity, null);
    } else {
      assert.equal(record.identity?.claim['oid'], expected.caller.objectId);
      assert.equal(record.identity?.claim['appid'], expected.caller.appId);
      assert.equal(record.identity?.claim['tid'], server.credentials.tenantId);
    }
  }

  const secretUrl = (name: string, suffix = '') => `${base}/secrets/${name}${suffix}?api-version=7.5`;

  before(async () => {
    store = await serverStore();
    server = await startServer(store.startOptions);
    base = server.vaultUrl();
    db = store.openAudit(server.dataDir);
    const data = store.open(server.dataDir);
    const adminObjectId = (await data.selectFrom('principals').select('id').where('app_id', '=', server.credentials.clientId).executeTakeFirstOrThrow()).id;
    admin = { token: await server.adminToken(), objectId: adminObjectId, appId: server.credentials.clientId };
    const created = (await server.cli('principal', 'create', 'audit-reader')) as { clientId: string; clientSecret: string; objectId: string };
    const readerToken = await server.credential({ clientId: created.clientId, clientSecret: created.clientSecret }).getToken(`https://vault.localhost:${server.port}/.default`);
    reader = { token: readerToken.token, objectId: created.objectId, appId: created.clientId };
    forbidden.push(server.credentials.clientSecret, created.clientSecret, admin.token, reader.token);
  });
  after(async () => {
    await server?.dispose();
    await store?.dispose();
  });

  it('records a successful SecretSet with the caller identity and the object id', async () => {
    const name = uniqueName('set');
    const { response, record, row } = await audited('PUT', secretUrl(name), { token: admin.token, body: { value: distinctiveValue('set') } });
    assert.equal(response.status, 200);
    assertAzureShape(record, { operationName: 'SecretSet', status: 200, signature: 'OK', caller: admin, requestUri: secretUrl(name) });
    assert.equal(record.resultDescription, '');
    assert.equal(record.properties.id, response.json.id);
    assert.equal(record.operationVersion, '7.5');
    assert.equal(row.vault_name, 'default');
    assert.equal(row.caller_oid, admin.objectId);
  });

  it('records SecretGet of the latest version and of a given version', async () => {
    const name = uniqueName('get');
    const set = await server.request('PUT', secretUrl(name), { token: admin.token, body: { value: distinctiveValue('get') } });
    const version = String(set.json.id).split('/').at(-1)!;
    const latest = await audited('GET', secretUrl(name), { token: admin.token });
    assert.equal(latest.response.status, 200);
    assertAzureShape(latest.record, { operationName: 'SecretGet', status: 200, signature: 'OK', caller: admin, requestUri: secretUrl(name) });
    const given = await audited('GET', secretUrl(name, `/${version}`), { token: admin.token });
    assert.equal(given.response.status, 200);
    assertAzureShape(given.record, { operationName: 'SecretGet', status: 200, signature: 'OK', caller: admin, requestUri: secretUrl(name, `/${version}`) });
    assert.equal(given.record.properties.id, `${base}/secrets/${name}/${version}`);
  });

  it('records a 404 SecretNotFound as a failure with its error code', async () => {
    const name = uniqueName('missing');
    const { response, record } = await audited('GET', secretUrl(name), { token: admin.token });
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'SecretNotFound');
    assertAzureShape(record, { operationName: 'SecretGet', status: 404, signature: 'Not Found', caller: admin, requestUri: secretUrl(name) });
    assert.equal(record.resultDescription, 'SecretNotFound');
  });

  it('records an unauthenticated request as 401 with a null identity', async () => {
    const name = uniqueName('anon');
    const { response, record, row } = await audited('PUT', secretUrl(name), { body: { value: distinctiveValue('anon') } });
    assert.equal(response.status, 401);
    assert.ok(response.headers['www-authenticate']);
    assertAzureShape(record, { operationName: 'SecretSet', status: 401, signature: 'Unauthorized', caller: null, requestUri: secretUrl(name) });
    assert.equal(record.resultDescription, 'Unauthorized');
    assert.equal(row.caller_oid, null);
  });

  it('records a request with an invalid token as 401 with a null identity', async () => {
    const name = uniqueName('badtoken');
    const forged = `${admin.token.slice(0, -8)}AAAAAAAA`;
    forbidden.push(forged);
    const { response, record } = await audited('GET', secretUrl(name), { token: forged });
    assert.equal(response.status, 401);
    assertAzureShape(record, { operationName: 'SecretGet', status: 401, signature: 'Unauthorized', caller: null, requestUri: secretUrl(name) });
  });

  it('records a request refused to a non-administrator as 403 with that caller identity', async () => {
    const name = uniqueName('denied');
    const { response, record, row } = await audited('PUT', secretUrl(name), { token: reader.token, body: { value: distinctiveValue('denied') } });
    assert.equal(response.status, 403);
    assert.equal(response.json.error.code, 'Forbidden');
    assertAzureShape(record, { operationName: 'SecretSet', status: 403, signature: 'Forbidden', caller: reader, requestUri: secretUrl(name) });
    assert.equal(record.resultDescription, 'ForbiddenByRbac');
    assert.equal(row.caller_oid, reader.objectId);
  });

  it('records a 400 BadParameter', async () => {
    const { response, record } = await audited('PUT', secretUrl('bad_name'), { token: admin.token, body: { value: distinctiveValue('bad') } });
    assert.equal(response.status, 400);
    assert.equal(response.json.error.code, 'BadParameter');
    assertAzureShape(record, { operationName: 'SecretSet', status: 400, signature: 'Bad Request', caller: admin, requestUri: secretUrl('bad_name') });
    assert.equal(record.resultDescription, 'BadParameter');

    const noVersion = await audited('GET', `${base}/secrets`, { token: admin.token });
    assert.equal(noVersion.response.status, 400);
    assertAzureShape(noVersion.record, { operationName: 'SecretList', status: 400, signature: 'Bad Request', caller: admin, requestUri: `${base}/secrets` });
    assert.equal(noVersion.record.operationVersion, '');
  });

  it('records a request to an unknown vault host', async () => {
    const url = `${server.vaultUrl('nosuchvault')}/secrets?api-version=7.5`;
    const { response, record } = await audited('GET', url, { token: admin.token });
    assert.equal(response.status, 404);
    assert.equal(response.json.error.code, 'VaultNotFound');
    assert.equal(record.properties.requestUri, url);
    assert.equal(record.resultDescription, 'VaultNotFound');
  });

  it('records a request to an operation that does not exist', async () => {
    const { response, record } = await audited('GET', `${base}/nothing-here?api-version=7.5`, { token: admin.token });
    assert.equal(response.status, 404);
    assert.equal(record.properties.httpStatusCode, 404);
    assert.equal(record.properties.requestUri, `${base}/nothing-here?api-version=7.5`);
  });

  it('names every secrets operation as Azure does', async () => {
    const name = uniqueName('ops');
    const steps: Array<[string, string, string, unknown?]> = [
      ['PUT', secretUrl(name), 'SecretSet', { value: distinctiveValue('ops') }],
      ['GET', secretUrl(name), 'SecretGet'],
      ['PATCH', secretUrl(name), 'SecretUpdate', { tags: { audited: 'yes' } }],
      ['GET', `${base}/secrets?api-version=7.5`, 'SecretList'],
      ['GET', secretUrl(name, '/versions'), 'SecretListVersions'],
      ['POST', secretUrl(name, '/backup'), 'SecretBackup'],
      ['DELETE', secretUrl(name), 'SecretDelete'],
      ['GET', `${base}/deletedsecrets/${name}?api-version=7.5`, 'SecretGetDeleted'],
      ['GET', `${base}/deletedsecrets?api-version=7.5`, 'SecretListDeleted'],
      ['POST', `${base}/deletedsecrets/${name}/recover?api-version=7.5`, 'SecretRecover'],
      ['DELETE', secretUrl(name), 'SecretDelete'],
      ['DELETE', `${base}/deletedsecrets/${name}?api-version=7.5`, 'SecretPurge'],
    ];
    let backup: string | undefined;
    for (const [method, url, operationName, body] of steps) {
      const { response, record } = await audited(method, url, { token: admin.token, ...(body === undefined ? {} : { body }) });
      assert.ok(response.status < 300, `${operationName} answered ${response.status}: ${response.text}`);
      assertAzureShape(record, { operationName, status: response.status, signature: response.status === 204 ? 'No Content' : 'OK', caller: admin, requestUri: url });
      if (operationName === 'SecretBackup') backup = response.json.value as string;
    }
    forbidden.push(backup!);
    const restored = await audited('POST', `${base}/secrets/restore?api-version=7.5`, { token: admin.token, body: { value: backup } });
    assert.equal(restored.response.status, 200);
    assertAzureShape(restored.record, { operationName: 'SecretRestore', status: 200, signature: 'OK', caller: admin, requestUri: `${base}/secrets/restore?api-version=7.5` });
  });

  it('records requests to a named vault under that vault', async () => {
    await server.cli('vault', 'create', 'audited');
    const url = `${server.vaultUrl('audited')}/secrets/${uniqueName('named')}?api-version=7.5`;
    const { response, record, row } = await audited('PUT', url, { token: admin.token, body: { value: distinctiveValue('named') } });
    assert.equal(response.status, 200);
    assertAzureShape(record, { operationName: 'SecretSet', status: 200, signature: 'OK', caller: admin, requestUri: url, vault: 'audited' });
    assert.equal(row.vault_name, 'audited');
  });

  it('keeps only api-version and paging in requestUri, and records correlation id and client info', async () => {
    const name = uniqueName('query');
    const leaked = distinctiveValue('query');
    const url = `${secretUrl(name)}&value=${leaked}&access_token=${admin.token}&client_secret=${server.credentials.clientSecret}#${leaked}`;
    const { record } = await audited('GET', url, {
      token: admin.token,
      headers: { 'x-ms-client-request-id': 'c0ffee00-0000-4000-8000-000000000001', 'user-agent': 'audit-test/1.0' },
    });
    assert.equal(record.properties.requestUri, secretUrl(name));
    assert.equal(record.correlationId, 'c0ffee00-0000-4000-8000-000000000001');
    assert.equal(record.properties.clientInfo, 'audit-test/1.0');

    const paged = `${base}/secrets?api-version=7.5&maxresults=2`;
    assert.equal((await audited('GET', paged, { token: admin.token })).record.properties.requestUri, paged);
  });

  it('makes every record durable before its response, under concurrent requests', async () => {
    const name = uniqueName('burst');
    await server.request('PUT', secretUrl(name), { token: admin.token, body: { value: distinctiveValue('burst') } });
    const before = await maxId();
    const seen = await Promise.all(
      Array.from({ length: 25 }, async (_, i) => {
        const response = await server.request('GET', secretUrl(i % 5 === 0 ? uniqueName('absent') : name), { token: i % 7 === 0 ? reader.token : admin.token });
        // Checked as soon as the response arrived: nothing may be still on its way to disk. The files are read in
        // the same turn; so is a SQLite database (its Kysely driver answers within the turn), PostgreSQL just after.
        const requestId = response.headers['x-ms-request-id'] as string;
        const inFiles = jsonlRecords().filter((record) => record.properties.requestId === requestId).length;
        const { n } = await db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('id', '>', before)
          .where('record', 'like', `%"requestId":"${requestId}"%`)
          .executeTakeFirstOrThrow();
        return { requestId, inDb: Number(n), inFiles };
      }),
    );
    for (const { requestId, inDb, inFiles } of seen) {
      assert.equal(inDb, 1, requestId);
      assert.equal(inFiles, 1, requestId);
    }
    assert.equal((await rowsAfter(before)).length, 25);
  });

  it('writes the same records to the database and the JSON-lines files', async () => {
    await server.request('GET', `${base}/secrets?api-version=7.5`, { token: admin.token });
    await server.request('GET', `${base}/secrets?api-version=7.5`);
    const rows = (await rowsAfter(0)).map((row) => JSON.parse(row.record) as AuditEvent);
    const lines = jsonlRecords();
    assert.ok(rows.length > 0);
    assert.deepEqual(
      lines.map((line) => line.properties.requestId).sort(),
      rows.map((row) => row.properties.requestId).sort(),
    );
    assert.equal(new Set(rows.map((row) => row.properties.requestId)).size, rows.length, 'one record per request');
  });

  it('never holds a secret value, client secret or bearer token, in any byte of the database or the files', async () => {
    // One more of everything, so this test stands on its own.
    const name = uniqueName('raw');
    await server.request('PUT', secretUrl(name), { token: admin.token, body: { value: distinctiveValue('raw') } });
    await server.request('GET', secretUrl(name), { token: admin.token });
    await server.request('GET', secretUrl(name), { token: reader.token });

    const records = (await rowsAfter(0)).map((row) => row.record).join('\n');
    const databaseFiles = readdirSync(server.dataDir).filter((entry) => /^(coffer|audit)\.db/.test(entry)).map((entry) => path.join(server.dataDir, entry));
    assert.ok(auditFiles().length > 0);
    assert.ok(databaseFiles.length > 0 || store.postgres, 'the scan reads the database files');
    const files = [...[...auditFiles(), ...databaseFiles].map((file) => ({ file, bytes: readFileSync(file) })), ...(await store.dump())];
    for (const secret of forbidden) {
      // The signature alone would be enough to replay a token; look for it as well as the whole token.
      const needles = secret.split('.').length === 3 ? [secret, secret.split('.')[2]!] : [secret];
      for (const needle of needles) {
        assert.ok(!records.includes(needle), `an audit record holds ${needle.slice(0, 12)}…`);
        for (const { file, bytes } of files) assert.equal(bytes.indexOf(needle), -1, `${file} holds ${needle.slice(0, 12)}…`);
      }
    }
  });
});
