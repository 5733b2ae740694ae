import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Clock } from '../../clock.js';
import { buildAuditEvent, type AuditEvent } from '../audit-event.js';
import { createJsonlFileSink } from './jsonl-file.js';

function event(iso: string, requestId: string): AuditEvent {
  return buildAuditEvent({
    at: new Date(iso),
    subscriptionId: 'sub',
    resourceGroup: 'rg',
    vaultName: 'payroll',
    operationName: 'SecretGet',
    apiVersion: '7.5',
    httpStatusCode: 200,
    durationMs: 3,
    callerIpAddress: '127.0.0.1',
    requestUri: '/secrets/s?api-version=7.5',
    requestId,
  });
}

function fakeClock(iso: string): Clock & { set(iso: string): void } {
  let ms = Date.parse(iso);
  return { nowMs: () => ms, set: (next) => (ms = Date.parse(next)) };
}

async function readLines(path: string): Promise<AuditEvent[]> {
  const text = await readFile(path, 'utf8');
  assert.ok(text.endsWith('\n'));
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as AuditEvent);
}

const root = await mkdtemp(join(tmpdir(), 'coffer-audit-'));
after(() => rm(root, { recursive: true, force: true }));

describe('createJsonlFileSink', () => {
  it('appends one parseable line per event to a private file', async () => {
    const dir = join(root, 'plain', 'audit');
    const sink = createJsonlFileSink({ dir, clock: fakeClock('2024-03-01T10:00:00Z') });
    await sink.writeBatch([event('2024-03-01T10:00:00Z', 'a'), event('2024-03-01T10:00:01Z', 'b')]);
    await sink.writeBatch([event('2024-03-01T10:00:02Z', 'c')]);
    await sink.close?.();

    const file = join(dir, 'audit-2024-03-01.jsonl');
    const lines = await readLines(file);
    assert.deepEqual(lines.map((e) => e.properties.requestId), ['a', 'b', 'c']);
    assert.equal(lines[0]?.category, 'AuditEvent');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
  });

  it('appends to an existing day file after a restart instead of truncating it', async () => {
    const dir = join(root, 'restart');
    const clock = fakeClock('2024-03-01T10:00:00Z');
    const first = createJsonlFileSink({ dir, clock });
    await first.writeBatch([event('2024-03-01T10:00:00Z', 'a')]);
    await first.close?.();
    const second = createJsonlFileSink({ dir, clock });
    await second.writeBatch([event('2024-03-01T11:00:00Z', 'b')]);
    await second.close?.();
    const lines = await readLines(join(dir, 'audit-2024-03-01.jsonl'));
    assert.deepEqual(lines.map((e) => e.properties.requestId), ['a', 'b']);
  });

  it('rolls over to a new file at UTC midnight, by each event time', async () => {
    const dir = join(root, 'rollover');
    const clock = fakeClock('2024-03-01T23:59:59Z');
    const sink = createJsonlFileSink({ dir, clock });
    await sink.writeBatch([event('2024-03-01T23:59:58Z', 'a')]);
    clock.set('2024-03-02T00:00:01Z');
    // One batch straddling midnight, with a late record from the previous day after the new day began.
    await sink.writeBatch([
      event('2024-03-01T23:59:59Z', 'b'),
      event('2024-03-02T00:00:00Z', 'c'),
      event('2024-03-01T23:59:59.500Z', 'd'),
    ]);
    await sink.writeBatch([event('2024-03-02T00:00:02Z', 'e')]);
    await sink.close?.();

    assert.deepEqual((await readdir(dir)).sort(), ['audit-2024-03-01.jsonl', 'audit-2024-03-02.jsonl']);
    const day1 = await readLines(join(dir, 'audit-2024-03-01.jsonl'));
    const day2 = await readLines(join(dir, 'audit-2024-03-02.jsonl'));
    assert.deepEqual(day1.map((e) => e.properties.requestId), ['a', 'b', 'd']);
    assert.deepEqual(day2.map((e) => e.properties.requestId), ['c', 'e']);
    assert.equal((await stat(join(dir, 'audit-2024-03-02.jsonl'))).mode & 0o777, 0o600);
  });

  it('refuses to write after close', async () => {
    const sink = createJsonlFileSink({ dir: join(root, 'closed'), clock: fakeClock('2024-03-01T00:00:00Z') });
    await sink.close?.();
    await assert.rejects(sink.writeBatch([event('2024-03-01T00:00:00Z', 'a')]), /closed/);
  });
});
