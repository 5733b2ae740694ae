// DeleteCertificateOperation: DELETE /certificates/{name}/pending — forgets the operation; answers it as it was.
import { defineOperation } from '../../define-operation.js';
import { toCertificateOperation } from '../wire/certificate-bundles.js';
import { objectUrl } from '../wire/object-ids.js';
import { CertificateNameParams, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'DELETE',
  url: '/certificates/:name/pending',
  operationName: 'CertificatePendingDelete',
  action: 'Microsoft.KeyVault/vaults/certificates/delete',
  schema: { params: CertificateNameParams },
  handle: async (ctx, { params }, { certificates }: CertificatesServices) => {
    const operation = await certificates.deleteOperation(ctx.vault, params.name);
    return { body: toCertificateOperation(ctx.baseUrl, operation), objectUrl: objectUrl(ctx.baseUrl, 'certificates', operation.name) };
  },
});
