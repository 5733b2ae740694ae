// Checks bearer tokens (signature, issuer, audience, lifetime) and remembers the ones that passed, so a hot client
// costs a Map lookup instead of an RSA verify. Tokens of our own token service are checked against our signing keys;
// tokens of a configured external OIDC issuer against that issuer's published keys. It never logs a token, and its
// errors never quote one.
import { decodeJwt, errors as jose, jwtVerify, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { unixSeconds, type Clock } from '../../clock.js';
import type { ExternalIssuer } from '../external-issuers.js';
import { IssuerUnavailableError, type RemoteIssuerKeys } from '../oidc/remote-issuer-keys.js';
import { EXTERNAL_TOKEN_ALGORITHMS } from './federated-assertion.js';
import type { SigningKeys } from './signing-keys.js';

export interface VerifiedToken {
  tenantId: string;
  objectId: string;
  appId: string;
  audience: string;
  issuer: string;
  expiresAt: number /* unix s */;
  claims: Record<string, unknown>;
  /** Set when a configured external issuer signed the token: its principal is not in our table (token-principal.ts). */
  externalIssuer?: string;
}

export type TokenFailure =
  | 'malformed'
  | 'signature'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not-yet-valid'
  | 'unknown-key'
  /** An external issuer's keys could not be fetched. */
  | 'issuer-unavailable'
  /** Our own token, for another tenant. */
  | 'tenant'
  /** The principal the token names is disabled. */
  | 'disabled'
  /** An external issuer's token names the object id of one of our own principals. */
  | 'shadowed';

const failureMessages: Record<TokenFailure, string> = {
  malformed: 'The access token is malformed or lacks required claims.',
  signature: 'The access token signature is invalid.',
  issuer: 'The access token was issued by an issuer this server does not trust.',
  audience: 'The access token is not intended for this server (invalid audience).',
  expired: 'The access token has expired.',
  'not-yet-valid': 'The access token is not yet valid.',
  'unknown-key': 'The access token was signed with a key this server does not know.',
  'issuer-unavailable': "The signing keys of the access token's issuer could not be fetched.",
  tenant: 'The access token was issued for another tenant.',
  disabled: 'The principal the access token names is disabled.',
  shadowed: 'The access token of an external issuer names a principal of this server.',
};

export class TokenVerificationError extends Error {
  readonly failure: TokenFailure;

  constructor(failure: TokenFailure) {
    // The message is fixed per failure: jose's own messages and errors carry the token's claims.
    super(failureMessages[failure]);
    this.name = 'TokenVerificationError';
    this.failure = failure;
  }
}

/** Audiences a token may name: the configured DNS suffix (with and without each port) and Azure's own Key Vault resource. */
export function audiencesFor(opts: { dnsSuffix: string; ports: number[] }): string[] {
  const bases = [`https://${opts.dnsSuffix}`, ...opts.ports.map((port) => `https://${opts.dnsSuffix}:${port}`), 'https://vault.azure.net'];
  // Clients derive the scope from the challenge's resource with or without a trailing slash.
  return [...new Set(bases.flatMap((base) => [base, `${base}/`]))];
}

/**
 * Audiences of the management API: the server's own address as clients give it as the ARM endpoint (the SDK asks for
 * `<endpoint>/.default`), and Azure Resource Manager's own resources.
 */
export function managementAudiencesFor(opts: { hosts: string[]; ports: number[] }): string[] {
  const bases = [
    ...opts.hosts.flatMap((host) => opts.ports.map((port) => `https://${host}:${port}`)),
    'https://management.azure.com',
    'https://management.core.windows.net',
  ];
  return [...new Set(bases.flatMap((base) => [base, `${base}/`]))];
}

/**
 * Microsoft Graph's audiences: the Graph SDK asks for `https://graph.microsoft.com/.default` whatever its base URL, so
 * tokens for the directory under /v1.0 name Graph itself (http/graph/register.ts accepts only these).
 */
export const GRAPH_AUDIENCES: readonly string[] = ['https://graph.microsoft.com', 'https://graph.microsoft.com/'];

type CacheEntry = { verified: VerifiedToken; notBefore: number | undefined };

export function createTokenVerifier(deps: {
  keys: Pick<SigningKeys, 'publicKey'>;
  issuers: string[];
  audiences: string[];
  clockSkewSeconds: number;
  clock: Clock;
  cacheSize?: number /* default 10_000 */;
  /** Configured external OIDC issuers (--external-issuer) and where their keys come from. */
  external?: { issuers: readonly ExternalIssuer[]; keys: RemoteIssuerKeys };
}): { verify(token: string): Promise<VerifiedToken> } {
  const cacheSize = deps.cacheSize ?? 10_000;
  // Keyed by the exact token string: any altered byte is a different key and gets a full verify.
  const cache = new Map<string, CacheEntry>();
  const externalByIssuer = new Map((deps.external?.issuers ?? []).map((issuer) => [issuer.issuer, issuer]));

  function claimOptions(issuers: string[], algorithms: string[]) {
    return {
      algorithms,
      issuer: issuers,
      audience: deps.audiences,
      // Without exp a token would never expire; jose only checks exp when it is present.
      requiredClaims: ['exp'],
      clockTolerance: deps.clockSkewSeconds,
      currentDate: new Date(deps.clock.nowMs()),
    };
  }

  // Same arithmetic as jose's, so a cached token lives exactly as long as a fresh verify would accept it.
  function isWithinLifetime(entry: CacheEntry, now: number): boolean {
    return entry.verified.expiresAt > now - deps.clockSkewSeconds && (entry.notBefore === undefined || entry.notBefore <= now + deps.clockSkewSeconds);
  }

  function remember(token: string, entry: CacheEntry): void {
    if (cacheSize <= 0) return;
    // Oldest first, by insertion order; expired entries also leave this way or on their next lookup.
    for (const oldest of cache.keys()) {
      if (cache.size < cacheSize) break;
      cache.delete(oldest);
    }
    cache.set(token, entry);
  }

  return {
    async verify(token) {
      const cached = cache.get(token);
      if (cached) {
        if (isWithinLifetime(cached, unixSeconds(deps.clock))) return cached.verified;
        cache.delete(token);
      }

      // Which keys to check the signature with depends on the issuer, read before anything is verified: only an issuer
      // of ours or a configured one is ever acted upon, and jose then checks that the verified iss is that very one.
      let claimedIssuer: unknown;
      try {
        claimedIssuer = decodeJwt(token).iss;
      } catch {
        throw new TokenVerificationError('malformed');
      }
      const isOurs = typeof claimedIssuer === 'string' && deps.issuers.includes(claimedIssuer);
      const external = typeof claimedIssuer === 'string' && !isOurs ? externalByIssuer.get(claimedIssuer) : undefined;
      if (!isOurs && !external) throw new TokenVerificationError('issuer');

      let verified: VerifiedToken;
      let payload: JWTPayload;
      try {
        if (external) {
          const keys = await deps.external!.keys.keysFor(external.issuer);
          ({ payload } = await jwtVerify(token, keys, claimOptions([external.issuer], EXTERNAL_TOKEN_ALGORITHMS)));
          verified = toExternalVerifiedToken(payload, external, deps.audiences);
        } else {
          ({ payload } = await jwtVerify(token, (header: JWTHeaderParameters) => resolveKey(deps.keys, header.kid), claimOptions(deps.issuers, ['RS256'])));
          verified = toVerifiedToken(payload, deps.audiences);
        }
      } catch (error) {
        throw new TokenVerificationError(failureOf(error));
      }

      const entry: CacheEntry = { verified, notBefore: payload.nbf };
      remember(token, entry);
      return entry.verified;
    },
  };
}

function resolveKey(keys: Pick<SigningKeys, 'publicKey'>, kid: string | undefined) {
  const key = kid === undefined ? undefined : keys.publicKey(kid);
  if (!key) throw new TokenVerificationError('unknown-key');
  return key;
}

function failureOf(error: unknown): TokenFailure {
  if (error instanceof TokenVerificationError) return error.failure;
  if (error instanceof IssuerUnavailableError) return 'issuer-unavailable';
  if (error instanceof jose.JWTExpired) return 'expired';
  if (error instanceof jose.JWTClaimValidationFailed) {
    // Only a failed comparison is about time or trust; a claim of the wrong type is a malformed token.
    if (error.claim === 'nbf' && error.reason === 'check_failed') return 'not-yet-valid';
    if (error.claim === 'iss' && error.reason !== 'invalid') return 'issuer';
    if (error.claim === 'aud' && error.reason !== 'invalid') return 'audience';
    return 'malformed';
  }
  if (error instanceof jose.JWSSignatureVerificationFailed) return 'signature';
  if (error instanceof jose.JWKSNoMatchingKey) return 'unknown-key';
  return 'malformed';
}

function toVerifiedToken(payload: JWTPayload, audiences: string[]): VerifiedToken {
  const objectId = stringClaim(payload, 'oid', 'sub');
  const tenantId = stringClaim(payload, 'tid');
  const appId = stringClaim(payload, 'appid', 'azp');
  // jose has already checked iss and exp, and that aud names one of ours; these guards only narrow the types.
  const audience = [payload.aud].flat().find((aud) => aud !== undefined && audiences.includes(aud));
  if (!objectId || !tenantId || !appId || !audience || payload.iss === undefined || payload.exp === undefined) {
    throw new TokenVerificationError('malformed');
  }
  // Frozen because one cached object is handed to every request that presents this token.
  const claims = Object.freeze({ ...payload });
  return Object.freeze({ tenantId, objectId, appId, audience, issuer: payload.iss, expiresAt: payload.exp, claims });
}

/**
 * An external issuer's token: the principal is the configured claim (default oid), the tenant the token's tid (else
 * the issuer), the application its appid, azp or client_id (else none).
 */
function toExternalVerifiedToken(payload: JWTPayload, external: ExternalIssuer, audiences: string[]): VerifiedToken {
  const objectId = stringClaim(payload, external.principalClaim);
  const tenantId = stringClaim(payload, 'tid') ?? external.issuer;
  const appId = stringClaim(payload, 'appid', 'azp', 'client_id') ?? '';
  const audience = [payload.aud].flat().find((aud) => aud !== undefined && audiences.includes(aud));
  if (!objectId || !audience || payload.exp === undefined) throw new TokenVerificationError('malformed');
  const claims = Object.freeze({ ...payload });
  return Object.freeze({ tenantId, objectId, appId, audience, issuer: external.issuer, expiresAt: payload.exp, claims, externalIssuer: external.issuer });
}

/** The first of the named claims that is present, if it is a non-empty string; a present claim of another type does not fall back. */
function stringClaim(payload: JWTPayload, ...names: string[]): string | undefined {
  const value = names.map((name) => payload[name]).find((candidate) => candidate !== undefined);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
