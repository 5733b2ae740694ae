// UpdateCertificateIssuer: PATCH /certificates/issuers/{issuer-name} — changes the members given, keeps the others.
import { defineOperation } from '../../define-operation.js';
import { issuerId, toIssuerBundle } from '../wire/certificate-admin.js';
import { IssuerBody, issuerInput, IssuerNameParams, type CertificateContactsAndIssuersServices } from './contacts-issuers-schemas.js';

export default defineOperation({
  method: 'PATCH',
  url: '/certificates/issuers/:name',
  operationName: 'CertificateIssuerUpdate',
  action: 'Microsoft.KeyVault/vaults/certificatecas/write',
  schema: { params: IssuerNameParams, body: IssuerBody },
  handle: async (ctx, { params, body }, { certificateIssuers }: CertificateContactsAndIssuersServices) => {
    const issuer = await certificateIssuers.updateIssuer(ctx.vault, params.name, issuerInput(body));
    return { body: toIssuerBundle(ctx.baseUrl, issuer), objectUrl: issuerId(ctx.baseUrl, issuer.name) };
  },
});
