// GetRandomBytes: POST /rng — 1 to 128 bytes from the server's CSPRNG. Azure serves it on Managed HSM only;
// Coffer serves it on every vault, which harms nothing and lets a vault client use it.
import { randomBytes } from 'node:crypto';
import { errors } from '../../../errors.js';
import { defineOperation } from '../../define-operation.js';
import { RandomBytesBody } from './schemas.js';

export default defineOperation({
  method: 'POST',
  url: '/rng',
  operationName: 'GetRandomBytes',
  // Not an Azure vault action (Managed HSM's is Microsoft.KeyVault/managedHsm/rng/action).
  action: 'Microsoft.KeyVault/vaults/rng/action',
  schema: { body: RandomBytesBody },
  handle: async (_ctx, { body }) => {
    if (body.count < 1 || body.count > 128) throw errors.badParameter(`count must be from 1 to 128; ${body.count} was given.`);
    return { body: { value: randomBytes(body.count).toString('base64url') } };
  },
});
