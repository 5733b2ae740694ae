// UpdateKeyRotationPolicy: PUT /keys/{name}/rotationpolicy — replaces the key's policy (PUT semantics).
import { Type } from 'typebox';
import { toWirePolicy } from '../../../domain/keys/rotation-policy.js';
import { defineOperation } from '../../define-operation.js';
import { objectUrl } from '../wire/object-ids.js';
import { KeyNameParams, type KeysServices } from './schemas.js';

export default defineOperation({
  method: 'PUT',
  url: '/keys/:name/rotationpolicy',
  operationName: 'KeyRotationPolicySet',
  action: 'Microsoft.KeyVault/vaults/keyrotationpolicies/write',
  // The domain checks the policy member by member and words Azure's errors (rotation-policy.ts).
  schema: { params: KeyNameParams, body: Type.Record(Type.String(), Type.Unknown()) },
  handle: async (ctx, { params, body }, { rotation }: KeysServices) => {
    const view = await rotation.setPolicy(ctx.vault, params.name, body);
    return { body: toWirePolicy(ctx.baseUrl, view.keyName, view.policy), objectUrl: objectUrl(ctx.baseUrl, 'keys', view.keyName) };
  },
});
