// GetDeletedCertificates: GET /deletedcertificates — soft-deleted certificates, paged. `includePending` is checked and
// changes nothing: deleting a certificate forgets its pending operation, so no deleted certificate is pending.
import { defineOperation } from '../../define-operation.js';
import { toDeletedCertificateItem } from '../wire/certificate-bundles.js';
import { decodeSkipToken, nextLink, parseBooleanQuery, parseMaxResults } from '../wire/paging.js';
import type { CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/deletedcertificates',
  operationName: 'CertificateListDeleted',
  action: 'Microsoft.KeyVault/vaults/certificates/read',
  handle: async (ctx, { query }, { certificates }: CertificatesServices) => {
    const limit = parseMaxResults(query.maxresults);
    parseBooleanQuery('includePending', query.includePending);
    const page = await certificates.listDeletedCertificates(ctx.vault, { after: decodeSkipToken(query.$skiptoken), limit });
    return {
      body: {
        value: page.items.map((item) => toDeletedCertificateItem(ctx.baseUrl, ctx.vault, item)),
        nextLink: nextLink({ baseUrl: ctx.baseUrl, path: '/deletedcertificates', apiVersion: ctx.apiVersion, next: page.next, maxResults: query.maxresults, options: { includePending: query.includePending } }),
      },
    };
  },
});
