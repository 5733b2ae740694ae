// GetCertificateIssuer: GET /certificates/issuers/{issuer-name} — the IssuerBundle, without the password.
import { defineOperation } from '../../define-operation.js';
import { issuerId, toIssuerBundle } from '../wire/certificate-admin.js';
import { IssuerNameParams, type CertificateContactsAndIssuersServices } from './contacts-issuers-schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/certificates/issuers/:name',
  operationName: 'CertificateIssuerGet',
  action: 'Microsoft.KeyVault/vaults/certificatecas/read',
  schema: { params: IssuerNameParams },
  handle: async (ctx, { params }, { certificateIssuers }: CertificateContactsAndIssuersServices) => {
    const issuer = await certificateIssuers.getIssuer(ctx.vault, params.name);
    return { body: toIssuerBundle(ctx.baseUrl, issuer), objectUrl: issuerId(ctx.baseUrl, issuer.name) };
  },
});
