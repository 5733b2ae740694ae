// UpdateCertificateOperation: PATCH /certificates/{name}/pending — requests cancellation of the operation.
import { defineOperation } from '../../define-operation.js';
import { toCertificateOperation } from '../wire/certificate-bundles.js';
import { objectUrl } from '../wire/object-ids.js';
import { CertificateNameParams, UpdateCertificateOperationBody, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'PATCH',
  url: '/certificates/:name/pending',
  operationName: 'CertificatePendingUpdate',
  action: 'Microsoft.KeyVault/vaults/certificates/update/action',
  schema: { params: CertificateNameParams, body: UpdateCertificateOperationBody },
  handle: async (ctx, { params, body }, { certificates }: CertificatesServices) => {
    const operation = await certificates.cancelOperation(ctx.vault, params.name, body.cancellation_requested);
    return { body: toCertificateOperation(ctx.baseUrl, operation), objectUrl: objectUrl(ctx.baseUrl, 'certificates', operation.name) };
  },
});
