// CreateCertificate: POST /certificates/{name}/create — starts issuance; answers the operation, 202 inProgress.
import { defineOperation } from '../../define-operation.js';
import { toCertificateOperation } from '../wire/certificate-bundles.js';
import { objectUrl } from '../wire/object-ids.js';
import { certificateAttributesInput, CertificateNameParams, CreateCertificateBody, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/certificates/:name/create',
  operationName: 'CertificateCreate',
  action: 'Microsoft.KeyVault/vaults/certificates/create/action',
  schema: { params: CertificateNameParams, body: CreateCertificateBody },
  handle: async (ctx, { params, body }, { certificates }: CertificatesServices) => {
    const operation = await certificates.createCertificate(ctx.vault, params.name, {
      policy: body.policy,
      attributes: certificateAttributesInput(body.attributes),
      tags: body.tags,
    });
    return { status: 202, body: toCertificateOperation(ctx.baseUrl, operation), objectUrl: objectUrl(ctx.baseUrl, 'certificates', operation.name) };
  },
});
