// SetSecret: PUT /secrets/{name} — creates the secret or adds a new version of it.
import { defineOperation } from '../../define-operation.js';
import { secretId, toSecretBundle } from '../wire/secret-bundles.js';
import { attributesInput, SecretNameParams, SetSecretBody, type SecretsServices } from './schemas.js';

export default defineOperation({
  method: 'PUT',
  url: '/secrets/:name',
  operationName: 'SecretSet',
  action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action',
  schema: { params: SecretNameParams, body: SetSecretBody },
  handle: async (ctx, { params, body }, { secrets }: SecretsServices) => {
    const result = await secrets.setSecret(ctx.vault, params.name, {
      value: body.value,
      contentType: body.contentType,
      tags: body.tags,
      attributes: attributesInput(body.attributes),
    });
    return { body: toSecretBundle(ctx.baseUrl, ctx.vault, result, result.value), objectUrl: secretId(ctx.baseUrl, result) };
  },
});
