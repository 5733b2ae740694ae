// A vault's certificate issuers. Every function takes the vault id first, so no query crosses vaults by accident.
// The password arrives sealed and leaves sealed: this module never sees it in clear.
import type { Selectable } from 'kysely';
import type { IssuerOrganization, StoredIssuer } from '../domain/certificates/issuers.js';
import { nameKey } from '../domain/objects/names.js';
import type { Db } from './open.js';
import type { CertificateIssuersTable } from './schema.js';

export interface CertificateIssuerStore {
  /** The issuer with this (case-insensitive) name, if any. */
  get(vaultId: string, name: string): Promise<StoredIssuer | undefined>;
  /** Issuers ordered by lower-case name, after `afterNameKey` when given. */
  list(vaultId: string, page: { afterNameKey: string | undefined; limit: number }): Promise<StoredIssuer[]>;
  /**
   * Reads the issuer and writes what `change` returns, in one transaction; `change` throws to write nothing.
   * Returns what was written.
   */
  change(vaultId: string, name: string, change: (current: StoredIssuer | undefined) => StoredIssuer): Promise<StoredIssuer>;
  /** Removes the issuer and returns it; undefined when there was none. */
  delete(vaultId: string, name: string): Promise<StoredIssuer | undefined>;
}

export function createCertificateIssuerStore(db: Db): CertificateIssuerStore {
  return {
    async get(vaultId, name) {
      const row = await db.selectFrom('certificate_issuers').selectAll().where('vault_id', '=', vaultId).where('name_key', '=', nameKey(name)).executeTakeFirst();
      return row && toStoredIssuer(row);
    },

    async list(vaultId, page) {
      let query = db.selectFrom('certificate_issuers').selectAll().where('vault_id', '=', vaultId);
      if (page.afterNameKey !== undefined) query = query.where('name_key', '>', page.afterNameKey);
      const rows = await query.orderBy('name_key').limit(page.limit).execute();
      return rows.map(toStoredIssuer);
    },

    async change(vaultId, name, change) {
      const key = nameKey(name);
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('certificate_issuers').selectAll().where('vault_id', '=', vaultId).where('name_key', '=', key).executeTakeFirst();
        const next = change(row && toStoredIssuer(row));
        // A caller bug, not a request error: the written issuer must be the one that was read.
        if (next.vaultId !== vaultId || nameKey(next.name) !== key) throw new Error(`issuer change moved '${name}' in vault ${vaultId}`);
        const values = toRow(next);
        const { vault_id: _vaultId, name_key: _nameKey, ...changes } = values;
        await trx
          .insertInto('certificate_issuers')
          .values(values)
          .onConflict((conflict) => conflict.columns(['vault_id', 'name_key']).doUpdateSet(changes))
          .execute();
        return next;
      });
    },

    async delete(vaultId, name) {
      // One statement (RETURNING: SQLite ≥ 3.35 and PostgreSQL): two concurrent deletes cannot both answer the issuer.
      const row = await db
        .deleteFrom('certificate_issuers')
        .where('vault_id', '=', vaultId)
        .where('name_key', '=', nameKey(name))
        .returningAll()
        .executeTakeFirst();
      return row && toStoredIssuer(row);
    },
  };
}

function toRow(issuer: StoredIssuer): Selectable<CertificateIssuersTable> {
  return {
    vault_id: issuer.vaultId,
    name_key: nameKey(issuer.name),
    name: issuer.name,
    id: issuer.id,
    provider: issuer.provider,
    account_id: issuer.accountId,
    sealed_password: issuer.sealedPassword,
    org_details: issuer.organization === null ? null : JSON.stringify(issuer.organization),
    enabled: issuer.enabled ? 1 : 0,
    created_at: issuer.created,
    updated_at: issuer.updated,
  };
}

function toStoredIssuer(row: Selectable<CertificateIssuersTable>): StoredIssuer {
  return {
    vaultId: row.vault_id,
    id: row.id,
    name: row.name,
    provider: row.provider,
    accountId: row.account_id,
    sealedPassword: row.sealed_password === null ? null : Buffer.from(row.sealed_password),
    // Written only by toRow(), from organization details the domain parsed.
    organization: row.org_details === null ? null : (JSON.parse(row.org_details) as IssuerOrganization),
    enabled: row.enabled === 1,
    created: Number(row.created_at),
    updated: Number(row.updated_at),
  };
}
