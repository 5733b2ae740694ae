// DeleteSecret: DELETE /secrets/{name} — soft-deletes every version; the answer is the DeletedSecretBundle.
import { defineOperation } from '../../define-operation.js';
import { secretId, toDeletedSecretBundle } from '../wire/secret-bundles.js';
import { SecretNameParams, type SecretsServices } from './schemas.js';

export default defineOperation({
  method: 'DELETE',
  url: '/secrets/:name',
  operationName: 'SecretDelete',
  action: 'Microsoft.KeyVault/vaults/secrets/delete',
  schema: { params: SecretNameParams },
  handle: async (ctx, { params }, { secrets }: SecretsServices) => {
    const result = await secrets.deleteSecret(ctx.vault, params.name);
    return { body: toDeletedSecretBundle(ctx.baseUrl, ctx.vault, result), objectUrl: secretId(ctx.baseUrl, result) };
  },
});
