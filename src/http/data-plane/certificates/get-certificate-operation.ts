// GetCertificateOperation: GET /certificates/{name}/pending — what the SDK's create poller polls.
import { defineOperation } from '../../define-operation.js';
import { toCertificateOperation } from '../wire/certificate-bundles.js';
import { objectUrl } from '../wire/object-ids.js';
import { CertificateNameParams, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/certificates/:name/pending',
  operationName: 'CertificatePendingGet',
  action: 'Microsoft.KeyVault/vaults/certificates/read',
  schema: { params: CertificateNameParams },
  handle: async (ctx, { params }, { certificates }: CertificatesServices) => {
    const operation = await certificates.getOperation(ctx.vault, params.name);
    return { body: toCertificateOperation(ctx.baseUrl, operation), objectUrl: objectUrl(ctx.baseUrl, 'certificates', operation.name) };
  },
});
