// A vault's certificate contacts: one row per vault that has any. Every function takes the vault id first.
import type { CertificateContact } from '../domain/certificates/contacts.js';
import type { Db } from './open.js';

export interface CertificateContactsStore {
  /** The vault's contacts, or undefined when it has none. */
  get(vaultId: string): Promise<CertificateContact[] | undefined>;
  /** Inserts or replaces the vault's contacts. */
  put(vaultId: string, contacts: CertificateContact[], updatedAt: number): Promise<void>;
  /** Removes the vault's contacts and returns them; undefined when there were none. */
  delete(vaultId: string): Promise<CertificateContact[] | undefined>;
}

export function createCertificateContactsStore(db: Db): CertificateContactsStore {
  return {
    async get(vaultId) {
      const row = await db.selectFrom('certificate_contacts').select('contacts').where('vault_id', '=', vaultId).executeTakeFirst();
      return row && toContacts(row.contacts);
    },

    async put(vaultId, contacts, updatedAt) {
      const values = { vault_id: vaultId, contacts: JSON.stringify(contacts), updated_at: updatedAt };
      await db
        .insertInto('certificate_contacts')
        .values(values)
        .onConflict((conflict) => conflict.column('vault_id').doUpdateSet({ contacts: values.contacts, updated_at: updatedAt }))
        .execute();
    },

    async delete(vaultId) {
      // One statement (SQLite ≥ 3.35 and PostgreSQL both have RETURNING): two concurrent deletes cannot both answer the list.
      const row = await db.deleteFrom('certificate_contacts').where('vault_id', '=', vaultId).returning('contacts').executeTakeFirst();
      return row && toContacts(row.contacts);
    },
  };
}

function toContacts(text: string): CertificateContact[] {
  // Written only by put(), from contacts parseContacts validated.
  return JSON.parse(text) as CertificateContact[];
}
