// RecoverDeletedCertificate: POST /deletedcertificates/{name}/recover — the certificate, key and secret come back.
import { defineOperation } from '../../define-operation.js';
import { certificateId, toCertificateBundle } from '../wire/certificate-bundles.js';
import { CertificateNameParams, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/deletedcertificates/:name/recover',
  operationName: 'CertificateRecover',
  action: 'Microsoft.KeyVault/vaults/certificates/recover/action',
  schema: { params: CertificateNameParams },
  handle: async (ctx, { params }, { certificates }: CertificatesServices) => {
    const result = await certificates.recoverDeletedCertificate(ctx.vault, params.name);
    return { body: toCertificateBundle(ctx.baseUrl, ctx.vault, result), objectUrl: certificateId(ctx.baseUrl, result) };
  },
});
