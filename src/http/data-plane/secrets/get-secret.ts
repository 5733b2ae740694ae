// GetSecret: GET /secrets/{name}/{version}; an absent or empty version reads the latest one.
import { defineOperation } from '../../define-operation.js';
import { versionParam } from '../wire/object-ids.js';
import { secretId, toSecretBundle } from '../wire/secret-bundles.js';
import { SecretVersionParams, type SecretsServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: ['/secrets/:name', '/secrets/:name/:version'],
  operationName: 'SecretGet',
  action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
  schema: { params: SecretVersionParams },
  handle: async (ctx, { params }, { secrets }: SecretsServices) => {
    // outContentType converts certificate-backed secrets only; a plain secret is returned as stored.
    const result = await secrets.getSecret(ctx.vault, params.name, versionParam(params.version));
    return { body: toSecretBundle(ctx.baseUrl, ctx.vault, result, result.value), objectUrl: secretId(ctx.baseUrl, result) };
  },
});
