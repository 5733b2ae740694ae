// DeleteCertificate: DELETE /certificates/{name} — soft-deletes every version with its key and secret.
import { defineOperation } from '../../define-operation.js';
import { certificateId, toDeletedCertificateBundle } from '../wire/certificate-bundles.js';
import { CertificateNameParams, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'DELETE',
  url: '/certificates/:name',
  operationName: 'CertificateDelete',
  action: 'Microsoft.KeyVault/vaults/certificates/delete',
  schema: { params: CertificateNameParams },
  handle: async (ctx, { params }, { certificates }: CertificatesServices) => {
    const result = await certificates.deleteCertificate(ctx.vault, params.name);
    return { body: toDeletedCertificateBundle(ctx.baseUrl, ctx.vault, result), objectUrl: certificateId(ctx.baseUrl, result) };
  },
});
