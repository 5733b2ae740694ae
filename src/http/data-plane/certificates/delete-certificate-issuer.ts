// DeleteCertificateIssuer: DELETE /certificates/issuers/{issuer-name} — removes the issuer (no soft delete) and answers it.
import { defineOperation } from '../../define-operation.js';
import { issuerId, toIssuerBundle } from '../wire/certificate-admin.js';
import { IssuerNameParams, type CertificateContactsAndIssuersServices } from './contacts-issuers-schemas.js';

export default defineOperation({
  method: 'DELETE',
  url: '/certificates/issuers/:name',
  operationName: 'CertificateIssuerDelete',
  action: 'Microsoft.KeyVault/vaults/certificatecas/delete',
  schema: { params: IssuerNameParams },
  handle: async (ctx, { params }, { certificateIssuers }: CertificateContactsAndIssuersServices) => {
    const issuer = await certificateIssuers.deleteIssuer(ctx.vault, params.name);
    return { body: toIssuerBundle(ctx.baseUrl, issuer), objectUrl: issuerId(ctx.baseUrl, issuer.name) };
  },
});
