// Reading ARM request bodies: typed fields, each refusal a 400 BadRequest naming the property (ARM's `target`).
// Shared by every ARM resource Coffer serves (vaults, managed identities).
import { armErrors } from '../errors.js';

const MAX_TAGS = 50;

export function armTags(value: unknown): Record<string, string> {
  const given = armObject(value, 'tags', 'tags must be a JSON object of strings.');
  const entries = Object.entries(given);
  if (entries.length > MAX_TAGS) throw armErrors.badRequest('tags', `A resource has at most ${MAX_TAGS} tags.`);
  for (const [name, tagValue] of entries) {
    if (typeof tagValue !== 'string') throw armErrors.badRequest(`tags.${name}`, `The tag '${name.slice(0, 64)}' must have a string value.`);
    if (name.length > 512 || tagValue.length > 256) throw armErrors.badRequest(`tags.${name.slice(0, 64)}`, 'Tag names are at most 512 characters and tag values at most 256.');
  }
  return given as Record<string, string>;
}

export function armObject(value: unknown, target: string, message: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw armErrors.badRequest(target, message);
  return value as Record<string, unknown>;
}

export function armString(value: unknown, target: string): string {
  if (typeof value !== 'string') throw armErrors.badRequest(target, `${target} must be a string.`);
  return value;
}

export function armBoolean(value: unknown, target: string): boolean {
  if (typeof value !== 'boolean') throw armErrors.badRequest(target, `${target} must be true or false.`);
  return value;
}
