// UpdateCertificate: PATCH /certificates/{name}/{version} — enabled and tags (carried to the key and secret), policy.
import { defineOperation } from '../../define-operation.js';
import { certificateId, toCertificateBundle } from '../wire/certificate-bundles.js';
import { versionParam } from '../wire/object-ids.js';
import { certificateAttributesInput, CertificateVersionParams, UpdateCertificateBody, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'PATCH',
  url: ['/certificates/:name', '/certificates/:name/:version'],
  operationName: 'CertificateUpdate',
  action: 'Microsoft.KeyVault/vaults/certificates/update/action',
  schema: { params: CertificateVersionParams, body: UpdateCertificateBody },
  handle: async (ctx, { params, body }, { certificates }: CertificatesServices) => {
    const result = await certificates.updateCertificate(ctx.vault, params.name, versionParam(params.version), {
      attributes: certificateAttributesInput(body.attributes),
      tags: body.tags,
      policy: body.policy,
    });
    return { body: toCertificateBundle(ctx.baseUrl, ctx.vault, result), objectUrl: certificateId(ctx.baseUrl, result) };
  },
});
