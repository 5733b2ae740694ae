// PurgeDeletedSecret: DELETE /deletedsecrets/{name} — erases a soft-deleted secret for good (204); refused under purge protection.
import { defineOperation } from '../../define-operation.js';
import { objectUrl } from '../wire/object-ids.js';
import { SecretNameParams, type SecretsServices } from './schemas.js';

export default defineOperation({
  method: 'DELETE',
  url: '/deletedsecrets/:name',
  operationName: 'SecretPurge',
  action: 'Microsoft.KeyVault/vaults/secrets/purge/action',
  schema: { params: SecretNameParams },
  handle: async (ctx, { params }, { secrets }: SecretsServices) => {
    await secrets.purgeDeletedSecret(ctx.vault, params.name);
    return { status: 204, objectUrl: objectUrl(ctx.baseUrl, 'deletedsecrets', params.name) };
  },
});
