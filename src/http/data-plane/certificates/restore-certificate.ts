// RestoreCertificate: POST /certificates/restore — re-creates a certificate with its key, secret and policy from a
// backup blob of this server.
import { Type } from 'typebox';
import { errors } from '../../../errors.js';
import { defineOperation } from '../../define-operation.js';
import { RESTORE_BODY_LIMIT } from '../secrets/restore-secret.js';
import { certificateId, toCertificateBundle } from '../wire/certificate-bundles.js';
import type { CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/certificates/restore',
  operationName: 'CertificateRestore',
  action: 'Microsoft.KeyVault/vaults/certificates/restore/action',
  schema: { body: Type.Object({ value: Type.String({ minLength: 1 }) }) },
  // A certificate's blob holds three objects' versions.
  bodyLimit: 3 * RESTORE_BODY_LIMIT,
  handle: async (ctx, { body }, { certificates }: CertificatesServices) => {
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(body.value)) throw errors.malformedBackup();
    const result = await certificates.restoreCertificate(ctx.vault, Buffer.from(body.value, 'base64url'));
    return { body: toCertificateBundle(ctx.baseUrl, ctx.vault, result), objectUrl: certificateId(ctx.baseUrl, result) };
  },
});
