// Which API a request under `/providers/…` or `…/providers/Microsoft.Authorization/…` is for. Two APIs share those paths
// on one listener: ARM's Microsoft.Authorization at the root scope (`/providers/Microsoft.Authorization/roleAssignments`,
// which @azure/arm-authorization sends for scope '/' as `///providers/…`) and the vault's own data-plane role
// assignments (Managed HSM's shape, `/{scope}/providers/Microsoft.Authorization/…` on the vault host). The host cannot
// tell them apart — `localhost` is both the management endpoint and the default vault — but the api-version can: the
// data plane's are `7.x` and its own dated versions (pipeline/api-version.ts), ARM's Microsoft.Authorization versions
// (2015-07-01 … 2022-04-01) are none of those. So the router derives a `surface` from the api-version, and the routes
// that share a path declare which surface they serve; every other route ignores it.
import type { IncomingMessage } from 'node:http';
import { SUPPORTED_API_VERSIONS } from './pipeline/api-version.js';

export type Surface = 'data' | 'management';

const DATA_PLANE_VERSIONS = new Set<string>(SUPPORTED_API_VERSIONS);
const PROVIDERS = /\/providers(\/|\?|$)/i;

/** The surface of a request whose path has a `providers` segment; undefined for all others (cheap: no query parsing). */
export function surfaceOf(url: string): Surface | undefined {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  if (!PROVIDERS.test(path)) return undefined;
  const version = queryStart === -1 ? null : new URLSearchParams(url.slice(queryStart + 1)).get('api-version');
  return version !== null && DATA_PLANE_VERSIONS.has(version) ? 'data' : 'management';
}

/** A find-my-way constraint strategy; routes without the constraint match whatever is derived. */
export const surfaceConstraint = {
  name: 'surface',
  mustMatchWhenDerived: false,
  storage() {
    // find-my-way's handler type is its own; the strategy only stores and returns what it is given.
    const handlers = new Map<string, any>();
    return {
      get: (surface: string) => handlers.get(surface) ?? null,
      set: (surface: string, store: any) => void handlers.set(surface, store),
    };
  },
  // Undefined (no `providers` segment) matches only routes without the constraint, which is all of them there.
  deriveConstraint: (request: IncomingMessage) => surfaceOf(request.url ?? '/') as string,
  validate(value: unknown) {
    if (value !== 'data' && value !== 'management') throw new Error(`surface must be 'data' or 'management', not ${String(value)}`);
  },
};
