// Workload identity federation: a client assertion that is a token of an external issuer (a Kubernetes service
// account, a CI system), accepted when a federated credential of the principal names that issuer, the token's subject
// and one of its audiences. The signature is checked against the issuer's published keys (OIDC discovery + JWKS).
// No replay check: the same token is meant to be exchanged many times while it lives (WorkloadIdentityCredential
// rereads its file only every 5 minutes).
import { decodeJwt, errors as jose, jwtVerify, type JWTPayload } from 'jose';
import { type Clock } from '../../clock.js';
import { matchFederatedCredential } from '../../domain/identities/federated-credential.js';
import type { Principal } from '../../domain/identities/principal.js';
import { oauthErrors } from '../../errors.js';
import type { FederatedCredentialStore } from '../../store/federated-credentials.js';
import { IssuerUnavailableError, type RemoteIssuerKeys } from '../oidc/remote-issuer-keys.js';

/** Asymmetric algorithms only: an HMAC "signature" would need a secret we share with the issuer. */
export const EXTERNAL_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface FederatedAssertionVerifier {
  /** Resolves when the external token proves `principal`; throws an OAuthError otherwise. */
  verify(principal: Principal, assertion: string): Promise<void>;
}

export function createFederatedAssertionVerifier(deps: {
  federated: Pick<FederatedCredentialStore, 'listFederatedCredentials'>;
  remoteKeys: RemoteIssuerKeys;
  clock: Clock;
  clockSkewSeconds: number;
}): FederatedAssertionVerifier {
  return {
    async verify(principal, assertion) {
      let unverified: JWTPayload;
      try {
        unverified = decodeJwt(assertion);
      } catch {
        throw oauthErrors.malformedAssertion('JWT token is invalid or malformed: the client assertion is not a JWT.');
      }
      if (typeof unverified.iss !== 'string') throw oauthErrors.malformedAssertion('JWT token is invalid or malformed: the client assertion has no issuer.');
      const issuer = unverified.iss;
      const credentials = (await deps.federated.listFederatedCredentials(principal.objectId)).filter((credential) => credential.issuer === issuer);
      // Only an issuer the administrator registered on this principal is ever fetched from.
      if (credentials.length === 0) throw oauthErrors.federatedIssuerMismatch(issuer);

      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(assertion, await deps.remoteKeys.keysFor(issuer), {
          algorithms: EXTERNAL_TOKEN_ALGORITHMS,
          issuer,
          requiredClaims: ['exp', 'sub', 'aud'],
          clockTolerance: deps.clockSkewSeconds,
          currentDate: new Date(deps.clock.nowMs()),
        }));
      } catch (error) {
        if (error instanceof IssuerUnavailableError) throw oauthErrors.externalIssuerUnavailable(issuer);
        if (error instanceof jose.JWTExpired) throw oauthErrors.assertionTime('Client assertion is not within its valid time range: the external token has expired.');
        if (error instanceof jose.JWTClaimValidationFailed && error.claim === 'nbf') {
          throw oauthErrors.assertionTime('Client assertion is not within its valid time range: the external token is not valid yet.');
        }
        if (error instanceof jose.JWTClaimValidationFailed) throw oauthErrors.malformedAssertion(`JWT token is invalid or malformed: the external token's '${error.claim}' claim is missing or invalid.`);
        throw oauthErrors.assertionSignature(`The external token failed signature validation against the keys of issuer '${issuer}'.`);
      }
      const audiences = [payload.aud].flat().filter((audience): audience is string => typeof audience === 'string');
      const match = matchFederatedCredential(credentials, { issuer, subject: payload.sub, audiences });
      if ('failure' in match) {
        if (match.failure === 'subject') throw oauthErrors.federatedSubjectMismatch(payload.sub ?? '', issuer);
        if (match.failure === 'audience') throw oauthErrors.federatedAudienceMismatch(audiences);
        throw oauthErrors.federatedIssuerMismatch(issuer);
      }
    },
  };
}
