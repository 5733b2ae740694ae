// SetCertificateIssuer: PUT /certificates/issuers/{issuer-name} — adds the issuer or replaces it whole. The password
// (`credentials.pwd`) is sealed before it is stored and is never answered.
import { defineOperation } from '../../define-operation.js';
import { issuerId, toIssuerBundle } from '../wire/certificate-admin.js';
import { IssuerBody, issuerInput, IssuerNameParams, type CertificateContactsAndIssuersServices } from './contacts-issuers-schemas.js';

export default defineOperation({
  method: 'PUT',
  url: '/certificates/issuers/:name',
  operationName: 'CertificateIssuerSet',
  action: 'Microsoft.KeyVault/vaults/certificatecas/write',
  schema: { params: IssuerNameParams, body: IssuerBody },
  handle: async (ctx, { params, body }, { certificateIssuers }: CertificateContactsAndIssuersServices) => {
    const issuer = await certificateIssuers.setIssuer(ctx.vault, params.name, issuerInput(body));
    return { body: toIssuerBundle(ctx.baseUrl, issuer), objectUrl: issuerId(ctx.baseUrl, issuer.name) };
  },
});
