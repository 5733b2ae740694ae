import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAuditEvent, type AuditEvent } from './audit-event.js';
import { createAuditLog, type AuditSink } from './audit-log.js';

function event(n: number): AuditEvent {
  return buildAuditEvent({
    at: new Date(Date.UTC(2024, 0, 1, 0, 0, 0, n)),
    subscriptionId: 'sub',
    resourceGroup: 'rg',
    vaultName: 'v',
    operationName: 'SecretGet',
    apiVersion: '7.5',
    httpStatusCode: 200,
    durationMs: 1,
    callerIpAddress: '127.0.0.1',
    requestUri: '/secrets/s',
    requestId: `req-${n}`,
  });
}

/** A sink whose writes finish only when the test says so, so no test depends on timing. */
function manualSink(name = 'manual') {
  const batches: AuditEvent[][] = [];
  const waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let overlapping = 0;
  let maxOverlapping = 0;
  let isClosed = false;
  const sink: AuditSink = {
    name,
    writeBatch(events) {
      batches.push(events);
      maxOverlapping = Math.max(maxOverlapping, ++overlapping);
      return new Promise<void>((resolve, reject) => waiting.push({ resolve, reject })).finally(() => overlapping--);
    },
    async close() {
      isClosed = true;
    },
  };
  return {
    sink,
    batches,
    get maxOverlapping() {
      return maxOverlapping;
    },
    get isClosed() {
      return isClosed;
    },
    /** Waits until a write is in progress, then finishes it. */
    async finishNext(error?: Error) {
      while (waiting.length === 0) await new Promise((resolve) => setImmediate(resolve));
      const next = waiting.shift()!;
      if (error) next.reject(error);
      else next.resolve();
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function requestIds(batches: AuditEvent[][]): string[] {
  return batches.flat().map((e) => e.properties.requestId);
}

describe('createAuditLog', () => {
  it('writes a lone record at once, without waiting for company', async () => {
    const fake = manualSink();
    const log = createAuditLog({ sinks: [fake.sink] });
    const done = log.record(event(1));
    await fake.finishNext();
    await done;
    assert.equal(fake.batches.length, 1);
  });

  it('groups 100 concurrent records into far fewer batches, all resolved, in order', async () => {
    const fake = manualSink();
    const log = createAuditLog({ sinks: [fake.sink] });
    const first = log.record(event(0));
    await settle(); // the first write is now in progress; the rest must queue behind it
    const rest = Array.from({ length: 99 }, (_, i) => log.record(event(i + 1)));
    await fake.finishNext(); // the lone first record
    await fake.finishNext(); // the 99 that queued meanwhile, together
    await Promise.all([first, ...rest]);
    assert.equal(fake.batches.length, 2);
    assert.equal(fake.maxOverlapping, 1);
    assert.deepEqual(requestIds(fake.batches), Array.from({ length: 100 }, (_, i) => `req-${i}`));
  });

  it('lets batches grow under load when records arrive one event-loop turn apart', async () => {
    // A slow sink (each write spans several turns) and one record per turn, as separate requests would arrive.
    const batches: AuditEvent[][] = [];
    const slowSink: AuditSink = {
      name: 'slow',
      async writeBatch(events) {
        batches.push(events);
        for (let i = 0; i < 5; i++) await settle();
      },
    };
    const log = createAuditLog({ sinks: [slowSink] });
    const all: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      all.push(log.record(event(i)));
      await settle();
    }
    await Promise.all(all);
    assert.ok(batches.length <= 30, `expected far fewer than 100 batches, got ${batches.length}`);
    assert.deepEqual(requestIds(batches), Array.from({ length: 100 }, (_, i) => `req-${i}`));
  });

  it('caps a batch at maxBatch', async () => {
    const fake = manualSink();
    const log = createAuditLog({ sinks: [fake.sink], maxBatch: 10 });
    const all = Array.from({ length: 25 }, (_, i) => log.record(event(i)));
    for (let i = 0; i < 3; i++) await fake.finishNext();
    await Promise.all(all);
    assert.deepEqual(fake.batches.map((b) => b.length), [10, 10, 5]);
    assert.deepEqual(requestIds(fake.batches), Array.from({ length: 25 }, (_, i) => `req-${i}`));
  });

  it('rejects exactly the failed batch when one sink fails, and later records succeed', async () => {
    const good = manualSink('good');
    const bad = manualSink('bad');
    const log = createAuditLog({ sinks: [good.sink, bad.sink] });
    const failing = [log.record(event(1)), log.record(event(2))];
    const diskFull = new Error('disk full');
    const failed = Promise.all(failing.map((promise) => assert.rejects(promise, diskFull)));
    await settle();
    const later = [log.record(event(3)), log.record(event(4))];

    await bad.finishNext(diskFull);
    await settle();
    // The failed batch waits for the other sink too, so no next batch overlaps it.
    assert.equal(good.batches.length, 1);
    assert.equal(bad.batches.length, 1);
    await good.finishNext();
    await failed;

    await good.finishNext();
    await bad.finishNext();
    await Promise.all(later);
    assert.deepEqual(requestIds(good.batches), ['req-1', 'req-2', 'req-3', 'req-4']);
  });

  it('close waits for pending batches, closes the sinks and refuses later records', async () => {
    const fake = manualSink();
    const log = createAuditLog({ sinks: [fake.sink] });
    const pending = log.record(event(1));
    let isCloseDone = false;
    const closing = log.close().then(() => (isCloseDone = true));
    await settle();
    assert.equal(isCloseDone, false);
    assert.equal(fake.isClosed, false);
    await fake.finishNext();
    await pending;
    await closing;
    assert.equal(fake.isClosed, true);
    await assert.rejects(log.record(event(2)), /closed/);
  });

  it('refuses to run without a sink', () => {
    assert.throws(() => createAuditLog({ sinks: [] }), /at least one sink/);
  });
});
