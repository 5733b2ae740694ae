// GetDeletedCertificate: GET /deletedcertificates/{name}. The SDK's delete poller waits on this answering 200.
import { defineOperation } from '../../define-operation.js';
import { toDeletedCertificateBundle } from '../wire/certificate-bundles.js';
import { objectUrl } from '../wire/object-ids.js';
import { CertificateNameParams, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/deletedcertificates/:name',
  operationName: 'CertificateGetDeleted',
  action: 'Microsoft.KeyVault/vaults/certificates/read',
  schema: { params: CertificateNameParams },
  handle: async (ctx, { params }, { certificates }: CertificatesServices) => {
    const result = await certificates.getDeletedCertificate(ctx.vault, params.name);
    return { body: toDeletedCertificateBundle(ctx.baseUrl, ctx.vault, result), objectUrl: objectUrl(ctx.baseUrl, 'deletedcertificates', result.object.name) };
  },
});
