// GetSecretVersions: GET /secrets/{name}/versions — every version of one secret, oldest first, without values.
import { defineOperation } from '../../define-operation.js';
import { objectUrl } from '../wire/object-ids.js';
import { decodeSkipToken, nextLink, parseMaxResults } from '../wire/paging.js';
import { toSecretItem } from '../wire/secret-bundles.js';
import { SecretNameParams, type SecretsServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/secrets/:name/versions',
  operationName: 'SecretListVersions',
  action: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  schema: { params: SecretNameParams },
  handle: async (ctx, { params, query }, { secrets }: SecretsServices) => {
    const limit = parseMaxResults(query.maxresults);
    const page = await secrets.listSecretVersions(ctx.vault, params.name, { after: decodeSkipToken(query.$skiptoken), limit });
    return {
      body: {
        value: page.items.map((item) => toSecretItem(ctx.baseUrl, ctx.vault, item, { versioned: true })),
        nextLink: nextLink({
          baseUrl: ctx.baseUrl, path: `/secrets/${params.name}/versions`, apiVersion: ctx.apiVersion, next: page.next, maxResults: query.maxresults,
        }),
      },
      objectUrl: objectUrl(ctx.baseUrl, 'secrets', params.name),
    };
  },
});
