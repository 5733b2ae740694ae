// Two store handles on one database, as two server processes (or nodes) hold them: on SQLite two connections to one
// file, on PostgreSQL (COFFER_TEST_POSTGRES) two pools on one database. Each handle lives in a thread of its own
// (concurrency-peer.ts) and runs the domain services, so their transactions really overlap.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { createEnvelope } from '../crypto/envelope.js';
import { createAccessService, type AccessService } from '../domain/access/access-service.js';
import { createCertificateService, type CertificateService } from '../domain/certificates/certificate-service.js';
import { createCertificateIssuerService } from '../domain/certificates/issuers.js';
import { createKeyOperationPool } from '../domain/keys/key-operation-pool.js';
import { createSoftwareKeyProvider } from '../domain/keys/key-provider.js';
import type { Vault } from '../domain/vaults/vault.js';
import { createVaultService } from '../domain/vaults/vault-service.js';
import { CofferError } from '../errors.js';
import { startModuleThread } from '../threads.js';
import { createAccessControlStore } from './access-control.js';
import { createCertificateIssuerStore } from './certificate-issuers.js';
import { createCertificateStore } from './certificates.js';
import type { PeerData, PeerReply, PeerRequest, ReadLog, SecretRead } from './concurrency-peer.js';
import { createIdentityStore } from './identities.js';
import { createObjectStore } from './objects.js';
import { openSqliteStore, type Db } from './open.js';
import { closeTestStore, createTestDatabase, openTestStore, testPostgresUrl } from './test-store.js';
import { createVaultStore } from './vaults.js';

interface Peer {
  /** Resolves with the answer, or rejects with `{ status, code, message }` (a CofferError's, for domain refusals). */
  send<T>(request: PeerRequest): Promise<T>;
  close(): Promise<void>;
}

type Refusal = { status?: number; code?: string; message: string };

async function startPeer(data: PeerData): Promise<Peer> {
  const worker: Worker = startModuleThread(import.meta.url, 'concurrency-peer', { workerData: data });
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    waiting.set(0, { resolve: () => resolve(), reject });
    worker.once('error', reject);
  });
  worker.on('message', (reply: PeerReply) => {
    const waiter = waiting.get(reply.id);
    waiting.delete(reply.id);
    if ('error' in reply) waiter?.reject(reply.error);
    else waiter?.resolve(reply.result);
  });
  await ready;
  const send = <T>(request: PeerRequest) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  return {
    send,
    async close() {
      await send({ op: 'close' });
      await worker.terminate();
    },
  };
}

/** Both settled, in the order given. */
async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[PromiseSettledResult<A>, PromiseSettledResult<B>]> {
  return Promise.allSettled([a, b]) as Promise<[PromiseSettledResult<A>, PromiseSettledResult<B>]>;
}

function refusalOf(result: PromiseSettledResult<unknown>): Refusal | undefined {
  return result.status === 'rejected' ? (result.reason as Refusal) : undefined;
}

describe(`two store handles on one ${testPostgresUrl === undefined ? 'SQLite file' : 'PostgreSQL database'}`, () => {
  let one: Peer;
  let two: Peer;
  let cleanUp: () => Promise<void>;
  const vault = 'shared';
  let round = 0;
  const freshName = () => `race-${++round}`;

  before(async () => {
    let store: PeerData['store'];
    if (testPostgresUrl === undefined) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-concurrency-'));
      store = { file: path.join(dir, 'coffer.db') };
      // Migrated once here, so the two handles do not both create the schema.
      await (await openSqliteStore(store)).destroy();
      cleanUp = () => rm(dir, { recursive: true, force: true });
    } else {
      const database = await createTestDatabase();
      store = { url: database.url };
      cleanUp = database.drop;
    }
    const masterKey = randomBytes(32);
    one = await startPeer({ store, masterKey });
    two = await startPeer({ store, masterKey });
    await one.send({ op: 'createVault', vault });
  });

  after(async () => {
    await one?.close();
    await two?.close();
    await cleanUp?.();
  });

  it('gives each of two writers adding versions to one secret at once a version of its own', async () => {
    for (let i = 0; i < 10; i++) {
      const name = freshName();
      const first = await one.send<SecretRead>({ op: 'set', vault, name, value: 'first' });
      const [a, b] = await Promise.all([
        one.send<SecretRead>({ op: 'set', vault, name, value: 'from one' }),
        two.send<SecretRead>({ op: 'set', vault, name, value: 'from two' }),
      ]);
      assert.equal(a.objectId, first.objectId);
      assert.equal(b.objectId, first.objectId);
      assert.notEqual(a.version, b.version);
      const versions = await two.send<{ version: string; seq: number }[]>({ op: 'versions', vault, name });
      assert.deepEqual(versions.map((version) => version.seq), [1, 2, 3], 'each version has a sequence number of its own');
      assert.deepEqual(new Set(versions.map((version) => version.version)), new Set([first.version, a.version, b.version]));
      // The later of the two is current, and reads whole.
      const current = await one.send<SecretRead>({ op: 'get', vault, name });
      assert.equal(current.version, versions[2]!.version);
      assert.equal(current.value, current.version === a.version ? 'from one' : 'from two');
    }
  });

  it('makes two sets racing on a new name two versions of one secret', async () => {
    for (let i = 0; i < 10; i++) {
      const name = freshName();
      const [a, b] = await Promise.all([
        one.send<SecretRead>({ op: 'set', vault, name, value: 'from one' }),
        two.send<SecretRead>({ op: 'set', vault, name, value: 'from two' }),
      ]);
      assert.equal(a.objectId, b.objectId, 'one object, not two');
      assert.deepEqual([a.seq, b.seq].sort(), [1, 2]);
      const versions = await one.send<{ version: string; seq: number; objectId: string }[]>({ op: 'versions', vault, name });
      assert.deepEqual(versions.map((version) => version.version), [a, b].sort((x, y) => x.seq - y.seq).map((set) => set.version));
      const current = await two.send<SecretRead>({ op: 'get', vault, name });
      assert.equal(current.version, (a.seq === 2 ? a : b).version);
    }
  });

  it('lets reads racing a soft delete see the secret whole or gone, never anything between', async () => {
    for (let i = 0; i < 5; i++) {
      const name = freshName();
      const set = await one.send<SecretRead>({ op: 'set', vault, name, value: `value ${i}` });
      const reads = two.send<ReadLog>({ op: 'readUntilGone', vault, name, value: set.value, readsAfterGone: 50 });
      await sleep(30);
      await one.send({ op: 'delete', vault, name });
      const log = await reads;
      assert.deepEqual(log.anomalies, []);
      assert.ok(log.live > 0, 'the reads began before the delete');
      assert.equal(log.gone, 50);
    }
  });

  it('ends a purge racing a recover with exactly one of them done', async () => {
    for (let i = 0; i < 12; i++) {
      const name = freshName();
      await one.send({ op: 'set', vault, name, value: 'v' });
      await one.send({ op: 'delete', vault, name });
      // Alternate which handle sends first.
      const [purge, recover] = i % 2 === 0
        ? await both(one.send({ op: 'purge', vault, name }), two.send({ op: 'recover', vault, name }))
        : await both(two.send({ op: 'purge', vault, name }), one.send({ op: 'recover', vault, name }));
      const failures = [purge, recover].map(refusalOf);
      assert.equal(failures.filter((failure) => failure === undefined).length, 1, `exactly one succeeds: ${JSON.stringify(failures)}`);
      const refused = failures.find((failure) => failure !== undefined)!;
      assert.deepEqual([refused.status, refused.code], [404, 'SecretNotFound'], refused.message);
      const [read] = await Promise.allSettled([two.send<SecretRead>({ op: 'get', vault, name })]);
      if (purge.status === 'fulfilled') {
        assert.equal(refusalOf(read)?.status, 404, 'purged: not readable');
        await assert.rejects(one.send({ op: 'recover', vault, name }), (error: Refusal) => error.status === 404);
      } else {
        assert.equal(read.status, 'fulfilled', 'recovered: readable');
        await assert.rejects(one.send({ op: 'purge', vault, name }), (error: Refusal) => error.status === 404);
      }
    }
  });

  it('lets only one of two handles create a vault of one name, the other answering 409', async () => {
    const [a, b] = await both(one.send({ op: 'createVault', vault: 'contested' }), two.send({ op: 'createVault', vault: 'contested' }));
    const failures = [a, b].map(refusalOf);
    assert.equal(failures.filter((failure) => failure === undefined).length, 1, JSON.stringify(failures));
    const refused = failures.find((failure) => failure !== undefined)!;
    assert.deepEqual([refused.status, refused.code], [409, 'Conflict'], refused.message);
  });
});

describe('concurrent requests creating one unique thing', () => {
  const clock = { nowMs: () => Date.UTC(2026, 10, 22, 12) };
  const pool = createKeyOperationPool({ threads: 1 });
  let db: Db;
  let vault: Vault;
  let certificates: CertificateService;
  let access: AccessService;

  before(async () => {
    db = await openTestStore();
    const envelope = createEnvelope({ masterKey: randomBytes(32) });
    vault = await createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 90, subscriptionId: '00000000-0000-0000-0000-000000000000' }).createVault({ name: 'unique' });
    certificates = createCertificateService({
      objects: createObjectStore(db),
      store: createCertificateStore(db),
      envelope,
      clock,
      keyProvider: createSoftwareKeyProvider({ pool }),
      issuers: createCertificateIssuerService({ store: createCertificateIssuerStore(db), envelope, clock }),
      runLater: () => undefined,
    });
    access = createAccessService({ store: createAccessControlStore(db), identities: createIdentityStore(db), tenantId: 'tenant', clock });
  });
  after(async () => {
    await closeTestStore(db);
    await pool.close();
  });

  /** Exactly one fulfilled; the other refused with this status and code. */
  function oneWinner(results: PromiseSettledResult<unknown>[], status: number, code: string): void {
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1, JSON.stringify(results.map((result) => result.status)));
    const refused = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    assert.ok(refused.reason instanceof CofferError, String(refused.reason));
    assert.deepEqual([refused.reason.status, refused.reason.code], [status, code]);
  }

  it('starts one certificate operation of a name and answers the other request 409', async () => {
    const policy = { issuer: { name: 'Unknown' }, x509_props: { subject: 'CN=raced.example.test' }, key_props: { kty: 'EC', crv: 'P-256' } };
    const results = await Promise.allSettled([
      certificates.createCertificate(vault, 'raced', { policy }),
      certificates.createCertificate(vault, 'raced', { policy }),
    ]);
    oneWinner(results, 409, 'Conflict');
    const winner = (results.find((result) => result.status === 'fulfilled') as PromiseFulfilledResult<{ requestId: string }>).value;
    assert.equal((await certificates.getOperation(vault, 'raced')).requestId, winner.requestId, 'the operation stored is the one answered');
  });

  it('creates one role assignment of a name and answers the other request 409 RoleAssignmentExists', async () => {
    const id = randomUUID();
    const assign = (principalId: string) =>
      access.createAssignment({ id, scope: '/', roleDefinitionId: 'Key Vault Secrets User', principalId, principalType: 'ServicePrincipal' });
    const results = await Promise.allSettled([assign(randomUUID()), assign(randomUUID())]);
    oneWinner(results, 409, 'RoleAssignmentExists');
    const winner = (results.find((result) => result.status === 'fulfilled') as PromiseFulfilledResult<{ principalId: string }>).value;
    assert.equal((await access.getAssignment(id))?.principalId, winner.principalId);
  });
});
