// GetDeletedSecret: GET /deletedsecrets/{name}. The SDK's delete poller waits on this answering 200.
import { defineOperation } from '../../define-operation.js';
import { objectUrl } from '../wire/object-ids.js';
import { toDeletedSecretBundle } from '../wire/secret-bundles.js';
import { SecretNameParams, type SecretsServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/deletedsecrets/:name',
  operationName: 'SecretGetDeleted',
  action: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  schema: { params: SecretNameParams },
  handle: async (ctx, { params }, { secrets }: SecretsServices) => {
    const result = await secrets.getDeletedSecret(ctx.vault, params.name);
    return { body: toDeletedSecretBundle(ctx.baseUrl, ctx.vault, result), objectUrl: objectUrl(ctx.baseUrl, 'deletedsecrets', result.object.name) };
  },
});
