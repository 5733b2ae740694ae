// Azure's rules for key input: what CreateKey, ImportKey and UpdateKey accept, and the defaults Azure applies.
// Pure: no storage, no crypto.
import { errors } from '../../errors.js';
import { assertAttributes, assertTags } from '../objects/attributes.js';
import { assertObjectName, assertObjectVersion } from '../objects/names.js';
import { CURVES, KEY_OPERATIONS, KEY_TYPES, type Curve, type KeyOperation, type KeyType, type SoftwareKeyType } from './key-material.js';

export const RSA_SIZES = [2048, 3072, 4096] as const;
export const OCT_SIZES = [128, 192, 256] as const;

export interface KeyAttributesInput {
  enabled?: boolean | undefined;
  notBefore?: number | null | undefined;
  expires?: number | null | undefined;
  exportable?: boolean | undefined;
}

/** Azure's KeyReleasePolicy: the rules (`data`, base64url JSON) under which an exportable key may be released. */
export interface ReleasePolicy {
  contentType: string;
  immutable: boolean;
  data: string;
}

export interface ReleasePolicyInput {
  contentType?: string | undefined;
  immutable?: boolean | undefined;
  data?: string | undefined;
}

export interface CreateKeyInput {
  kty: string;
  releasePolicy?: ReleasePolicyInput | undefined;
  keySize?: number | undefined;
  publicExponent?: number | undefined;
  crv?: string | undefined;
  keyOps?: string[] | undefined;
  tags?: Record<string, string> | undefined;
  attributes?: KeyAttributesInput | undefined;
}

export interface UpdateKeyInput {
  keyOps?: string[] | undefined;
  releasePolicy?: ReleasePolicyInput | undefined;
  tags?: Record<string, string> | undefined;
  attributes?: KeyAttributesInput | undefined;
}

/** The properties a key version keeps beside its sealed material (object_versions.properties). */
export interface KeyProperties {
  kty: SoftwareKeyType;
  keyOps: KeyOperation[];
  exportable: boolean;
  /** RSA modulus or oct key length in bits, so a rotation can make the same kind of key; absent for EC. */
  keySize?: number;
  releasePolicy?: ReleasePolicy;
}

export const assertKeyName = (name: string): void => assertObjectName('key', name);
export const assertKeyVersion = (version: string): void => assertObjectVersion('key', version);

export function parseKeyType(kty: string): KeyType {
  if (!(KEY_TYPES as readonly string[]).includes(kty)) {
    throw errors.badParameter(`The key type '${kty}' is not supported. Valid key types are: ${KEY_TYPES.join(', ')}.`);
  }
  return kty as KeyType;
}

export function parseCurve(crv: string): Curve {
  if (!(CURVES as readonly string[]).includes(crv)) {
    throw errors.badParameter(`The curve '${crv}' is not supported. Valid curves are: ${CURVES.join(', ')}.`);
  }
  return crv as Curve;
}

/** Azure's defaults when key_ops is absent: everything the key type can do. */
export function defaultKeyOps(kty: SoftwareKeyType): KeyOperation[] {
  if (kty === 'EC') return ['sign', 'verify'];
  if (kty === 'oct') return ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'];
  return ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'];
}

export function parseKeyOps(keyOps: string[] | undefined, kty: SoftwareKeyType): KeyOperation[] {
  if (keyOps === undefined) return defaultKeyOps(kty);
  for (const op of keyOps) {
    if (!(KEY_OPERATIONS as readonly string[]).includes(op)) {
      throw errors.badParameter(`The key operation '${op}' is not valid. Valid key operations are: ${KEY_OPERATIONS.join(', ')}.`);
    }
  }
  return [...new Set(keyOps)] as KeyOperation[];
}

/** What generation needs, from a CreateKey body: sizes and curves checked, Azure's defaults applied. */
export function keySpecOf(input: CreateKeyInput, kty: SoftwareKeyType):
  | { kty: 'RSA'; size: 2048 | 3072 | 4096; publicExponent?: number }
  | { kty: 'EC'; crv: Curve }
  | { kty: 'oct'; size: 128 | 192 | 256 } {
  if (kty === 'EC') {
    if (input.keySize !== undefined) throw errors.badParameter('key_size does not apply to EC keys; choose the curve with crv.');
    return { kty, crv: input.crv === undefined ? 'P-256' : parseCurve(input.crv) };
  }
  if (input.crv !== undefined) throw errors.badParameter(`crv applies only to EC keys, not ${kty}.`);
  if (kty === 'oct') {
    const size = input.keySize ?? 256;
    if (!(OCT_SIZES as readonly number[]).includes(size)) throw errors.badParameter(`The key size ${size} is not valid for oct keys. Valid sizes are: ${OCT_SIZES.join(', ')}.`);
    return { kty, size: size as 128 | 192 | 256 };
  }
  const size = input.keySize ?? 2048;
  if (!(RSA_SIZES as readonly number[]).includes(size)) throw errors.badParameter(`The key size ${size} is not valid for RSA keys. Valid sizes are: ${RSA_SIZES.join(', ')}.`);
  return { kty, size: size as 2048 | 3072 | 4096, ...(input.publicExponent === undefined ? {} : { publicExponent: input.publicExponent }) };
}

export function assertKeyAttributes(attributes: KeyAttributesInput | undefined, tags: Record<string, string> | undefined): void {
  assertAttributes(attributes);
  assertTags(tags);
}

const RELEASE_POLICY_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * A release policy as given, checked: `data` must be base64url of a JSON object (Azure parses it too). An
 * immutable policy, once set, cannot change, as in Azure.
 */
export function parseReleasePolicy(input: ReleasePolicyInput, current: ReleasePolicy | undefined): ReleasePolicy {
  if (current?.immutable) throw errors.badParameter('The release policy of this key is immutable and cannot be changed.');
  if (input.data === undefined || !/^[A-Za-z0-9_-]*={0,2}$/.test(input.data)) throw errors.badParameter('release_policy.data must be a base64url-encoded JSON policy.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(input.data, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw errors.badParameter('release_policy.data is not a JSON policy object.');
  const contentType = input.contentType ?? RELEASE_POLICY_CONTENT_TYPE;
  if (contentType.toLowerCase().replace(/\s/g, '') !== RELEASE_POLICY_CONTENT_TYPE.replace(/\s/g, '')) {
    throw errors.badParameter(`release_policy.contentType must be '${RELEASE_POLICY_CONTENT_TYPE}'.`);
  }
  return { contentType, immutable: input.immutable ?? false, data: input.data };
}
