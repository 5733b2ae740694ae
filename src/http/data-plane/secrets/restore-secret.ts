// RestoreSecret: POST /secrets/restore — re-creates a secret, all versions, from a backup blob of this server.
import { errors } from '../../../errors.js';
import { defineOperation } from '../../define-operation.js';
import { secretId, toSecretBundle } from '../wire/secret-bundles.js';
import { RestoreSecretBody, type SecretsServices } from './schemas.js';

/** 500 versions of 25 KB each, base64url-encoded, sealed: about 17 MB. */
export const RESTORE_BODY_LIMIT = 20 * 1024 * 1024;

export default defineOperation({
  method: 'POST',
  url: '/secrets/restore',
  operationName: 'SecretRestore',
  action: 'Microsoft.KeyVault/vaults/secrets/restore/action',
  schema: { body: RestoreSecretBody },
  bodyLimit: RESTORE_BODY_LIMIT,
  handle: async (ctx, { body }, { secrets }: SecretsServices) => {
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(body.value)) throw errors.malformedBackup();
    const result = await secrets.restoreSecret(ctx.vault, Buffer.from(body.value, 'base64url'));
    return { body: toSecretBundle(ctx.baseUrl, ctx.vault, result), objectUrl: secretId(ctx.baseUrl, result) };
  },
});
