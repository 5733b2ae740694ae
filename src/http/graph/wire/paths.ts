// Microsoft Graph's URL forms, read without Fastify: a path after /v1.0 as segments, OData key segments
// (`applications(appId='…')`), and the `@odata.id` references that name a directory object (`members/$ref`). Pure.
import { directoryErrors } from '../../../errors.js';
import type { ObjectKey } from '../../../domain/identities/directory-service.js';

/**
 * The segments of a path after `/v1.0`, decoded; a segment with an OData key (`applications(appId='x')`) becomes two,
 * the collection and the key in its parentheses (`(appId='x')`), so routes match `applications/:key` for both forms.
 */
export function graphSegments(path: string): string[] {
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw directoryErrors.badRequest(`The path segment '${raw}' is not correctly percent-encoded.`);
    }
    const keyed = /^([A-Za-z]+)(\(.*\))$/s.exec(segment);
    if (keyed) segments.push(keyed[1]!, keyed[2]!);
    else segments.push(segment);
  }
  return segments;
}

/** The object a key segment names: a plain id, `('id')`, `(id)` or `(appId='…')`. */
export function objectKeyOf(segment: string): ObjectKey {
  if (!segment.startsWith('(')) return { objectId: segment };
  const byAppId = /^\(\s*appId\s*=\s*'((?:[^']|'')*)'\s*\)$/i.exec(segment);
  if (byAppId) return { appId: byAppId[1]!.replaceAll("''", "'") };
  const byId = /^\(\s*(?:'((?:[^']|'')*)'|([^'=()]*))\s*\)$/.exec(segment);
  if (byId) return { objectId: (byId[1] ?? byId[2] ?? '').replaceAll("''", "'") };
  throw directoryErrors.badRequest(`The key '${segment}' is not supported; name the object by its id or as (appId='…').`);
}

/**
 * The object id an `@odata.id` names, as Graph takes it in `POST …/members/$ref`: an absolute URL on any host (clients
 * write graph.microsoft.com) whose path is /v1.0/ (or /beta/) directoryObjects, servicePrincipals or groups /{id}.
 */
export function referencedObjectId(value: unknown): string {
  if (typeof value !== 'string') throw directoryErrors.invalidReference(String(value ?? ''));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw directoryErrors.invalidReference(value);
  }
  const match = /^\/(?:v1\.0|beta)\/(?:directoryObjects|servicePrincipals|groups)\/([^/]+)\/?$/i.exec(url.pathname);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !match) throw directoryErrors.invalidReference(value);
  let key: ObjectKey;
  try {
    key = objectKeyOf(decodeURIComponent(match[1]!));
  } catch {
    throw directoryErrors.invalidReference(value);
  }
  if ('appId' in key) throw directoryErrors.invalidReference(value);
  return key.objectId;
}
