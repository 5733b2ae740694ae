// GetDeletedSecrets: GET /deletedsecrets — soft-deleted secrets, paged.
import { defineOperation } from '../../define-operation.js';
import { decodeSkipToken, nextLink, parseMaxResults } from '../wire/paging.js';
import { toDeletedSecretItem } from '../wire/secret-bundles.js';
import type { SecretsServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/deletedsecrets',
  operationName: 'SecretListDeleted',
  action: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  handle: async (ctx, { query }, { secrets }: SecretsServices) => {
    const limit = parseMaxResults(query.maxresults);
    const page = await secrets.listDeletedSecrets(ctx.vault, { after: decodeSkipToken(query.$skiptoken), limit });
    return {
      body: {
        value: page.items.map((item) => toDeletedSecretItem(ctx.baseUrl, ctx.vault, item)),
        nextLink: nextLink({ baseUrl: ctx.baseUrl, path: '/deletedsecrets', apiVersion: ctx.apiVersion, next: page.next, maxResults: query.maxresults }),
      },
    };
  },
});
