// GetDeletedKeys: GET /deletedkeys — soft-deleted keys, paged.
import { defineOperation } from '../../define-operation.js';
import { toDeletedKeyItem } from '../wire/key-bundles.js';
import { decodeSkipToken, nextLink, parseMaxResults } from '../wire/paging.js';
import type { KeysServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/deletedkeys',
  operationName: 'KeyListDeleted',
  action: 'Microsoft.KeyVault/vaults/keys/read',
  handle: async (ctx, { query }, { keys }: KeysServices) => {
    const limit = parseMaxResults(query.maxresults);
    const page = await keys.listDeletedKeys(ctx.vault, { after: decodeSkipToken(query.$skiptoken), limit });
    return {
      body: {
        value: page.items.map((item) => toDeletedKeyItem(ctx.baseUrl, ctx.vault, item)),
        nextLink: nextLink({ baseUrl: ctx.baseUrl, path: '/deletedkeys', apiVersion: ctx.apiVersion, next: page.next, maxResults: query.maxresults }),
      },
    };
  },
});
