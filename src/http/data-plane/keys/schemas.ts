// Request schemas of the keys API (keys.json, 2026-04-01). Names, versions, key types, sizes, curves, key_ops and
// algorithms are checked by the domain, which knows Azure's rules and words the errors; these schemas only pin
// the JSON types.
import { Type } from 'typebox';
import { errors } from '../../../errors.js';

export const KeyNameParams = Type.Object({ name: Type.String() });
export const KeyVersionParams = Type.Object({ name: Type.String(), version: Type.Optional(Type.String()) });

const KeyAttributes = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  nbf: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  exp: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  exportable: Type.Optional(Type.Boolean()),
});

const Tags = Type.Record(Type.String(), Type.String());
const KeyOps = Type.Array(Type.String());

const ReleasePolicy = Type.Object({
  contentType: Type.Optional(Type.String()),
  immutable: Type.Optional(Type.Boolean()),
  data: Type.Optional(Type.String()),
});

export const CreateKeyBody = Type.Object({
  kty: Type.String(),
  key_size: Type.Optional(Type.Integer()),
  public_exponent: Type.Optional(Type.Integer()),
  crv: Type.Optional(Type.String()),
  key_ops: Type.Optional(KeyOps),
  attributes: Type.Optional(KeyAttributes),
  tags: Type.Optional(Tags),
  release_policy: Type.Optional(ReleasePolicy),
});

export const ImportKeyBody = Type.Object({
  key: Type.Record(Type.String(), Type.Unknown()),
  Hsm: Type.Optional(Type.Boolean()),
  attributes: Type.Optional(KeyAttributes),
  tags: Type.Optional(Tags),
  release_policy: Type.Optional(ReleasePolicy),
});

export const UpdateKeyBody = Type.Object({
  key_ops: Type.Optional(KeyOps),
  attributes: Type.Optional(KeyAttributes),
  tags: Type.Optional(Tags),
  release_policy: Type.Optional(ReleasePolicy),
});

export const RestoreKeyBody = Type.Object({ value: Type.String({ minLength: 1 }) });

/** encrypt, decrypt, wrapKey, unwrapKey: KeyOperationsParameters. */
export const KeyOperationsBody = Type.Object({
  alg: Type.String(),
  value: Type.String(),
  iv: Type.Optional(Type.String()),
  aad: Type.Optional(Type.String()),
  tag: Type.Optional(Type.String()),
});

export const SignBody = Type.Object({ alg: Type.String(), value: Type.String() });
export const VerifyBody = Type.Object({ alg: Type.String(), digest: Type.String(), value: Type.String() });
export const RandomBytesBody = Type.Object({ count: Type.Integer() });

export interface KeysServices {
  keys: import('../../../domain/keys/key-service.js').KeyService;
  rotation: import('../../../domain/keys/key-rotation.js').KeyRotation;
}

export function keyAttributesInput(attributes: { enabled?: boolean; nbf?: number | null; exp?: number | null; exportable?: boolean } | undefined) {
  return attributes && { enabled: attributes.enabled, notBefore: attributes.nbf, expires: attributes.exp, exportable: attributes.exportable };
}

/** A base64url member of a request (Azure's `format: base64url`), decoded; anything else is a BadParameter. */
export function base64urlParam(name: string, value: string): Buffer;
export function base64urlParam(name: string, value: string | undefined): Buffer | undefined;
export function base64urlParam(name: string, value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(value)) throw errors.badParameter(`The '${name}' parameter is not valid base64url.`);
  return Buffer.from(value, 'base64url');
}
