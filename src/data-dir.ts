// Opens a data directory: the database, the master key (checked against the one that initialized the
// directory) and the server-wide ids. Used by the server and by the CLI, so both unlock storage the same way.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createEnvelope, type Envelope } from './crypto/envelope.js';
import { loadMasterKey, type MasterKey } from './crypto/master-key.js';
import { StartupError } from './errors.js';
import { createMetaStore } from './store/meta.js';
import { isPostgresStore, openStore, type Db } from './store/open.js';
import type { AuditRecords } from './audit/last-use.js';

export interface OpenDataDir {
  db: Db;
  envelope: Envelope;
  masterKey: Pick<MasterKey, 'source' | 'location'>;
  tenantId: string;
  /** A stable id for this server in ARM-shaped resource ids (audit resourceId, later the management API). */
  subscriptionId: string;
  /** True when this call initialized an empty directory. */
  initialized: boolean;
}

export const DATABASE_FILE = 'coffer.db';
/** The audit log's own SQLite file (see audit/sinks/sqlite-worker-thread.ts for why it is separate). */
export const AUDIT_DATABASE_FILE = 'audit.db';
export const RESOURCE_GROUP = 'coffer';

/**
 * `store` (--store, COFFER_STORE_URL) names a PostgreSQL database to use instead of the SQLite file in the data
 * directory; the queryable audit records then live in it too, shared by every node (auditRecordsOf). The data
 * directory still holds the node's own files: the master key file (unless COFFER_MASTER_KEY), TLS material, the
 * administrator's credentials, the JSON-lines audit files.
 */
export async function openDataDir(opts: { dataDir: string; store?: string | undefined; masterKeyFromEnvironment: string | undefined; allowInitialize: boolean }): Promise<OpenDataDir> {
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const db = await openStore({ url: opts.store, file: path.join(opts.dataDir, DATABASE_FILE) });
  try {
    const meta = createMetaStore(db);
    const check = await meta.getMeta('master_key_check');
    const initializing = check === undefined;
    if (initializing && !opts.allowInitialize) {
      throw new StartupError(`${opts.dataDir} is not an initialized Coffer data directory; start the server once to create it.`);
    }
    const masterKey = await loadMasterKey({ dataDir: opts.dataDir, environmentValue: opts.masterKeyFromEnvironment, createIfMissing: initializing });
    const envelope = createEnvelope({ masterKey: masterKey.key });
    if (initializing) {
      await meta.insertMetaOnce('master_key_check', envelope.createMasterKeyCheck());
    }
    const storedCheck = (await meta.getMeta('master_key_check'))!;
    if (!envelope.verifyMasterKeyCheck(storedCheck)) {
      throw new StartupError(
        `The master key from ${masterKey.location} is not the one that initialized ${opts.dataDir}. ` +
          'Supply the original key (the master.key file or COFFER_MASTER_KEY); without it the stored data cannot be decrypted.',
      );
    }
    const tenantId = await meta.insertMetaOnce('tenant_id', randomUUID());
    const subscriptionId = await meta.insertMetaOnce('subscription_id', randomUUID());
    return { db, envelope, masterKey: { source: masterKey.source, location: masterKey.location }, tenantId, subscriptionId, initialized: initializing };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/** Where the queryable audit records are kept: the shared store on PostgreSQL, else audit.db in the data directory. */
export function auditRecordsOf(opened: Pick<OpenDataDir, 'db'>, dataDir: string): AuditRecords {
  return isPostgresStore(opened.db) ? { db: opened.db } : { file: path.join(dataDir, AUDIT_DATABASE_FILE) };
}
