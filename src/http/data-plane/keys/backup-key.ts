// BackupKey: POST /keys/{name}/backup — every version, material sealed, in one opaque integrity-protected blob.
import { defineOperation } from '../../define-operation.js';
import { objectUrl } from '../wire/object-ids.js';
import { KeyNameParams, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/keys/:name/backup',
  operationName: 'KeyBackup',
  action: 'Microsoft.KeyVault/vaults/keys/backup/action',
  schema: { params: KeyNameParams },
  handle: async (ctx, { params }, { keys }: KeysServices) => {
    const blob = await keys.backupKey(ctx.vault, params.name);
    return { body: { value: blob.toString('base64url') }, objectUrl: objectUrl(ctx.baseUrl, 'keys', params.name) };
  },
});
