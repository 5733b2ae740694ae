// RotateKey: POST /keys/{name}/rotate — a new version like the current one, with the expiry its rotation policy gives.
import { defineOperation } from '../../define-operation.js';
import { keyId, toKeyBundle } from '../wire/key-bundles.js';
import { KeyNameParams, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/keys/:name/rotate',
  operationName: 'KeyRotate',
  action: 'Microsoft.KeyVault/vaults/keys/rotate/action',
  schema: { params: KeyNameParams },
  handle: async (ctx, { params }, { rotation }: KeysServices) => {
    const result = await rotation.rotate(ctx.vault, params.name);
    return { body: toKeyBundle(ctx.baseUrl, ctx.vault, result), objectUrl: keyId(ctx.baseUrl, result) };
  },
});
