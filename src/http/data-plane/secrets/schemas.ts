// Request schemas of the secrets API (secrets.json, 2026-04-01). Names and versions are checked by the domain,
// which knows Azure's rules; these schemas only pin the JSON types.
import { Type } from 'typebox';

export const SecretNameParams = Type.Object({ name: Type.String() });
export const SecretVersionParams = Type.Object({ name: Type.String(), version: Type.Optional(Type.String()) });

const SecretAttributes = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  nbf: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  exp: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
});

const Tags = Type.Record(Type.String(), Type.String());

export const SetSecretBody = Type.Object({
  value: Type.String(),
  contentType: Type.Optional(Type.String()),
  tags: Type.Optional(Tags),
  attributes: Type.Optional(SecretAttributes),
});

export const UpdateSecretBody = Type.Object({
  contentType: Type.Optional(Type.String()),
  tags: Type.Optional(Tags),
  attributes: Type.Optional(SecretAttributes),
});

export const RestoreSecretBody = Type.Object({ value: Type.String({ minLength: 1 }) });

export interface SecretsServices {
  secrets: import('../../../domain/secrets/secret-service.js').SecretService;
}

export function attributesInput(attributes: { enabled?: boolean; nbf?: number | null; exp?: number | null } | undefined) {
  return attributes && { enabled: attributes.enabled, notBefore: attributes.nbf, expires: attributes.exp };
}
