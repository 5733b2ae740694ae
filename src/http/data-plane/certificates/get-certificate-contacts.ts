// GetCertificateContacts: GET /certificates/contacts — the vault's contacts; 404 ContactsNotFound when it has none.
import { defineOperation } from '../../define-operation.js';
import { contactsId, toWireContacts } from '../wire/certificate-admin.js';
import type { CertificateContactsAndIssuersServices } from './contacts-issuers-schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/certificates/contacts',
  operationName: 'CertificateContactsGet',
  // CATALOG §3 (inferred there): reading contacts is granted by `vaults/*/read`, as Key Vault Reader has it.
  action: 'Microsoft.KeyVault/vaults/certificatecontacts/read',
  handle: async (ctx, _input, { certificateContacts }: CertificateContactsAndIssuersServices) => ({
    body: toWireContacts(ctx.baseUrl, await certificateContacts.getContacts(ctx.vault)),
    objectUrl: contactsId(ctx.baseUrl),
  }),
});
