// GetKeyVersions: GET /keys/{name}/versions — every version of one key, oldest first.
import { defineOperation } from '../../define-operation.js';
import { toKeyItem } from '../wire/key-bundles.js';
import { objectUrl } from '../wire/object-ids.js';
import { decodeSkipToken, nextLink, parseMaxResults } from '../wire/paging.js';
import { KeyNameParams, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/keys/:name/versions',
  operationName: 'KeyListVersions',
  action: 'Microsoft.KeyVault/vaults/keys/read',
  schema: { params: KeyNameParams },
  handle: async (ctx, { params, query }, { keys }: KeysServices) => {
    const limit = parseMaxResults(query.maxresults);
    const page = await keys.listKeyVersions(ctx.vault, params.name, { after: decodeSkipToken(query.$skiptoken), limit });
    return {
      body: {
        value: page.items.map((item) => toKeyItem(ctx.baseUrl, ctx.vault, item, { versioned: true })),
        nextLink: nextLink({ baseUrl: ctx.baseUrl, path: `/keys/${params.name}/versions`, apiVersion: ctx.apiVersion, next: page.next, maxResults: query.maxresults }),
      },
      objectUrl: objectUrl(ctx.baseUrl, 'keys', params.name),
    };
  },
});
