// GetCertificateIssuers: GET /certificates/issuers — the vault's issuers as CertificateIssuerItem ({ id, provider }), paged.
import { defineOperation } from '../../define-operation.js';
import { toIssuerItem } from '../wire/certificate-admin.js';
import { decodeSkipToken, nextLink, parseMaxResults } from '../wire/paging.js';
import type { CertificateContactsAndIssuersServices } from './contacts-issuers-schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/certificates/issuers',
  operationName: 'CertificateIssuersList',
  action: 'Microsoft.KeyVault/vaults/certificatecas/read',
  handle: async (ctx, { query }, { certificateIssuers }: CertificateContactsAndIssuersServices) => {
    const limit = parseMaxResults(query.maxresults);
    const page = await certificateIssuers.listIssuers(ctx.vault, { after: decodeSkipToken(query.$skiptoken), limit });
    return {
      body: {
        value: page.items.map((issuer) => toIssuerItem(ctx.baseUrl, issuer)),
        nextLink: nextLink({ baseUrl: ctx.baseUrl, path: '/certificates/issuers', apiVersion: ctx.apiVersion, next: page.next, maxResults: query.maxresults }),
      },
    };
  },
});
