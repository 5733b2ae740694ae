// GetCertificatePolicy: GET /certificates/{name}/policy.
import { toWireCertificatePolicy } from '../../../domain/certificates/certificate-policy.js';
import { defineOperation } from '../../define-operation.js';
import { objectUrl } from '../wire/object-ids.js';
import { CertificateNameParams, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/certificates/:name/policy',
  operationName: 'CertificatePolicyGet',
  action: 'Microsoft.KeyVault/vaults/certificates/read',
  schema: { params: CertificateNameParams },
  handle: async (ctx, { params }, { certificates }: CertificatesServices) => {
    const found = await certificates.getPolicy(ctx.vault, params.name);
    return {
      body: toWireCertificatePolicy(ctx.baseUrl, found.name, found.policy, { created: found.createdAt, updated: found.updatedAt }),
      objectUrl: objectUrl(ctx.baseUrl, 'certificates', found.name),
    };
  },
});
