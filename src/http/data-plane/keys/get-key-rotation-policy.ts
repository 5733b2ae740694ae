// GetKeyRotationPolicy: GET /keys/{name}/rotationpolicy — the key's policy, or Azure's default (Notify 30 days
// before expiry) when none was set.
import { toWirePolicy } from '../../../domain/keys/rotation-policy.js';
import { defineOperation } from '../../define-operation.js';
import { objectUrl } from '../wire/object-ids.js';
import { KeyNameParams, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'GET',
  url: '/keys/:name/rotationpolicy',
  operationName: 'KeyRotationPolicyGet',
  action: 'Microsoft.KeyVault/vaults/keyrotationpolicies/read',
  schema: { params: KeyNameParams },
  handle: async (ctx, { params }, { rotation }: KeysServices) => {
    const view = await rotation.getPolicy(ctx.vault, params.name);
    return { body: toWirePolicy(ctx.baseUrl, view.keyName, view.policy), objectUrl: objectUrl(ctx.baseUrl, 'keys', view.keyName) };
  },
});
