// CreateKey: POST /keys/{name}/create — generates a new key, or a new version of an existing one.
import { defineOperation } from '../../define-operation.js';
import { keyId, toKeyBundle } from '../wire/key-bundles.js';
import { CreateKeyBody, keyAttributesInput, KeyNameParams, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/keys/:name/create',
  operationName: 'KeyCreate',
  action: 'Microsoft.KeyVault/vaults/keys/create/action',
  schema: { params: KeyNameParams, body: CreateKeyBody },
  handle: async (ctx, { params, body }, { keys }: KeysServices) => {
    const result = await keys.createKey(ctx.vault, params.name, {
      kty: body.kty,
      keySize: body.key_size,
      publicExponent: body.public_exponent,
      crv: body.crv,
      keyOps: body.key_ops,
      tags: body.tags,
      attributes: keyAttributesInput(body.attributes),
      releasePolicy: body.release_policy,
    });
    return { body: toKeyBundle(ctx.baseUrl, ctx.vault, result), objectUrl: keyId(ctx.baseUrl, result) };
  },
});
