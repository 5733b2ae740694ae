// UpdateKey: PATCH /keys/{name}/{version} — attributes, key_ops, tags and release policy of one version.
import { defineOperation } from '../../define-operation.js';
import { keyId, toKeyBundle } from '../wire/key-bundles.js';
import { versionParam } from '../wire/object-ids.js';
import { keyAttributesInput, KeyVersionParams, UpdateKeyBody, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'PATCH',
  url: ['/keys/:name', '/keys/:name/:version'],
  operationName: 'KeyUpdate',
  action: 'Microsoft.KeyVault/vaults/keys/update/action',
  schema: { params: KeyVersionParams, body: UpdateKeyBody },
  handle: async (ctx, { params, body }, { keys }: KeysServices) => {
    const result = await keys.updateKey(ctx.vault, params.name, versionParam(params.version), {
      keyOps: body.key_ops,
      tags: body.tags,
      attributes: keyAttributesInput(body.attributes),
      releasePolicy: body.release_policy,
    });
    return { body: toKeyBundle(ctx.baseUrl, ctx.vault, result), objectUrl: keyId(ctx.baseUrl, result) };
  },
});
