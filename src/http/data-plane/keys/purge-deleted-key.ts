// PurgeDeletedKey: DELETE /deletedkeys/{name} — erases a soft-deleted key for good (204); refused under purge protection.
import { defineOperation } from '../../define-operation.js';
import { objectUrl } from '../wire/object-ids.js';
import { KeyNameParams, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'DELETE',
  url: '/deletedkeys/:name',
  operationName: 'KeyPurge',
  action: 'Microsoft.KeyVault/vaults/keys/purge/action',
  schema: { params: KeyNameParams },
  handle: async (ctx, { params }, { keys }: KeysServices) => {
    await keys.purgeDeletedKey(ctx.vault, params.name);
    return { status: 204, objectUrl: objectUrl(ctx.baseUrl, 'deletedkeys', params.name) };
  },
});
