// Request schemas of the certificate operations (certificates.json, 2026-04-01). The policy is checked member by
// member by the domain (certificate-policy.ts), which words Azure's errors; these schemas only pin the JSON types.
import { Type } from 'typebox';

export const CertificateNameParams = Type.Object({ name: Type.String() });
export const CertificateVersionParams = Type.Object({ name: Type.String(), version: Type.Optional(Type.String()) });

const CertificateAttributes = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  nbf: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  exp: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
});
const Tags = Type.Record(Type.String(), Type.String());
const Policy = Type.Record(Type.String(), Type.Unknown());

export const CreateCertificateBody = Type.Object({
  policy: Type.Optional(Policy),
  attributes: Type.Optional(CertificateAttributes),
  tags: Type.Optional(Tags),
});

export const ImportCertificateBody = Type.Object({
  value: Type.String({ minLength: 1 }),
  pwd: Type.Optional(Type.String({ maxLength: 200 })),
  policy: Type.Optional(Policy),
  attributes: Type.Optional(CertificateAttributes),
  tags: Type.Optional(Tags),
  preserveCertOrder: Type.Optional(Type.Boolean()),
});

export const MergeCertificateBody = Type.Object({
  x5c: Type.Array(Type.String(), { minItems: 1 }),
  attributes: Type.Optional(CertificateAttributes),
  tags: Type.Optional(Tags),
});

export const UpdateCertificateBody = Type.Object({
  policy: Type.Optional(Policy),
  attributes: Type.Optional(CertificateAttributes),
  tags: Type.Optional(Tags),
});

export const UpdateCertificateOperationBody = Type.Object({ cancellation_requested: Type.Boolean() });

export interface CertificatesServices {
  certificates: import('../../../domain/certificates/certificate-service.js').CertificateService;
}

export function certificateAttributesInput(attributes: { enabled?: boolean; nbf?: number | null; exp?: number | null } | undefined) {
  return attributes && { enabled: attributes.enabled, notBefore: attributes.nbf, expires: attributes.exp };
}
