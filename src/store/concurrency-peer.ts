// For concurrency.test.ts only: one more store handle on the test's database, in a thread of its own, as another
// server process would hold one. On SQLite a handle waits for the write lock synchronously (busy_timeout), so two
// handles in one thread would wait on each other; in threads of their own they contend as processes do.
import { parentPort, workerData } from 'node:worker_threads';
import { createEnvelope } from '../crypto/envelope.js';
import { createSecretService } from '../domain/secrets/secret-service.js';
import { createVaultService } from '../domain/vaults/vault-service.js';
import { CofferError } from '../errors.js';
import { createObjectStore } from './objects.js';
import { openPostgresStore, openSqliteStore } from './open.js';
import { createVaultStore } from './vaults.js';

export interface PeerData {
  store: { file: string } | { url: string };
  masterKey: Uint8Array;
}

/** What a peer does, by request; every answer is plain data. */
export type PeerRequest =
  | { op: 'createVault'; vault: string }
  | { op: 'set'; vault: string; name: string; value: string }
  | { op: 'get'; vault: string; name: string }
  | { op: 'versions'; vault: string; name: string }
  | { op: 'delete' | 'recover' | 'purge'; vault: string; name: string }
  /** Reads the secret until it has been gone for `readsAfterGone` reads in a row; see ReadLog. */
  | { op: 'readUntilGone'; vault: string; name: string; value: string; readsAfterGone: number }
  | { op: 'close' };

export interface SecretRead {
  objectId: string;
  version: string;
  seq: number;
  value: string;
  deletedAt: number | null;
}

/** Reads of one secret while it is deleted: how many saw it whole, how many saw it gone, and anything else. */
export interface ReadLog {
  live: number;
  gone: number;
  anomalies: string[];
}

export type PeerReply = { id: number; result: unknown } | { id: number; error: { status?: number; code?: string; message: string } };

const data = workerData as PeerData;
const db = 'file' in data.store ? await openSqliteStore({ file: data.store.file }) : await openPostgresStore({ url: data.store.url });
const envelope = createEnvelope({ masterKey: Buffer.from(data.masterKey) });
const clock = { nowMs: () => Date.now() };
const vaults = createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 90, subscriptionId: '00000000-0000-0000-0000-000000000000' });
const secrets = createSecretService({ objects: createObjectStore(db), envelope, clock });

async function vault(name: string) {
  const found = await vaults.getVault(name);
  if (!found) throw new Error(`no vault ${name}`);
  return found;
}

async function handle(request: PeerRequest): Promise<unknown> {
  switch (request.op) {
    case 'createVault':
      return (await vaults.createVault({ name: request.vault, retentionDays: 7 })).id;
    case 'set': {
      const set = await secrets.setSecret(await vault(request.vault), request.name, { value: request.value });
      return { objectId: set.object.id, version: set.version.version, seq: set.version.seq, value: set.value, deletedAt: set.object.deletedAt } satisfies SecretRead;
    }
    case 'get': {
      const got = await secrets.getSecret(await vault(request.vault), request.name, undefined);
      return { objectId: got.object.id, version: got.version.version, seq: got.version.seq, value: got.value, deletedAt: got.object.deletedAt } satisfies SecretRead;
    }
    case 'versions': {
      const page = await secrets.listSecretVersions(await vault(request.vault), request.name, { after: undefined, limit: 1000 });
      return page.items.map((item) => ({ version: item.version.version, seq: item.version.seq, objectId: item.object.id }));
    }
    case 'delete':
      await secrets.deleteSecret(await vault(request.vault), request.name);
      return null;
    case 'recover':
      await secrets.recoverDeletedSecret(await vault(request.vault), request.name);
      return null;
    case 'purge':
      await secrets.purgeDeletedSecret(await vault(request.vault), request.name);
      return null;
    case 'readUntilGone': {
      const target = await vault(request.vault);
      const log: ReadLog = { live: 0, gone: 0, anomalies: [] };
      for (let goneInARow = 0; goneInARow < request.readsAfterGone; ) {
        try {
          const got = await secrets.getSecret(target, request.name, undefined);
          if (got.value !== request.value || got.object.deletedAt !== null || got.object.currentVersion !== got.version.version) {
            log.anomalies.push(`read ${JSON.stringify({ value: got.value, deletedAt: got.object.deletedAt, current: got.object.currentVersion, version: got.version.version })}`);
          } else if (log.gone > 0) {
            log.anomalies.push('read the secret again after it was gone');
          } else {
            log.live += 1;
          }
          goneInARow = 0;
        } catch (error) {
          if (error instanceof CofferError && error.status === 404 && error.code === 'SecretNotFound') {
            log.gone += 1;
            goneInARow += 1;
          } else {
            log.anomalies.push(`failed: ${String(error)}`);
            goneInARow = 0;
          }
        }
        if (log.live + log.gone + log.anomalies.length > 100_000) {
          log.anomalies.push('never gone');
          break;
        }
      }
      return log;
    }
    case 'close':
      await db.destroy();
      return null;
  }
}

parentPort!.on('message', (message: PeerRequest & { id: number }) => {
  handle(message).then(
    (result) => parentPort!.postMessage({ id: message.id, result } satisfies PeerReply),
    (error: unknown) => {
      const { status, code } = error instanceof CofferError ? error : { status: undefined, code: (error as { code?: string } | null)?.code };
      parentPort!.postMessage({ id: message.id, error: { status, code, message: String((error as Error)?.message ?? error) } } satisfies PeerReply);
    },
  );
});
parentPort!.postMessage({ id: 0, result: 'ready' } satisfies PeerReply);
