// Azure's rules for secret input: value size, content type, tags and attributes. Pure: no storage, no crypto.
import { errors } from '../../errors.js';
import { assertAttributes, assertTags } from '../objects/attributes.js';
import { assertObjectName, assertObjectVersion } from '../objects/names.js';

/** Azure: a secret value is at most 25 KB. */
export const MAX_SECRET_VALUE_BYTES = 25 * 1024;
/** Divergence: Azure documents no limit for contentType; we cap it so a row cannot be inflated through it. */
export const MAX_CONTENT_TYPE_LENGTH = 255;
/** Azure backs up at most 500 versions of one object. */
export const MAX_BACKUP_VERSIONS = 500;

export interface SecretAttributesInput {
  enabled?: boolean | undefined;
  notBefore?: number | null | undefined;
  expires?: number | null | undefined;
}

export interface SetSecretInput {
  value: string;
  contentType?: string | undefined;
  tags?: Record<string, string> | undefined;
  attributes?: SecretAttributesInput | undefined;
}

export interface UpdateSecretInput {
  contentType?: string | undefined;
  tags?: Record<string, string> | undefined;
  attributes?: SecretAttributesInput | undefined;
}

export const assertSecretName = (name: string): void => assertObjectName('secret', name);
export const assertSecretVersion = (version: string): void => assertObjectVersion('secret', version);

export function assertSecretValue(value: string): void {
  if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_VALUE_BYTES) {
    throw errors.badParameter(`The secret value is larger than ${MAX_SECRET_VALUE_BYTES} bytes.`);
  }
}

export function assertContentType(contentType: string | undefined): void {
  if (contentType !== undefined && contentType.length > MAX_CONTENT_TYPE_LENGTH) {
    throw errors.badParameter(`The content type is longer than ${MAX_CONTENT_TYPE_LENGTH} characters.`);
  }
}

export function assertSetSecretInput(input: SetSecretInput): void {
  assertSecretValue(input.value);
  assertContentType(input.contentType);
  assertTags(input.tags);
  assertAttributes(input.attributes);
}

export function assertUpdateSecretInput(input: UpdateSecretInput): void {
  assertContentType(input.contentType);
  assertTags(input.tags);
  assertAttributes(input.attributes);
}
