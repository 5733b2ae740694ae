// BackupSecret: POST /secrets/{name}/backup — every version in one opaque, encrypted, integrity-protected blob.
import { defineOperation } from '../../define-operation.js';
import { objectUrl } from '../wire/object-ids.js';
import { SecretNameParams, type SecretsServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/secrets/:name/backup',
  operationName: 'SecretBackup',
  action: 'Microsoft.KeyVault/vaults/secrets/backup/action',
  schema: { params: SecretNameParams },
  handle: async (ctx, { params }, { secrets }: SecretsServices) => {
    const blob = await secrets.backupSecret(ctx.vault, params.name);
    return { body: { value: blob.toString('base64url') }, objectUrl: objectUrl(ctx.baseUrl, 'secrets', params.name) };
  },
});
