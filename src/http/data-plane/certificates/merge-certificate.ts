// MergeCertificate: POST /certificates/{name}/pending/merge — the certificate signed outside (issuer Unknown) joins
// the pending key; 201 with the new version. A certificate whose public key is not the pending key's is refused.
import { errors } from '../../../errors.js';
import { defineOperation } from '../../define-operation.js';
import { certificateId, toCertificateBundle } from '../wire/certificate-bundles.js';
import { certificateAttributesInput, CertificateNameParams, MergeCertificateBody, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/certificates/:name/pending/merge',
  operationName: 'CertificatePendingMerge',
  action: 'Microsoft.KeyVault/vaults/certificates/create/action',
  schema: { params: CertificateNameParams, body: MergeCertificateBody },
  handle: async (ctx, { params, body }, { certificates }: CertificatesServices) => {
    const x5c = body.x5c.map((entry) => {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(entry)) throw errors.badParameter('x5c entries must be base64 DER certificates.');
      return Buffer.from(entry, 'base64');
    });
    const result = await certificates.mergeCertificate(ctx.vault, params.name, { x5c, attributes: certificateAttributesInput(body.attributes), tags: body.tags });
    return { status: 201, body: toCertificateBundle(ctx.baseUrl, ctx.vault, result), objectUrl: certificateId(ctx.baseUrl, result) };
  },
});
