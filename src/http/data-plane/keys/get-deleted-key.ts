// GetDeletedKey: GET /deletedkeys/{name}. The SDK's delete poller waits on this answering 200.
import { defineOperation } from '../../define-operation.js';
import { toDeletedKeyBundle } from '../wire/key-bundles.js';
import { objectUrl } from '../wire/object-ids.js';
import { KeyNameParams, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/deletedkeys/:name',
  operationName: 'KeyGetDeleted',
  action: 'Microsoft.KeyVault/vaults/keys/read',
  schema: { params: KeyNameParams },
  handle: async (ctx, { params }, { keys }: KeysServices) => {
    const result = await keys.getDeletedKey(ctx.vault, params.name);
    return { body: toDeletedKeyBundle(ctx.baseUrl, ctx.vault, result), objectUrl: objectUrl(ctx.baseUrl, 'deletedkeys', result.object.name) };
  },
});
