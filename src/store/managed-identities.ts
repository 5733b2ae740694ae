// Managed identities: the principal row (kind 'managedIdentity') plus the salted hash of the IDENTITY_HEADER its
// workload presents, found by the header's public lookup id, and the addresses its IMDS-style requests may come from.
import type { Selectable } from 'kysely';
import type { ManagedIdentity, Principal } from '../domain/identities/principal.js';
import { principalRow } from './identities.js';
import type { Db } from './open.js';
import type { ManagedIdentitiesTable } from './schema.js';

export interface ManagedIdentityStore {
  /** Inserts the principal and its managed-identity row in one transaction. */
  insertManagedIdentity(principal: Principal, identity: ManagedIdentity): Promise<void>;
  getManagedIdentity(principalId: string): Promise<ManagedIdentity | undefined>;
  getManagedIdentityByLookupId(lookupId: string): Promise<ManagedIdentity | undefined>;
  /** Identities that IMDS-style requests without a header may get (a non-empty address list). */
  listImdsBoundIdentities(): Promise<ManagedIdentity[]>;
  replaceHeader(principalId: string, header: { lookupId: string; hash: string }, updatedAt: number): Promise<boolean>;
  setImdsAddresses(principalId: string, addresses: string[], updatedAt: number): Promise<boolean>;
}

export function createManagedIdentityStore(db: Db): ManagedIdentityStore {
  return {
    async insertManagedIdentity(principal, identity) {
      await db.transaction().execute((tx) => insertManagedIdentityRows(tx, principal, identity));
    },
    async getManagedIdentity(principalId) {
      const row = await db.selectFrom('managed_identities').selectAll().where('principal_id', '=', principalId).executeTakeFirst();
      return row && toManagedIdentity(row);
    },
    async getManagedIdentityByLookupId(lookupId) {
      const row = await db.selectFrom('managed_identities').selectAll().where('header_lookup_id', '=', lookupId).executeTakeFirst();
      return row && toManagedIdentity(row);
    },
    async listImdsBoundIdentities() {
      const rows = await db.selectFrom('managed_identities').selectAll().where('imds_addresses', '!=', '[]').execute();
      return rows.map(toManagedIdentity).filter((identity) => identity.imdsAddresses.length > 0);
    },
    async replaceHeader(principalId, header, updatedAt) {
      const result = await db
        .updateTable('managed_identities')
        .set({ header_lookup_id: header.lookupId, header_hash: header.hash, updated_at: updatedAt })
        .where('principal_id', '=', principalId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async setImdsAddresses(principalId, addresses, updatedAt) {
      const result = await db
        .updateTable('managed_identities')
        .set({ imds_addresses: JSON.stringify(addresses), updated_at: updatedAt })
        .where('principal_id', '=', principalId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

/**
 * Writes a managed identity's principal row and its own row with `tx`, the transaction of a caller that writes more
 * alongside (an ARM user-assigned identity, store/user-assigned-identities.ts).
 */
export async function insertManagedIdentityRows(tx: Db, principal: Principal, identity: ManagedIdentity): Promise<void> {
  await tx.insertInto('principals').values(principalRow({ ...principal, kind: 'managedIdentity', isAdmin: false }, identity.createdAt)).execute();
  await tx
    .insertInto('managed_identities')
    .values({
      principal_id: identity.principalId,
      header_lookup_id: identity.headerLookupId,
      header_hash: identity.headerHash,
      imds_addresses: JSON.stringify(identity.imdsAddresses),
      created_at: identity.createdAt,
      updated_at: identity.updatedAt,
    })
    .execute();
}

function toManagedIdentity(row: Selectable<ManagedIdentitiesTable>): ManagedIdentity {
  const addresses: unknown = JSON.parse(row.imds_addresses);
  return {
    principalId: row.principal_id,
    headerLookupId: row.header_lookup_id,
    headerHash: row.header_hash,
    imdsAddresses: Array.isArray(addresses) ? addresses.filter((address): address is string => typeof address === 'string') : [],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
