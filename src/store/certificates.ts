// Certificate policies, pending create operations and built-in CAs. Every function takes the vault id first, so
// no query crosses vaults by accident — except `findInProgress` and `listPolicies`, the scheduler's scans across vaults.
import type { Selectable } from 'kysely';
import { nameKey } from '../domain/objects/names.js';
import type { CertificatePolicy } from '../domain/certificates/certificate-policy.js';
import type { StoredAuthority, StoredCertificateOperation, StoredCertificatePolicy } from '../domain/certificates/stored-certificate.js';
import type { Db } from './open.js';
import type { CertificateOperationsTable } from './schema.js';
import { retryingTransaction } from './transactions.js';

export interface CertificateStore {
  getPolicy(vaultId: string, name: string): Promise<StoredCertificatePolicy | undefined>;
  /** Inserts or replaces; `createdAt` of an existing policy is kept. */
  putPolicy(policy: StoredCertificatePolicy): Promise<void>;
  /**
   * Policies across vaults, in (vault id, name key) order after `after` (the last one of the previous page), for the
   * scheduler. `name` is the case-folded name key: the certificate object holds the name as the caller wrote it.
   */
  listPolicies(after: { vaultId: string; nameKey: string } | undefined, limit: number): Promise<StoredCertificatePolicy[]>;

  getOperation(vaultId: string, name: string): Promise<StoredCertificateOperation | undefined>;
  /** Inserts or replaces the one operation of a name. */
  putOperation(operation: StoredCertificateOperation): Promise<void>;
  /**
   * Inserts or replaces the one operation of a name unless that one is still in progress: false then, and nothing
   * changes. One statement, so of two requests starting an operation on one name at once exactly one succeeds.
   */
  startOperation(operation: StoredCertificateOperation): Promise<boolean>;
  deleteOperation(vaultId: string, name: string): Promise<void>;
  /**
   * In-progress operations of names that have no certificate object yet (a first version still pending), in name-key
   * order after `afterNameKey`: what GetCertificates adds with `includePending`.
   */
  listPendingFirstVersions(vaultId: string, afterNameKey: string | undefined, limit: number): Promise<StoredCertificateOperation[]>;
  /** Operations still in progress and not touched since `updatedBefore`, across vaults (a stopped server's leftovers). */
  findInProgress(updatedBefore: number, limit: number): Promise<StoredCertificateOperation[]>;

  getAuthority(vaultId: string): Promise<StoredAuthority | undefined>;
  /** Inserts once; a concurrent second insert keeps the first and returns it. */
  insertAuthorityOnce(authority: StoredAuthority): Promise<StoredAuthority>;

  transaction<T>(fn: (tx: CertificateStore) => Promise<T>): Promise<T>;
}

export function createCertificateStore(db: Db): CertificateStore {
  const store: CertificateStore = {
    async getPolicy(vaultId, name) {
      const row = await db.selectFrom('certificate_policies').selectAll().where('vault_id', '=', vaultId).where('name_key', '=', nameKey(name)).executeTakeFirst();
      return row && { vaultId: row.vault_id, name, policy: JSON.parse(row.policy) as CertificatePolicy, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
    },
    async putPolicy(p) {
      await db
        .insertInto('certificate_policies')
        .values({ vault_id: p.vaultId, name_key: nameKey(p.name), policy: JSON.stringify(p.policy), created_at: p.createdAt, updated_at: p.updatedAt })
        .onConflict((conflict) => conflict.columns(['vault_id', 'name_key']).doUpdateSet({ policy: JSON.stringify(p.policy), updated_at: p.updatedAt }))
        .execute();
    },
    async listPolicies(after, limit) {
      let query = db.selectFrom('certificate_policies').selectAll().orderBy('vault_id').orderBy('name_key').limit(limit);
      if (after) {
        query = query.where((eb) =>
          eb.or([eb('vault_id', '>', after.vaultId), eb.and([eb('vault_id', '=', after.vaultId), eb('name_key', '>', after.nameKey)])]),
        );
      }
      const rows = await query.execute();
      return rows.map((row) => ({
        vaultId: row.vault_id, name: row.name_key, policy: JSON.parse(row.policy) as CertificatePolicy, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at),
      }));
    },

    async getOperation(vaultId, name) {
      const row = await db.selectFrom('certificate_operations').selectAll().where('vault_id', '=', vaultId).where('name_key', '=', nameKey(name)).executeTakeFirst();
      return row && toOperation(row);
    },
    async putOperation(operation) {
      const row = toOperationRow(operation);
      const { vault_id: _vaultId, name_key: _nameKey, ...changes } = row;
      await db.insertInto('certificate_operations').values(row).onConflict((conflict) => conflict.columns(['vault_id', 'name_key']).doUpdateSet(changes)).execute();
    },
    async startOperation(operation) {
      const row = toOperationRow(operation);
      const { vault_id: _vaultId, name_key: _nameKey, ...changes } = row;
      const result = await db
        .insertInto('certificate_operations')
        .values(row)
        .onConflict((conflict) => conflict.columns(['vault_id', 'name_key']).doUpdateSet(changes).where('certificate_operations.status', '!=', 'inProgress'))
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async deleteOperation(vaultId, name) {
      await db.deleteFrom('certificate_operations').where('vault_id', '=', vaultId).where('name_key', '=', nameKey(name)).execute();
    },
    async listPendingFirstVersions(vaultId, afterNameKey, limit) {
      let query = db
        .selectFrom('certificate_operations as op')
        .selectAll('op')
        .where('op.vault_id', '=', vaultId)
        .where('op.status', '=', 'inProgress')
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('objects as o').select('o.id').whereRef('o.vault_id', '=', 'op.vault_id').where('o.kind', '=', 'certificate').whereRef('o.name_key', '=', 'op.name_key'))),
        )
        .orderBy('op.name_key')
        .limit(limit);
      if (afterNameKey !== undefined) query = query.where('op.name_key', '>', afterNameKey);
      return (await query.execute()).map(toOperation);
    },
    async findInProgress(updatedBefore, limit) {
      const rows = await db
        .selectFrom('certificate_operations')
        .selectAll()
        .where('status', '=', 'inProgress')
        .where('updated_at', '<', updatedBefore)
        // The longest-waiting first, on every store alike (PostgreSQL returns rows in no particular order).
        .orderBy('updated_at')
        .orderBy('vault_id')
        .orderBy('name_key')
        .limit(limit)
        .execute();
      return rows.map(toOperation);
    },

    async getAuthority(vaultId) {
      const row = await db.selectFrom('certificate_authorities').selectAll().where('vault_id', '=', vaultId).executeTakeFirst();
      return row && { vaultId: row.vault_id, certificate: row.certificate, sealedKey: row.sealed_key, createdAt: Number(row.created_at) };
    },
    async insertAuthorityOnce(authority) {
      await db
        .insertInto('certificate_authorities')
        .values({ vault_id: authority.vaultId, certificate: authority.certificate, sealed_key: authority.sealedKey, created_at: authority.createdAt })
        .onConflict((conflict) => conflict.column('vault_id').doNothing())
        .execute();
      return (await store.getAuthority(authority.vaultId)) ?? authority;
    },

    transaction: (fn) => retryingTransaction(db, (trx) => fn(createCertificateStore(trx))),
  };
  return store;
}

type OperationRow = Selectable<CertificateOperationsTable>;

function toOperationRow(o: StoredCertificateOperation): OperationRow {
  return {
    vault_id: o.vaultId,
    name_key: nameKey(o.name),
    name: o.name,
    request_id: o.requestId,
    status: o.status,
    status_details: o.statusDetails,
    issuer_name: o.issuerName,
    csr: o.csr,
    cancellation_requested: o.cancellationRequested ? 1 : 0,
    error: o.error === null ? null : JSON.stringify(o.error),
    version: o.version,
    policy: JSON.stringify(o.policy),
    version_attributes: JSON.stringify({ tags: o.tags }),
    sealed_key: o.sealedKey,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

function toOperation(row: OperationRow): StoredCertificateOperation {
  return {
    vaultId: row.vault_id,
    name: row.name,
    requestId: row.request_id,
    status: row.status as StoredCertificateOperation['status'],
    statusDetails: row.status_details,
    issuerName: row.issuer_name,
    csr: row.csr,
    cancellationRequested: Number(row.cancellation_requested) === 1,
    error: row.error === null ? null : (JSON.parse(row.error) as { code: string; message: string }),
    version: row.version,
    policy: JSON.parse(row.policy) as CertificatePolicy,
    tags: (JSON.parse(row.version_attributes) as { tags: Record<string, string> | null }).tags,
    sealedKey: row.sealed_key,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
