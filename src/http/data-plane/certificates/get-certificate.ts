// GetCertificate: GET /certificates/{name}/{version}; an absent or empty version reads the latest one.
import { defineOperation } from '../../define-operation.js';
import { certificateId, toCertificateBundle } from '../wire/certificate-bundles.js';
import { versionParam } from '../wire/object-ids.js';
import { CertificateVersionParams, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: ['/certificates/:name', '/certificates/:name/:version'],
  operationName: 'CertificateGet',
  action: 'Microsoft.KeyVault/vaults/certificates/read',
  schema: { params: CertificateVersionParams },
  handle: async (ctx, { params }, { certificates }: CertificatesServices) => {
    const result = await certificates.getCertificate(ctx.vault, params.name, versionParam(params.version));
    return { body: toCertificateBundle(ctx.baseUrl, ctx.vault, result), objectUrl: certificateId(ctx.baseUrl, result) };
  },
});
