// Scheduler election between nodes sharing one PostgreSQL database: one leader at a time, and a new one soon after
// the leader stops or loses its session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { createTestDatabase, onPostgresOnly } from '../store/test-store.js';
import { electLeader, type Leadership } from './leadership.js';
import { startScheduler } from './scheduler.js';

const logger = pino({ level: 'silent' });

async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('scheduler leadership on PostgreSQL', onPostgresOnly, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const nodes: Leadership[] = [];
  const node = () => {
    const leadership = electLeader({ connectionString: database.url, retryMs: 50, logger });
    nodes.push(leadership);
    return leadership;
  };

  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await Promise.all(nodes.map((leadership) => leadership.stop()));
    await database?.drop();
  });

  it('elects exactly one of three nodes, and another when the leader stops', async () => {
    const three = [node(), node(), node()];
    await eventually(() => three.some((n) => n.isLeader()), 'one leads');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(three.filter((n) => n.isLeader()).length, 1);

    const first = three.find((n) => n.isLeader())!;
    await first.stop();
    const rest = three.filter((n) => n !== first);
    await eventually(() => rest.some((n) => n.isLeader()), 'a survivor leads');
    assert.equal(rest.filter((n) => n.isLeader()).length, 1);
    await Promise.all(rest.map((n) => n.stop()));
  });

  it('hands over when the leader’s session is killed, as when its process dies', async () => {
    const a = node();
    await eventually(() => a.isLeader(), 'the first node leads');
    const b = node();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(b.isLeader(), false);

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      // The leader's session is the one holding the advisory lock.
      await admin.query("select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())");
    } finally {
      await admin.end();
    }
    await eventually(() => b.isLeader(), 'the second node leads');
    await eventually(() => !a.isLeader(), 'the first node knows it lost');
    await Promise.all([a.stop(), b.stop()]);
  });

  it('runs jobs only on the leader, and at once on election', async () => {
    const runs = { a: 0, b: 0 };
    const a = node();
    await eventually(() => a.isLeader(), 'the first node leads');
    const b = node();
    const schedulerA = startScheduler({ jobs: [{ name: 'count', intervalSeconds: 3600, run: async () => runs.a++ }], logger, leadership: a });
    const schedulerB = startScheduler({ jobs: [{ name: 'count', intervalSeconds: 3600, run: async () => runs.b++ }], logger, leadership: b });
    await eventually(() => runs.a === 1, 'the leader ran its job');
    await schedulerA.stop();
    // The interval is an hour: only election can make the second node run its job now.
    await eventually(() => runs.b === 1, 'the new leader ran its job on election');
    assert.equal(runs.a, 1);
    await schedulerB.stop();
  });
});
