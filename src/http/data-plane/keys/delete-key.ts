// DeleteKey: DELETE /keys/{name} — soft-deletes every version; the answer is the DeletedKeyBundle.
import { defineOperation } from '../../define-operation.js';
import { keyId, toDeletedKeyBundle } from '../wire/key-bundles.js';
import { KeyNameParams, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'DELETE',
  url: '/keys/:name',
  operationName: 'KeyDelete',
  action: 'Microsoft.KeyVault/vaults/keys/delete',
  schema: { params: KeyNameParams },
  handle: async (ctx, { params }, { keys }: KeysServices) => {
    const result = await keys.deleteKey(ctx.vault, params.name);
    return { body: toDeletedKeyBundle(ctx.baseUrl, ctx.vault, result), objectUrl: keyId(ctx.baseUrl, result) };
  },
});
