// RestoreKey: POST /keys/restore — re-creates a key, all versions, from a backup blob of this server.
import { errors } from '../../../errors.js';
import { defineOperation } from '../../define-operation.js';
import { RESTORE_BODY_LIMIT } from '../secrets/restore-secret.js';
import { keyId, toKeyBundle } from '../wire/key-bundles.js';
import { RestoreKeyBody, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/keys/restore',
  operationName: 'KeyRestore',
  action: 'Microsoft.KeyVault/vaults/keys/restore/action',
  schema: { body: RestoreKeyBody },
  bodyLimit: RESTORE_BODY_LIMIT,
  handle: async (ctx, { body }, { keys }: KeysServices) => {
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(body.value)) throw errors.malformedBackup();
    const result = await keys.restoreKey(ctx.vault, Buffer.from(body.value, 'base64url'));
    return { body: toKeyBundle(ctx.baseUrl, ctx.vault, result), objectUrl: keyId(ctx.baseUrl, result) };
  },
});
