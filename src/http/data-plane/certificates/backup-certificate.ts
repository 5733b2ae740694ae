// BackupCertificate: POST /certificates/{name}/backup — every version with its key and secret, and the policy, in
// one opaque, encrypted, integrity-protected blob.
import { defineOperation } from '../../define-operation.js';
import { objectUrl } from '../wire/object-ids.js';
import { CertificateNameParams, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/certificates/:name/backup',
  operationName: 'CertificateBackup',
  action: 'Microsoft.KeyVault/vaults/certificates/backup/action',
  schema: { params: CertificateNameParams },
  handle: async (ctx, { params }, { certificates }: CertificatesServices) => {
    const blob = await certificates.backupCertificate(ctx.vault, params.name);
    return { body: { value: blob.toString('base64url') }, objectUrl: objectUrl(ctx.baseUrl, 'certificates', params.name) };
  },
});
