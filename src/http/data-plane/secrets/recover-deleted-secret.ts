// RecoverDeletedSecret: POST /deletedsecrets/{name}/recover — undoes a soft delete; answers the latest version.
import { defineOperation } from '../../define-operation.js';
import { secretId, toSecretBundle } from '../wire/secret-bundles.js';
import { SecretNameParams, type SecretsServices } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/deletedsecrets/:name/recover',
  operationName: 'SecretRecover',
  action: 'Microsoft.KeyVault/vaults/secrets/recover/action',
  schema: { params: SecretNameParams },
  handle: async (ctx, { params }, { secrets }: SecretsServices) => {
    const result = await secrets.recoverDeletedSecret(ctx.vault, params.name);
    return { body: toSecretBundle(ctx.baseUrl, ctx.vault, result), objectUrl: secretId(ctx.baseUrl, result) };
  },
});
