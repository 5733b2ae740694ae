// RecoverDeletedKey: POST /deletedkeys/{name}/recover — undoes a soft delete; answers the latest version.
import { defineOperation } from '../../define-operation.js';
import { keyId, toKeyBundle } from '../wire/key-bundles.js';
import { KeyNameParams, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/deletedkeys/:name/recover',
  operationName: 'KeyRecover',
  action: 'Microsoft.KeyVault/vaults/keys/recover/action',
  schema: { params: KeyNameParams },
  handle: async (ctx, { params }, { keys }: KeysServices) => {
    const result = await keys.recoverDeletedKey(ctx.vault, params.name);
    return { body: toKeyBundle(ctx.baseUrl, ctx.vault, result), objectUrl: keyId(ctx.baseUrl, result) };
  },
});
