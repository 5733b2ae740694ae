// A vault's certificate contacts (GetCertificateContacts, SetCertificateContacts, DeleteCertificateContacts): the
// people Key Vault tells when a certificate nears expiry (a policy's EmailContacts action). One list per vault.
//
// Azure's behaviour, from its recorded answers (azure-sdk-for-js recording "can set, read and delete a certificate's
// contacts"): Delete answers the list it removed, and Get on a vault without contacts answers 404 ContactsNotFound.
// A vault whose list was set empty has no contacts either (hashicorp/terraform-provider-azurerm#30461: after setting
// an empty list, Get answered 404 and so did Delete).
import { unixSeconds, type Clock } from '../../clock.js';
import { errors } from '../../errors.js';
import type { CertificateContactsStore } from '../../store/certificate-contacts.js';
import type { Vault } from '../vaults/vault.js';

export interface CertificateContact {
  email: string;
  name?: string;
  phone?: string;
}

/** A contact as the caller sent it; `null` stands for absent. */
export interface CertificateContactInput {
  email?: string | null;
  name?: string | null;
  phone?: string | null;
}

/** Azure does not publish its rule; this one refuses what no mail system accepts: no '@', spaces, empty parts. */
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)*$/;

export function isValidEmailAddress(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/** Checks every contact before anything is stored, so bad input changes nothing. */
export function parseContacts(input: readonly CertificateContactInput[] | undefined | null): CertificateContact[] {
  if (input === undefined || input === null) throw errors.badParameter('Property contacts is required.');
  return input.map((contact, index) => {
    const at = `contacts[${index}]`;
    if (contact.email === undefined || contact.email === null || contact.email === '') {
      throw errors.badParameter(`Property ${at}.email is required: every contact needs an email address.`);
    }
    if (!isValidEmailAddress(contact.email)) {
      throw errors.badParameter(`Property ${at}.email has invalid value. '${contact.email}' is not an email address.`);
    }
    return {
      email: contact.email,
      ...(contact.name === undefined || contact.name === null ? {} : { name: contact.name }),
      ...(contact.phone === undefined || contact.phone === null ? {} : { phone: contact.phone }),
    };
  });
}

export type CertificateContactsService = ReturnType<typeof createCertificateContactsService>;

export function createCertificateContactsService(deps: { store: CertificateContactsStore; clock: Clock }) {
  const { store, clock } = deps;
  return {
    async getContacts(vault: Vault): Promise<CertificateContact[]> {
      const contacts = await store.get(vault.id);
      if (contacts === undefined) throw errors.contactsNotFound();
      return contacts;
    },

    /** Replaces the vault's list (PUT semantics); an empty list leaves the vault without contacts. */
    async setContacts(vault: Vault, input: readonly CertificateContactInput[] | undefined | null): Promise<CertificateContact[]> {
      const contacts = parseContacts(input);
      if (contacts.length === 0) await store.delete(vault.id);
      else await store.put(vault.id, contacts, unixSeconds(clock));
      return contacts;
    },

    /** Removes the vault's list and answers it, as Azure does; 404 when there was none. */
    async deleteContacts(vault: Vault): Promise<CertificateContact[]> {
      const removed = await store.delete(vault.id);
      if (removed === undefined) throw errors.contactsNotFound();
      return removed;
    },
  };
}
