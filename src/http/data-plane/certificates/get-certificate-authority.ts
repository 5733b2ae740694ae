// Coffer's own route: GET /_coffer/certificate-authority — the vault's built-in CA certificate (DER as base64, and
// PEM), for clients to trust certificates issued by an issuer whose provider is 'Coffer'. Azure has no such CA.
import { defineOperation } from '../../define-operation.js';
import type { CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/_coffer/certificate-authority',
  operationName: 'CofferCertificateAuthorityGet',
  action: 'Microsoft.KeyVault/vaults/certificatecas/read',
  handle: async (ctx, _input, { certificates }: CertificatesServices) => {
    const { certDer } = await certificates.certificateAuthority(ctx.vault);
    const base64 = certDer.toString('base64');
    const pem = `-----BEGIN CERTIFICATE-----\n${base64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
    return { body: { cer: base64, pem } };
  },
});
