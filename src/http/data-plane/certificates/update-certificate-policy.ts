// UpdateCertificatePolicy: PATCH /certificates/{name}/policy — given members replace the current ones.
import { Type } from 'typebox';
import { toWireCertificatePolicy } from '../../../domain/certificates/certificate-policy.js';
import { defineOperation } from '../../define-operation.js';
import { objectUrl } from '../wire/object-ids.js';
import { CertificateNameParams, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'PATCH',
  url: '/certificates/:name/policy',
  operationName: 'CertificatePolicyUpdate',
  action: 'Microsoft.KeyVault/vaults/certificates/update/action',
  schema: { params: CertificateNameParams, body: Type.Record(Type.String(), Type.Unknown()) },
  handle: async (ctx, { params, body }, { certificates }: CertificatesServices) => {
    const found = await certificates.updatePolicy(ctx.vault, params.name, body);
    return {
      body: toWireCertificatePolicy(ctx.baseUrl, found.name, found.policy, { created: found.createdAt, updated: found.updatedAt }),
      objectUrl: objectUrl(ctx.baseUrl, 'certificates', found.name),
    };
  },
});
