// UpdateSecret: PATCH /secrets/{name}/{version} — attributes, content type and tags of one version, never the value.
import { defineOperation } from '../../define-operation.js';
import { versionParam } from '../wire/object-ids.js';
import { secretId, toSecretBundle } from '../wire/secret-bundles.js';
import { attributesInput, SecretVersionParams, UpdateSecretBody, type SecretsServices } from './schemas.js';

export default defineOperation({
  method: 'PATCH',
  url: ['/secrets/:name', '/secrets/:name/:version'],
  operationName: 'SecretUpdate',
  action: 'Microsoft.KeyVault/vaults/secrets/update/action',
  schema: { params: SecretVersionParams, body: UpdateSecretBody },
  handle: async (ctx, { params, body }, { secrets }: SecretsServices) => {
    const result = await secrets.updateSecret(ctx.vault, params.name, versionParam(params.version), {
      contentType: body.contentType,
      tags: body.tags,
      attributes: attributesInput(body.attributes),
    });
    return { body: toSecretBundle(ctx.baseUrl, ctx.vault, result), objectUrl: secretId(ctx.baseUrl, result) };
  },
});
