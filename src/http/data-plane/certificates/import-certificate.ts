// ImportCertificate: POST /certificates/{name}/import — a PFX (base64) or PEM with its private key, as a new version.
import { defineOperation } from '../../define-operation.js';
import { certificateId, toCertificateBundle } from '../wire/certificate-bundles.js';
import { certificateAttributesInput, CertificateNameParams, ImportCertificateBody, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/certificates/:name/import',
  operationName: 'CertificateImport',
  action: 'Microsoft.KeyVault/vaults/certificates/import/action',
  schema: { params: CertificateNameParams, body: ImportCertificateBody },
  handle: async (ctx, { params, body }, { certificates }: CertificatesServices) => {
    const result = await certificates.importCertificate(ctx.vault, params.name, {
      value: body.value,
      password: body.pwd,
      policy: body.policy,
      attributes: certificateAttributesInput(body.attributes),
      tags: body.tags,
    });
    return { body: toCertificateBundle(ctx.baseUrl, ctx.vault, result), objectUrl: certificateId(ctx.baseUrl, result) };
  },
});
