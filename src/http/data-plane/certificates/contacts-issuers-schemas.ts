// Request schemas of the certificate contacts and issuers operations (certificates.json 2026-04-01: Contacts,
// CertificateIssuerSetParameters, CertificateIssuerUpdateParameters). They pin the JSON types only; required members,
// email addresses, issuer names and providers are checked by the domain, which words Azure's errors. Members a
// client may echo back (`id`, `attributes.created`) are allowed and ignored; `null` counts as absent.
import { Type, type TSchema } from 'typebox';
import type { CertificateContactInput, CertificateContactsService } from '../../../domain/certificates/contacts.js';
import type { CertificateIssuerService, IssuerInput } from '../../../domain/certificates/issuers.js';

const nullable = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

export const IssuerNameParams = Type.Object({ name: Type.String() });

const Contact = Type.Object({ email: nullable(Type.String()), name: nullable(Type.String()), phone: nullable(Type.String()) });

export const SetContactsBody = Type.Object({ contacts: nullable(Type.Array(Contact)) });

const IssuerCredentials = Type.Object({ account_id: nullable(Type.String()), pwd: nullable(Type.String()) });

const AdministratorDetails = Type.Object({
  first_name: nullable(Type.String()),
  last_name: nullable(Type.String()),
  email: nullable(Type.String()),
  phone: nullable(Type.String()),
});

const OrganizationDetails = Type.Object({ id: nullable(Type.String()), admin_details: nullable(Type.Array(AdministratorDetails)) });

const IssuerAttributes = Type.Object({ enabled: nullable(Type.Boolean()) });

/** SetCertificateIssuer and UpdateCertificateIssuer share one shape; only Set requires `provider` (domain-checked). */
export const IssuerBody = Type.Object({
  provider: nullable(Type.String()),
  credentials: nullable(IssuerCredentials),
  org_details: nullable(OrganizationDetails),
  attributes: nullable(IssuerAttributes),
});

type Nullable<T> = T | null | undefined;

interface WireContact {
  email?: Nullable<string>;
  name?: Nullable<string>;
  phone?: Nullable<string>;
}

interface WireIssuerBody {
  provider?: Nullable<string>;
  credentials?: Nullable<{ account_id?: Nullable<string>; pwd?: Nullable<string> }>;
  org_details?: Nullable<{
    id?: Nullable<string>;
    admin_details?: Nullable<Array<{ first_name?: Nullable<string>; last_name?: Nullable<string>; email?: Nullable<string>; phone?: Nullable<string> }>>;
  }>;
  attributes?: Nullable<{ enabled?: Nullable<boolean> }>;
}

export interface CertificateContactsAndIssuersServices {
  certificateContacts: CertificateContactsService;
  certificateIssuers: CertificateIssuerService;
}

export function contactsInput(contacts: Nullable<WireContact[]>): CertificateContactInput[] | null | undefined {
  return contacts && contacts.map((contact) => ({ email: contact.email, name: contact.name, phone: contact.phone }));
}

/** Azure's names → ours (`pwd` → password, `org_details.admin_details` → organization.admins). */
export function issuerInput(body: WireIssuerBody): IssuerInput {
  const { credentials, org_details: organization, attributes } = body;
  return {
    provider: body.provider,
    credentials: credentials && { accountId: credentials.account_id, password: credentials.pwd },
    organization: organization && {
      id: organization.id,
      admins:
        organization.admin_details &&
        organization.admin_details.map((admin) => ({ firstName: admin.first_name, lastName: admin.last_name, email: admin.email, phone: admin.phone })),
    },
    enabled: attributes?.enabled,
  };
}
