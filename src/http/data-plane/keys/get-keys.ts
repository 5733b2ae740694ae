// GetKeys: GET /keys — the latest version of every active key, paged.
import { defineOperation } from '../../define-operation.js';
import { toKeyItem } from '../wire/key-bundles.js';
import { decodeSkipToken, nextLink, parseMaxResults } from '../wire/paging.js';
import type { KeysServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/keys',
  operationName: 'KeyList',
  action: 'Microsoft.KeyVault/vaults/keys/read',
  handle: async (ctx, { query }, { keys }: KeysServices) => {
    const limit = parseMaxResults(query.maxresults);
    const page = await keys.listKeys(ctx.vault, { after: decodeSkipToken(query.$skiptoken), limit });
    return {
      body: {
        value: page.items.map((item) => toKeyItem(ctx.baseUrl, ctx.vault, item, { versioned: false })),
        nextLink: nextLink({ baseUrl: ctx.baseUrl, path: '/keys', apiVersion: ctx.apiVersion, next: page.next, maxResults: query.maxresults }),
      },
    };
  },
});
