// Certificate contacts and issuers → Azure's JSON (certificates.json 2026-04-01): Contacts, IssuerBundle and
// CertificateIssuerItem. IssuerCredentials has `account_id` and `pwd`; `pwd` is write-only: Azure never answers it,
// and nothing here can, since the domain's Issuer carries no password. Optional members are left out, not null.
import type { CertificateContact } from '../../../domain/certificates/contacts.js';
import type { Issuer } from '../../../domain/certificates/issuers.js';

export function contactsId(baseUrl: string): string {
  return `${baseUrl}/certificates/contacts`;
}

export function issuerId(baseUrl: string, name: string): string {
  return `${baseUrl}/certificates/issuers/${name}`;
}

/** Contacts: `{ id, contacts: [{ email, name?, phone? }] }`. */
export function toWireContacts(baseUrl: string, contacts: readonly CertificateContact[]) {
  return {
    id: contactsId(baseUrl),
    contacts: contacts.map((contact) => ({
      email: contact.email,
      ...(contact.name === undefined ? {} : { name: contact.name }),
      ...(contact.phone === undefined ? {} : { phone: contact.phone }),
    })),
  };
}

/**
 * IssuerBundle: `{ id, provider, credentials?: { account_id }, org_details?: { id?, admin_details?: [{ first_name?,
 * last_name?, email?, phone? }] }, attributes: { enabled, created, updated } }`.
 * Divergence: Azure's answers also carry `org_details.zip: 0`, a member the spec does not define; it is left out.
 */
export function toIssuerBundle(baseUrl: string, issuer: Issuer) {
  const { organization } = issuer;
  return {
    id: issuerId(baseUrl, issuer.name),
    provider: issuer.provider,
    ...(issuer.accountId === null ? {} : { credentials: { account_id: issuer.accountId } }),
    ...(organization === null
      ? {}
      : {
          org_details: {
            ...(organization.id === undefined ? {} : { id: organization.id }),
            ...(organization.admins === undefined
              ? {}
              : {
                  admin_details: organization.admins.map((admin) => ({
                    ...(admin.firstName === undefined ? {} : { first_name: admin.firstName }),
                    ...(admin.lastName === undefined ? {} : { last_name: admin.lastName }),
                    ...(admin.email === undefined ? {} : { email: admin.email }),
                    ...(admin.phone === undefined ? {} : { phone: admin.phone }),
                  })),
                }),
          },
        }),
    attributes: { enabled: issuer.enabled, created: issuer.created, updated: issuer.updated },
  };
}

/** CertificateIssuerItem: `{ id, provider }`, as GetCertificateIssuers lists it. */
export function toIssuerItem(baseUrl: string, issuer: Issuer) {
  return { id: issuerId(baseUrl, issuer.name), provider: issuer.provider };
}
