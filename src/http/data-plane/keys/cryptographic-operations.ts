// The six cryptographic operations — encrypt, decrypt, wrapKey, unwrapKey, sign, verify: POST
// /keys/{name}/{version}/{operation}. They differ only in body and answer, so they are declared together here;
// the rules (key_ops, enabled, nbf/exp) are KeyService.perform's and the algorithms key-operations.ts's. The
// SDK's CryptographyClient sends an empty version (`/keys/K//sign`) for the latest one.
import type { Static } from 'typebox';
import type { KeyOperationOutcome, KeyOperationRequest } from '../../../domain/keys/key-operations.js';
import { errors } from '../../../errors.js';
import { defineOperation, type HandlerContext } from '../../define-operation.js';
import { keyId } from '../wire/key-bundles.js';
import { versionParam } from '../wire/object-ids.js';
import { base64urlParam, KeyOperationsBody, KeyVersionParams, SignBody, VerifyBody, type KeysServices } from './schemas.js';

const urls = (operation: string) => [`/keys/:name/${operation}`, `/keys/:name/:version/${operation}`];
const action = (name: string) => `Microsoft.KeyVault/vaults/keys/${name}/action`;

async function run(ctx: HandlerContext, params: Static<typeof KeyVersionParams>, keys: KeysServices['keys'], request: KeyOperationRequest) {
  const { found, outcome } = await keys.perform(ctx.vault, params.name, versionParam(params.version), request);
  return { kid: keyId(ctx.baseUrl, found), outcome };
}

/** KeyOperationResult: kid and value, plus iv, tag and aad where the algorithm has them. */
function operationResult(kid: string, outcome: KeyOperationOutcome) {
  if ('valid' in outcome) throw new Error('verify has its own answer');
  return {
    kid,
    value: outcome.result.toString('base64url'),
    ...(outcome.iv && { iv: outcome.iv.toString('base64url') }),
    ...(outcome.tag && { tag: outcome.tag.toString('base64url') }),
    ...(outcome.aad && { aad: outcome.aad.toString('base64url') }),
  };
}

const encrypt = defineOperation({
  method: 'POST',
  url: urls('encrypt'),
  operationName: 'KeyEncrypt',
  action: action('encrypt'),
  schema: { params: KeyVersionParams, body: KeyOperationsBody },
  handle: async (ctx, { params, body }, { keys }: KeysServices) => {
    if (body.tag !== undefined) throw errors.badParameter("The 'tag' parameter does not apply to encryption.");
    const { kid, outcome } = await run(ctx, params, keys, {
      op: 'encrypt', alg: body.alg, plaintext: base64urlParam('value', body.value), iv: base64urlParam('iv', body.iv), aad: base64urlParam('aad', body.aad),
    });
    return { body: operationResult(kid, outcome), objectUrl: kid };
  },
});

const decrypt = defineOperation({
  method: 'POST',
  url: urls('decrypt'),
  operationName: 'KeyDecrypt',
  action: action('decrypt'),
  schema: { params: KeyVersionParams, body: KeyOperationsBody },
  handle: async (ctx, { params, body }, { keys }: KeysServices) => {
    const { kid, outcome } = await run(ctx, params, keys, {
      op: 'decrypt',
      alg: body.alg,
      ciphertext: base64urlParam('value', body.value),
      iv: base64urlParam('iv', body.iv),
      aad: base64urlParam('aad', body.aad),
      tag: base64urlParam('tag', body.tag),
    });
    return { body: operationResult(kid, outcome), objectUrl: kid };
  },
});

const wrapKey = defineOperation({
  method: 'POST',
  url: urls('wrapkey'),
  operationName: 'KeyWrap',
  action: action('wrap'),
  schema: { params: KeyVersionParams, body: KeyOperationsBody },
  handle: async (ctx, { params, body }, { keys }: KeysServices) => {
    const { kid, outcome } = await run(ctx, params, keys, { op: 'wrapKey', alg: body.alg, key: base64urlParam('value', body.value) });
    return { body: operationResult(kid, outcome), objectUrl: kid };
  },
});

const unwrapKey = defineOperation({
  method: 'POST',
  url: urls('unwrapkey'),
  operationName: 'KeyUnwrap',
  action: action('unwrap'),
  schema: { params: KeyVersionParams, body: KeyOperationsBody },
  handle: async (ctx, { params, body }, { keys }: KeysServices) => {
    const { kid, outcome } = await run(ctx, params, keys, { op: 'unwrapKey', alg: body.alg, wrapped: base64urlParam('value', body.value) });
    return { body: operationResult(kid, outcome), objectUrl: kid };
  },
});

const sign = defineOperation({
  method: 'POST',
  url: urls('sign'),
  operationName: 'KeySign',
  action: action('sign'),
  schema: { params: KeyVersionParams, body: SignBody },
  handle: async (ctx, { params, body }, { keys }: KeysServices) => {
    const { kid, outcome } = await run(ctx, params, keys, { op: 'sign', alg: body.alg, digest: base64urlParam('value', body.value) });
    return { body: operationResult(kid, outcome), objectUrl: kid };
  },
});

const verify = defineOperation({
  method: 'POST',
  url: urls('verify'),
  operationName: 'KeyVerify',
  action: action('verify'),
  schema: { params: KeyVersionParams, body: VerifyBody },
  handle: async (ctx, { params, body }, { keys }: KeysServices) => {
    const { kid, outcome } = await run(ctx, params, keys, {
      op: 'verify', alg: body.alg, digest: base64urlParam('digest', body.digest), signature: base64urlParam('value', body.value),
    });
    return { body: { value: 'valid' in outcome && outcome.valid }, objectUrl: kid };
  },
});

export const cryptographicOperations = [encrypt, decrypt, wrapKey, unwrapKey, sign, verify];
