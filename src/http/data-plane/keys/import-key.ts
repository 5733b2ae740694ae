// ImportKey: PUT /keys/{name} — stores caller-supplied key material (a JWK with its private members) as a new version.
import { defineOperation } from '../../define-operation.js';
import { keyId, toKeyBundle } from '../wire/key-bundles.js';
import { ImportKeyBody, keyAttributesInput, KeyNameParams, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'PUT',
  url: '/keys/:name',
  operationName: 'KeyImport',
  action: 'Microsoft.KeyVault/vaults/keys/import/action',
  schema: { params: KeyNameParams, body: ImportKeyBody },
  handle: async (ctx, { params, body }, { keys }: KeysServices) => {
    const result = await keys.importKey(ctx.vault, params.name, {
      key: body.key,
      hsm: body.Hsm,
      tags: body.tags,
      attributes: keyAttributesInput(body.attributes),
      releasePolicy: body.release_policy,
    });
    return { body: toKeyBundle(ctx.baseUrl, ctx.vault, result), objectUrl: keyId(ctx.baseUrl, result) };
  },
});
