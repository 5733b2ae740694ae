// SetCertificateContacts: PUT /certificates/contacts — replaces the vault's contacts; an empty list removes them.
import { defineOperation } from '../../define-operation.js';
import { contactsId, toWireContacts } from '../wire/certificate-admin.js';
import { contactsInput, SetContactsBody, type CertificateContactsAndIssuersServices } from './contacts-issuers-schemas.js';

export default defineOperation({
  method: 'PUT',
  url: '/certificates/contacts',
  operationName: 'CertificateContactsSet',
  action: 'Microsoft.KeyVault/vaults/certificatecontacts/write',
  schema: { body: SetContactsBody },
  handle: async (ctx, { body }, { certificateContacts }: CertificateContactsAndIssuersServices) => ({
    body: toWireContacts(ctx.baseUrl, await certificateContacts.setContacts(ctx.vault, contactsInput(body.contacts))),
    objectUrl: contactsId(ctx.baseUrl),
  }),
});
