// PurgeDeletedCertificate: DELETE /deletedcertificates/{name} — erases it, its key and its secret for good (204).
import { defineOperation } from '../../define-operation.js';
import { objectUrl } from '../wire/object-ids.js';
import { CertificateNameParams, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'DELETE',
  url: '/deletedcertificates/:name',
  operationName: 'CertificatePurge',
  action: 'Microsoft.KeyVault/vaults/certificates/purge/action',
  schema: { params: CertificateNameParams },
  handle: async (ctx, { params }, { certificates }: CertificatesServices) => {
    await certificates.purgeDeletedCertificate(ctx.vault, params.name);
    return { status: 204, objectUrl: objectUrl(ctx.baseUrl, 'deletedcertificates', params.name) };
  },
});
