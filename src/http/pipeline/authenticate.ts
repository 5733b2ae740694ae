// Bearer-token authentication with Azure's challenge. A request without a token is answered 401 with the
// WWW-Authenticate challenge before its body or parameters are looked at: the SDK's first request is
// deliberately tokenless and bodiless (reference/azure-sdk-auth-facts.md §1).
import type { TokenPrincipalResolver } from '../../auth/tokens/token-principal.js';
import { TokenVerificationError, type TokenFailure, type VerifiedToken } from '../../auth/tokens/verify.js';
import type { Principal } from '../../domain/identities/principal.js';
import { CofferError, errors } from '../../errors.js';
import type { ParsedHost } from './resolve-vault.js';

const failureMessages: Record<TokenFailure, string> = {
  malformed: 'AKV10005: The bearer token is malformed.',
  signature: 'AKV10013: The bearer token signature is invalid.',
  'unknown-key': 'AKV10013: The bearer token was signed by an unknown key.',
  'issuer-unavailable': "AKV10013: The signing keys of the bearer token's issuer could not be fetched.",
  issuer: 'AKV10032: Invalid issuer.',
  audience: 'AKV10022: Invalid audience.',
  expired: 'AKV10021: The bearer token is expired.',
  'not-yet-valid': 'AKV10021: The bearer token is not yet valid.',
  tenant: 'AKV10032: The token was issued for another tenant.',
  disabled: 'AKV10032: The principal the bearer token names is disabled.',
  shadowed: 'AKV10032: An external issuer may not name a principal of this server.',
};

export function createAuthenticator(deps: {
  verifier: { verify(token: string): Promise<VerifiedToken> };
  /** Our principal (or an external issuer's), refusing disabled principals and tokens of other tenants. */
  principalOf: TokenPrincipalResolver;
  authorityHost: string;
  tenantId: string;
  dnsSuffix: string;
  /** The vault audiences: a token for the management API (or anything else) is refused here. */
  audiences: readonly string[];
  /**
   * The load balancer's port (--public-port), named in challenges even to a client that reached this node's own
   * port: the token it then gets is good on every node, and any node's token service issues it.
   */
  publicPort?: number;
}) {
  const audiences = new Set(deps.audiences);
  /** The challenge names our token service and the resource to ask a token for: https://<suffix>[:port]. */
  function challenge(host: ParsedHost): Record<string, string> {
    const portSuffix = deps.publicPort !== undefined && host.portSuffix !== '' ? `:${deps.publicPort}` : host.portSuffix;
    return {
      'www-authenticate': `Bearer authorization="${deps.authorityHost}/${deps.tenantId}", resource="https://${deps.dnsSuffix}${portSuffix}"`,
    };
  }

  function withChallenge(error: CofferError, host: ParsedHost): CofferError {
    return new CofferError(error.status, error.code, error.message, { headers: challenge(host) });
  }

  return async function authenticate(authorization: string | undefined, host: ParsedHost): Promise<{ token: VerifiedToken; principal: Principal | undefined }> {
    const match = authorization === undefined ? null : /^Bearer +(\S+)\s*$/i.exec(authorization);
    if (!match) throw withChallenge(errors.unauthorizedMissingToken(), host);
    try {
      const token = await deps.verifier.verify(match[1]!);
      if (!audiences.has(token.audience)) throw new TokenVerificationError('audience');
      // A principal removed after its token was issued keeps a valid token but no rights (403, not 401), as in Azure.
      return { token, principal: await deps.principalOf(token) };
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      throw withChallenge(errors.unauthorizedInvalidToken(failureMessages[error.failure]), host);
    }
  };
}
