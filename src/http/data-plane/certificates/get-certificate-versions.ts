// GetCertificateVersions: GET /certificates/{name}/versions — every version of one certificate, oldest first.
import { defineOperation } from '../../define-operation.js';
import { toCertificateItem } from '../wire/certificate-bundles.js';
import { objectUrl } from '../wire/object-ids.js';
import { decodeSkipToken, nextLink, parseMaxResults } from '../wire/paging.js';
import { CertificateNameParams, type CertificatesServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/certificates/:name/versions',
  operationName: 'CertificateListVersions',
  action: 'Microsoft.KeyVault/vaults/certificates/read',
  schema: { params: CertificateNameParams },
  handle: async (ctx, { params, query }, { certificates }: CertificatesServices) => {
    const limit = parseMaxResults(query.maxresults);
    const page = await certificates.listCertificateVersions(ctx.vault, params.name, { after: decodeSkipToken(query.$skiptoken), limit });
    return {
      body: {
        value: page.items.map((item) => toCertificateItem(ctx.baseUrl, ctx.vault, item, { versioned: true })),
        nextLink: nextLink({ baseUrl: ctx.baseUrl, path: `/certificates/${params.name}/versions`, apiVersion: ctx.apiVersion, next: page.next, maxResults: query.maxresults }),
      },
      objectUrl: objectUrl(ctx.baseUrl, 'certificates', params.name),
    };
  },
});
