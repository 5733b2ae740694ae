import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { buildAuditEvent, type AuditEvent } from '../audit-event.js';
import { createSqliteWorkerSink } from './sqlite-worker.js';

function event(operationName: string, status: number): AuditEvent {
  return buildAuditEvent({
    at: new Date('2026-11-22T10:00:00Z'), subscriptionId: 'sub', resourceGroup: 'rg', vaultName: 'payroll', operationName,
    apiVersion: '7.5', httpStatusCode: status, durationMs: 1, callerIpAddress: '127.0.0.1',
    caller: { objectId: 'oid-1', appId: 'app-1', tenantId: 'tid' }, requestUri: 'https://payroll.vault.localhost/secrets/x?api-version=7.5', requestId: 'r1',
  });
}

describe('createSqliteWorkerSink', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-audit-worker-'));
    file = path.join(dir, 'audit.db');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('commits each batch from a worker thread before acknowledging it', async () => {
    const sink = createSqliteWorkerSink({ file });
    await sink.writeBatch([event('SecretGet', 200), event('SecretSet', 403)]);
    // Read through another connection right after the acknowledgement: the rows are committed.
    const reader = new BetterSqlite3(file, { readonly: true });
    const rows = reader.prepare('select vault_name, operation_name, http_status, caller_oid, record from audit_events order by id').all() as Array<Record<string, unknown>>;
    reader.close();
    await sink.close?.();
    assert.deepEqual(rows.map((row) => [row.vault_name, row.operation_name, row.http_status, row.caller_oid]), [
      ['payroll', 'SecretGet', 200, 'oid-1'],
      ['payroll', 'SecretSet', 403, 'oid-1'],
    ]);
    assert.equal(JSON.parse(String(rows[0]!.record)).operationName, 'SecretGet');
  });

  it('rejects a batch it could not write, so the request that waits on it fails closed', async () => {
    const refusing = path.join(dir, 'refusing.db');
    const setup = new BetterSqlite3(refusing);
    setup.exec(`create table audit_events (id integer primary key, time text, vault_name text, operation_name text, http_status integer, caller_oid text, record text);
      create trigger refuse before insert on audit_events begin select raise(abort, 'refused by test'); end;`);
    setup.close();
    const sink = createSqliteWorkerSink({ file: refusing });
    await assert.rejects(sink.writeBatch([event('SecretGet', 200)]), /audit database write failed: refused by test/);
    await sink.close?.();
  });

  it('fails every batch when its database cannot be opened', async () => {
    const sink = createSqliteWorkerSink({ file: path.join(dir, 'no-such-directory', 'audit.db') });
    await assert.rejects(sink.writeBatch([event('SecretGet', 200)]), /audit database worker (failed|exited)/);
    await sink.close?.();
  });
});
