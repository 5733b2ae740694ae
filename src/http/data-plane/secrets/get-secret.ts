// GetSecret: GET /secrets/{name}/{version}; an absent or empty version reads the latest one. `outContentType` reads a
// certificate's secret (PKCS#12) as PEM; a secret that is not a certificate's is returned as stored.
import { isManaged } from '../../../domain/objects/object-lifecycle.js';
import { certificateSecretAs, parseOutContentType } from '../../../domain/certificates/secret-formats.js';
import { defineOperation } from '../../define-operation.js';
import { versionParam } from '../wire/object-ids.js';
import { secretId, toSecretBundle } from '../wire/secret-bundles.js';
import { SecretVersionParams, type SecretsServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: ['/secrets/:name', '/secrets/:name/:version'],
  operationName: 'SecretGet',
  action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
  schema: { params: SecretVersionParams },
  handle: async (ctx, { params, query }, { secrets }: SecretsServices) => {
    const wanted = parseOutContentType(query.outContentType);
    const result = await secrets.getSecret(ctx.vault, params.name, versionParam(params.version));
    if (wanted === undefined || !isManaged(result.version)) {
      return { body: toSecretBundle(ctx.baseUrl, ctx.vault, result, result.value), objectUrl: secretId(ctx.baseUrl, result) };
    }
    const value = await certificateSecretAs(result.value, result.version.contentType, wanted);
    const shown = { ...result, version: { ...result.version, contentType: wanted } };
    return { body: toSecretBundle(ctx.baseUrl, ctx.vault, shown, value), objectUrl: secretId(ctx.baseUrl, result) };
  },
});
