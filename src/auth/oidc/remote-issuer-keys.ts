// Signing keys of external OIDC issuers (federated credentials, external issuers): the issuer's discovery document
// (<issuer>/.well-known/openid-configuration) names its JWKS, which jose fetches and caches. Only https; TLS trusts the
// system CAs plus NODE_EXTRA_CA_CERTS (Node's fetch uses both). Only issuers the administrator configured are ever
// fetched: callers check a token's issuer against configuration before asking for its keys.
import { createRemoteJWKSet, errors as jose, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../../clock.js';

/** The issuer's discovery document or keys could not be fetched: the token can be neither trusted nor refused for cause. */
export class IssuerUnavailableError extends Error {
  readonly issuer: string;

  constructor(issuer: string, reason: string) {
    super(`The OpenID issuer '${issuer}' could not be reached or answered unusably: ${reason}`);
    this.name = 'IssuerUnavailableError';
    this.issuer = issuer;
  }
}

export interface RemoteIssuerKeys {
  /** The key resolver for jose's jwtVerify; throws IssuerUnavailableError when discovery fails. */
  keysFor(issuer: string): Promise<JWTVerifyGetKey>;
}

const DISCOVERY_LIMIT_BYTES = 256 * 1024;

/** Where OIDC Discovery §4 puts the document: the issuer without a trailing slash, then the well-known path. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** The JWKS URL the document names, after the checks OIDC Discovery §4.3 asks for. Throws an Error saying what is wrong. */
export function jwksUriOf(issuer: string, document: unknown): URL {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new Error('the discovery document is not a JSON object');
  const { issuer: named, jwks_uri: jwksUri } = document as Record<string, unknown>;
  // §4.3: the issuer in the document must be identical to the one the document was fetched for.
  if (named !== issuer) throw new Error(`the discovery document names issuer '${String(named)}'`);
  if (typeof jwksUri !== 'string') throw new Error('the discovery document has no jwks_uri');
  let url: URL;
  try {
    url = new URL(jwksUri);
  } catch {
    throw new Error('the jwks_uri is not a URL');
  }
  if (url.protocol !== 'https:') throw new Error('the jwks_uri is not https');
  return url;
}

export function createRemoteIssuerKeys(deps: {
  clock: Clock;
  /** Told of each failed fetch, for a warning in the log. */
  onError?: (error: IssuerUnavailableError) => void;
  timeoutMs?: number;
  /** How long a discovery document is used before it is fetched again. */
  discoveryTtlSeconds?: number;
  /** After a failure, requests for that issuer fail at once for this long, so a flood of tokens cannot hammer it. */
  failureCooldownSeconds?: number;
}): RemoteIssuerKeys {
  const timeoutMs = deps.timeoutMs ?? 5000;
  const ttlMs = (deps.discoveryTtlSeconds ?? 3600) * 1000;
  const cooldownMs = (deps.failureCooldownSeconds ?? 30) * 1000;
  const entries = new Map<string, { keys: Promise<JWTVerifyGetKey>; until: number }>();

  function fail(issuer: string, reason: string): IssuerUnavailableError {
    const error = new IssuerUnavailableError(issuer, reason);
    deps.onError?.(error);
    return error;
  }

  async function discover(issuer: string): Promise<JWTVerifyGetKey> {
    let document: unknown;
    try {
      const response = await fetch(discoveryUrl(issuer), { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: { accept: 'application/json' } });
      if (response.status !== 200) throw new Error(`discovery answered HTTP ${response.status}`);
      const text = await response.text();
      if (text.length > DISCOVERY_LIMIT_BYTES) throw new Error('the discovery document is too large');
      document = JSON.parse(text);
    } catch (error) {
      throw fail(issuer, (error as Error).cause instanceof Error ? `${(error as Error).message} (${((error as Error).cause as Error).message})` : (error as Error).message);
    }
    let jwksUri: URL;
    try {
      jwksUri = jwksUriOf(issuer, document);
    } catch (error) {
      throw fail(issuer, (error as Error).message);
    }
    // jose refetches the set when a token names a kid it lacks (at most every cooldownDuration), so key rotation works.
    const remote = createRemoteJWKSet(jwksUri, { timeoutDuration: timeoutMs, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    return async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        // A set without the token's key is a verdict about the token; anything else is about the issuer.
        if (error instanceof jose.JWKSNoMatchingKey || error instanceof jose.JWKSMultipleMatchingKeys) throw error;
        throw fail(issuer, `its JWKS could not be fetched: ${(error as Error).message}`);
      }
    };
  }

  return {
    keysFor(issuer) {
      const now = deps.clock.nowMs();
      const cached = entries.get(issuer);
      if (cached && cached.until > now) return cached.keys;
      const keys = discover(issuer);
      const entry = { keys, until: now + ttlMs };
      entries.set(issuer, entry);
      keys.catch(() => {
        // A failure is remembered only for the cooldown.
        if (entries.get(issuer) === entry) entry.until = deps.clock.nowMs() + cooldownMs;
      });
      return keys;
    },
  };
}
