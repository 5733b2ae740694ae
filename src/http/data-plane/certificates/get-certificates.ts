// GetCertificates: GET /certificates — the latest version of every active certificate, paged; `includePending=true`
// adds the certificates whose first version is still being issued.
import { defineOperation } from '../../define-operation.js';
import { toCertificateItem } from '../wire/certificate-bundles.js';
import { decodeSkipToken, nextLink, parseBooleanQuery, parseMaxResults } from '../wire/paging.js';
import type { CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/certificates',
  operationName: 'CertificateList',
  action: 'Microsoft.KeyVault/vaults/certificates/read',
  handle: async (ctx, { query }, { certificates }: CertificatesServices) => {
    const limit = parseMaxResults(query.maxresults);
    const includePending = parseBooleanQuery('includePending', query.includePending);
    const page = await certificates.listCertificates(ctx.vault, { after: decodeSkipToken(query.$skiptoken), limit, includePending });
    return {
      body: {
        value: page.items.map((item) => toCertificateItem(ctx.baseUrl, ctx.vault, item, { versioned: false })),
        nextLink: nextLink({ baseUrl: ctx.baseUrl, path: '/certificates', apiVersion: ctx.apiVersion, next: page.next, maxResults: query.maxresults, options: { includePending: query.includePending } }),
      },
    };
  },
});
