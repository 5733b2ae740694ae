// Reading Graph request bodies the way Graph does: a JSON object whose properties Coffer keeps are taken, and any other
// property is refused by name rather than silently dropped (an ignored property would half-work). `@odata.*`
// annotations are allowed everywhere. Also the URLs Graph answers carry (@odata.context, the object a request touched).
import { directoryErrors } from '../../errors.js';
import type { GraphContext } from './define-graph-operation.js';

export function objectBody(body: unknown, type: string): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw directoryErrors.badRequest(`The request body must be a JSON object (a ${type}).`);
  return body as Record<string, unknown>;
}

/** Refuses every property but the allowed ones (and OData annotations). */
export function onlyProperties(body: Record<string, unknown>, allowed: readonly string[], type: string): void {
  for (const name of Object.keys(body)) {
    if (name.startsWith('@odata.') || allowed.includes(name)) continue;
    throw directoryErrors.propertyNotSupported(name, type);
  }
}

export function optionalString(body: Record<string, unknown>, name: string, type: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw directoryErrors.badRequest(`Invalid value specified for property '${name}' of resource '${type}'.`);
  return value;
}

export function optionalBoolean(body: Record<string, unknown>, name: string, type: string): boolean | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw directoryErrors.badRequest(`Invalid value specified for property '${name}' of resource '${type}'.`);
  return value;
}

/** A date-time property as Unix seconds (Graph's Edm.DateTimeOffset, ISO 8601). */
export function optionalDateTime(body: Record<string, unknown>, name: string, type: string): number | undefined {
  const value = optionalString(body, name, type);
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw directoryErrors.badRequest(`Invalid value specified for property '${name}' of resource '${type}': '${value}' is not a date and time.`);
  return Math.floor(ms / 1000);
}

/** `…/v1.0/$metadata#<fragment>` on the host the client addressed. */
export function contextUrl(ctx: GraphContext, fragment: string): string {
  return `${ctx.baseUrl}/v1.0/$metadata#${fragment}`;
}

/** An object's URL on the host the client addressed: what the audit record names. */
export function objectUrl(ctx: GraphContext, path: string): string {
  return `${ctx.baseUrl}/v1.0/${path}`;
}
