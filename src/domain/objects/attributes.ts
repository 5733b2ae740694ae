// Rules every object kind shares for tags and the nbf/exp attributes (Azure's limits).
import { errors } from '../../errors.js';

export const MAX_TAGS = 15;
export const MAX_TAG_LENGTH = 512;

export function assertTags(tags: Record<string, string> | undefined): void {
  if (tags === undefined) return;
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw errors.badParameter(`An object may have at most ${MAX_TAGS} tags; ${entries.length} were given.`);
  for (const [name, value] of entries) {
    if (name.length === 0 || name.length > MAX_TAG_LENGTH) {
      throw errors.badParameter(`Tag names must be 1-${MAX_TAG_LENGTH} characters.`);
    }
    if (typeof value !== 'string' || value.length > MAX_TAG_LENGTH) {
      throw errors.badParameter(`The value of tag '${name}' must be a string of at most ${MAX_TAG_LENGTH} characters.`);
    }
  }
}

export function assertAttributes(attributes: { notBefore?: number | null | undefined; expires?: number | null | undefined } | undefined): void {
  for (const [field, value] of [['nbf', attributes?.notBefore], ['exp', attributes?.expires]] as const) {
    if (value !== undefined && value !== null && (!Number.isSafeInteger(value) || value < 0)) {
      throw errors.badParameter(`The attribute '${field}' must be a Unix time in seconds.`);
    }
  }
}
