// Certificate credentials: a client assertion (RFC 7523) signed by the key of a certificate registered on the
// principal, as ClientCertificateCredential sends it (azure-sdk-auth-facts.md §2): header names the certificate by
// x5t#S256 (or x5t, SHA-1), payload {aud: token endpoint, iss = sub = client id, nbf, exp = nbf + 600, jti}.
// The signature is checked with jose against the registered certificate only — an x5c the client sends is ignored.
import { X509Certificate } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { unixSeconds, type Clock } from '../../clock.js';
import type { CertificateCredential, Principal } from '../../domain/identities/principal.js';
import { oauthErrors, type OAuthError } from '../../errors.js';
import type { CertificateCredentialStore } from '../../store/certificate-credentials.js';
import type { ReplayGuard } from './assertion-replay.js';

/** Entra refuses assertions valid for longer; MSAL makes them valid for 10 minutes. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 3600;

export interface AssertionRules {
  clientId: string;
  /** Our token endpoint URLs (v2.0 and v1); compared case-insensitively, without a trailing slash. */
  audiences: readonly string[];
  now: number;
  skewSeconds: number;
}

/** The registered certificate the header names: x5t#S256 first, else x5t. */
export function certificateNamedBy<T extends Pick<CertificateCredential, 'thumbprintSha1' | 'thumbprintSha256'>>(
  header: ProtectedHeaderParameters,
  certificates: readonly T[],
): T | undefined {
  const sha256 = thumbprintHex(header['x5t#S256']);
  if (sha256 !== undefined) return certificates.find((certificate) => certificate.thumbprintSha256 === sha256);
  const sha1 = thumbprintHex(header.x5t);
  if (sha1 !== undefined) return certificates.find((certificate) => certificate.thumbprintSha1 === sha1);
  return undefined;
}

/** The signature algorithms a certificate's key may have made: RSA (PKCS#1 v1.5 or PSS), or ECDSA on the key's curve. */
export function algorithmsFor(certificate: X509Certificate): string[] {
  const key = certificate.publicKey;
  if (key.asymmetricKeyType === 'rsa') return ['PS256', 'RS256', 'PS384', 'RS384', 'PS512', 'RS512'];
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return ['ES256'];
    if (curve === 'secp384r1') return ['ES384'];
    if (curve === 'secp521r1') return ['ES512'];
  }
  return [];
}

/**
 * Checks the claims of an assertion whose signature verified; returns the error to answer, or undefined when it holds.
 * Pure, so each rule is unit-tested.
 */
export function assertionClaimsProblem(payload: Record<string, unknown>, rules: AssertionRules): OAuthError | undefined {
  const { iss, sub, aud, exp, nbf, iat, jti } = payload;
  const clientId = rules.clientId.toLowerCase();
  if (typeof iss !== 'string' || typeof sub !== 'string' || iss.toLowerCase() !== clientId || sub.toLowerCase() !== clientId) {
    return oauthErrors.assertionClientMismatch();
  }
  if (typeof exp !== 'number' || typeof jti !== 'string' || jti === '' || (nbf !== undefined && typeof nbf !== 'number') || (iat !== undefined && typeof iat !== 'number')) {
    return oauthErrors.malformedAssertion('JWT token is invalid or malformed: the client assertion needs a numeric exp, a jti, and numeric nbf and iat when present.');
  }
  const ours = new Set(rules.audiences.map(normalizeUrl));
  const audiences = (Array.isArray(aud) ? aud : [aud]).filter((value): value is string => typeof value === 'string');
  if (!audiences.some((audience) => ours.has(normalizeUrl(audience)))) {
    return oauthErrors.invalidAssertion(`The audience of the client assertion must be the token endpoint: '${rules.audiences[0] ?? ''}'.`);
  }
  const start = (nbf as number | undefined) ?? (iat as number | undefined);
  if (start !== undefined && start > rules.now + rules.skewSeconds) return oauthErrors.assertionTime('Client assertion is not within its valid time range: it is not valid yet.');
  if (exp <= rules.now - rules.skewSeconds) return oauthErrors.assertionTime('Client assertion is not within its valid time range: it has expired.');
  if (exp - (start ?? rules.now) > MAX_ASSERTION_LIFETIME_SECONDS) {
    return oauthErrors.invalidAssertion(`The client assertion is valid for too long: at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds between nbf (or iat) and exp.`);
  }
  return undefined;
}

export interface CertificateAssertionVerifier {
  /** Resolves when the assertion proves `principal`; throws an OAuthError otherwise. */
  verify(principal: Principal, assertion: string, resource: string): Promise<void>;
}

export function createCertificateAssertionVerifier(deps: {
  certificates: Pick<CertificateCredentialStore, 'listCertificateCredentials'>;
  tokenEndpoints: readonly string[];
  replay: ReplayGuard;
  clock: Clock;
  clockSkewSeconds: number;
}): CertificateAssertionVerifier {
  return {
    async verify(principal, assertion, resource) {
      let header: ProtectedHeaderParameters;
      try {
        header = decodeProtectedHeader(assertion);
      } catch {
        throw oauthErrors.malformedAssertion('JWT token is invalid or malformed: the client assertion is not a JWS.');
      }
      const now = unixSeconds(deps.clock);
      const registered = certificateNamedBy(header, await deps.certificates.listCertificateCredentials(principal.objectId));
      if (!registered) {
        throw oauthErrors.assertionSignature(
          `The certificate with identifier used to sign the client assertion is not registered on application '${principal.appId}'. The header must name a registered certificate by x5t#S256 or x5t.`,
        );
      }
      if (now < registered.notBefore - deps.clockSkewSeconds || now > registered.notAfter) {
        throw oauthErrors.assertionSignature(`The certificate '${registered.thumbprintSha1}' used to sign the client assertion is outside its validity period.`);
      }
      const certificate = new X509Certificate(registered.certificate);
      let payloadBytes: Uint8Array;
      try {
        ({ payload: payloadBytes } = await compactVerify(assertion, certificate.publicKey, { algorithms: algorithmsFor(certificate) }));
      } catch {
        throw oauthErrors.assertionSignature('Client assertion failed signature validation.');
      }
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.from(payloadBytes).toString('utf8'));
      } catch {
        payload = undefined;
      }
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        throw oauthErrors.malformedAssertion('JWT token is invalid or malformed: the client assertion payload is not a JSON object.');
      }
      const problem = assertionClaimsProblem(payload as Record<string, unknown>, {
        clientId: principal.appId, audiences: deps.tokenEndpoints, now, skewSeconds: deps.clockSkewSeconds,
      });
      if (problem) throw problem;
      const { jti, exp } = payload as { jti: string; exp: number };
      // Keyed by resource too: MSAL reuses one assertion for up to 10 minutes when it asks tokens for further
      // resources, so only a second exchange for the same resource is a replay (README: where Coffer differs).
      if (!(await deps.replay.firstUse(`${principal.appId}\n${jti}\n${resource.toLowerCase()}`, exp + deps.clockSkewSeconds, now))) {
        throw oauthErrors.invalidAssertion('The client assertion was already used to get a token for this resource (its jti was seen before).');
      }
    },
  };
}

/** A base64url thumbprint header as upper-case hex, or undefined when absent or not base64url. */
function thumbprintHex(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  return Buffer.from(value, 'base64url').toString('hex').toUpperCase();
}

function normalizeUrl(url: string): string {
  return url.replace(/\/+$/, '').toLowerCase();
}

