// GetKey: GET /keys/{name}/{version}; an absent or empty version reads the latest one. Public members only.
import { defineOperation } from '../../define-operation.js';
import { keyId, toKeyBundle } from '../wire/key-bundles.js';
import { versionParam } from '../wire/object-ids.js';
import { KeyVersionParams, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: ['/keys/:name', '/keys/:name/:version'],
  operationName: 'KeyGet',
  action: 'Microsoft.KeyVault/vaults/keys/read',
  schema: { params: KeyVersionParams },
  handle: async (ctx, { params }, { keys }: KeysServices) => {
    const result = await keys.getKey(ctx.vault, params.name, versionParam(params.version));
    return { body: toKeyBundle(ctx.baseUrl, ctx.vault, result), objectUrl: keyId(ctx.baseUrl, result) };
  },
});
