// DeleteCertificateContacts: DELETE /certificates/contacts — removes the vault's contacts and answers them.
import { defineOperation } from '../../define-operation.js';
import { contactsId, toWireContacts } from '../wire/certificate-admin.js';
import type { CertificateContactsAndIssuersServices } from './contacts-issuers-schemas.js';

export default defineOperation({
  method: 'DELETE',
  url: '/certificates/contacts',
  operationName: 'CertificateContactsDelete',
  action: 'Microsoft.KeyVault/vaults/certificatecontacts/write',
  handle: async (ctx, _input, { certificateContacts }: CertificateContactsAndIssuersServices) => ({
    body: toWireContacts(ctx.baseUrl, await certificateContacts.deleteContacts(ctx.vault)),
    objectUrl: contactsId(ctx.baseUrl),
  }),
});
