import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { isPostgresStore, type Db } from '../../store/open.js';
import { closeTestStore, openTestStore } from '../../store/test-store.js';
import { buildAuditEvent, type AuditEvent } from '../audit-event.js';
import { createDatabaseSink } from './database.js';

function event(n: number, caller?: { objectId: string; appId: string; tenantId: string }): AuditEvent {
  return buildAuditEvent({
    at: new Date(Date.UTC(2024, 2, 1, 0, 0, 0, n)),
    subscriptionId: 'sub',
    resourceGroup: 'rg',
    vaultName: 'Pay-Roll',
    operationName: caller ? 'SecretGet' : 'SecretList',
    apiVersion: '7.5',
    httpStatusCode: caller ? 200 : 401,
    errorCode: caller ? undefined : 'Unauthorized',
    durationMs: 2,
    callerIpAddress: '127.0.0.1',
    caller,
    requestUri: '/secrets?api-version=7.5',
    requestId: `req-${n}`,
  });
}

let db: Db;

// The real store, migrated: SQLite, or PostgreSQL when COFFER_TEST_POSTGRES names one.
beforeEach(async () => {
  db = await openTestStore();
});

afterEach(() => closeTestStore(db));

/** Makes every insert of the record of request `req-120` fail, as a full disk or a broken connection would. */
async function refuseRequest120(): Promise<void> {
  if (isPostgresStore(db)) {
    await sql`CREATE FUNCTION refuse_120() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN IF NEW.record LIKE '%"req-120"%' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`.execute(db);
    await sql`CREATE TRIGGER refuse_120 BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_120()`.execute(db);
    return;
  }
  await sql`CREATE TRIGGER refuse_120 BEFORE INSERT ON audit_events WHEN NEW.record LIKE '%"req-120"%'
            BEGIN SELECT RAISE(ABORT, 'refused'); END`.execute(db);
}

describe('createDatabaseSink', () => {
  it('stores each event with its columns and the full record', async () => {
    const sink = createDatabaseSink({ db });
    const authenticated = event(1, { objectId: 'oid-1', appId: 'app-1', tenantId: 'tid-1' });
    const anonymous = event(2);
    await sink.writeBatch([authenticated, anonymous]);

    const rows = await db.selectFrom('audit_events').selectAll().orderBy('id').execute();
    assert.deepEqual(
      rows.map(({ id: _id, record: _record, ...columns }) => columns),
      [
        { time: authenticated.time, vault_name: 'pay-roll', operation_name: 'SecretGet', http_status: 200, caller_oid: 'oid-1' },
        { time: anonymous.time, vault_name: 'pay-roll', operation_name: 'SecretList', http_status: 401, caller_oid: null },
      ],
    );
    assert.deepEqual(JSON.parse(rows[0]!.record), authenticated);
    assert.deepEqual(JSON.parse(rows[1]!.record), anonymous);
  });

  it('writes 250 events in one batch, in order', async () => {
    const sink = createDatabaseSink({ db });
    await sink.writeBatch(Array.from({ length: 250 }, (_, i) => event(i)));
    const rows = await db.selectFrom('audit_events').select(['time', 'record']).orderBy('id').execute();
    assert.equal(rows.length, 250);
    assert.deepEqual(
      rows.map((row) => (JSON.parse(row.record) as AuditEvent).properties.requestId),
      Array.from({ length: 250 }, (_, i) => `req-${i}`),
    );
  });

  it('writes nothing of a batch that fails part-way', async () => {
    const sink = createDatabaseSink({ db });
    // The second chunk of 100 rows fails, after the first was inserted.
    await refuseRequest120();
    await assert.rejects(sink.writeBatch(Array.from({ length: 150 }, (_, i) => event(i))), /refused/);
    const { count } = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    assert.equal(count, 0);
  });
});
