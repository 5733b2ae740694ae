// GetSecrets: GET /secrets — the latest version of every active secret, without values, paged.
import { defineOperation } from '../../define-operation.js';
import { decodeSkipToken, nextLink, parseMaxResults } from '../wire/paging.js';
import { toSecretItem } from '../wire/secret-bundles.js';
import type { SecretsServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/secrets',
  operationName: 'SecretList',
  action: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  handle: async (ctx, { query }, { secrets }: SecretsServices) => {
    const limit = parseMaxResults(query.maxresults);
    const page = await secrets.listSecrets(ctx.vault, { after: decodeSkipToken(query.$skiptoken), limit });
    return {
      body: {
        value: page.items.map((item) => toSecretItem(ctx.baseUrl, ctx.vault, item, { versioned: false })),
        nextLink: nextLink({ baseUrl: ctx.baseUrl, path: '/secrets', apiVersion: ctx.apiVersion, next: page.next, maxResults: query.maxresults }),
      },
    };
  },
});
