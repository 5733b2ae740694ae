// The principal a verified token stands for, on the data plane and the management API alike. Our own tokens name a
// row of our principals table, looked up on every request (cached until the store changes), so disabling a principal
// refuses the tokens it already holds at the very next request. External issuers' tokens stand for principals we do
// not keep (external-issuers.ts).
import type { Principal } from '../../domain/identities/principal.js';
import type { IdentityStore } from '../../store/identities.js';
import { externalPrincipal } from '../external-issuers.js';
import { TokenVerificationError, type VerifiedToken } from './verify.js';

export type TokenPrincipalResolver = (token: VerifiedToken) => Promise<Principal | undefined>;

/**
 * Throws TokenVerificationError ('tenant', 'disabled', 'shadowed') for a token that verified but must still be refused
 * (401). Resolves to undefined for our own token whose principal was removed: it keeps no rights (403), as in Azure.
 */
export function createTokenPrincipalResolver(deps: { identities: Pick<IdentityStore, 'getPrincipal'>; tenantId: string }): TokenPrincipalResolver {
  return async (token) => {
    if (token.externalIssuer !== undefined) {
      // A trusted issuer may still name any object id it likes; it must never speak for one of our own principals.
      if (await deps.identities.getPrincipal(token.objectId)) throw new TokenVerificationError('shadowed');
      return externalPrincipal(token);
    }
    if (token.tenantId !== deps.tenantId) throw new TokenVerificationError('tenant');
    const principal = await deps.identities.getPrincipal(token.objectId);
    if (principal && !principal.enabled) throw new TokenVerificationError('disabled');
    // An application's credential holder without its service principal is never a caller (no token names one).
    return principal?.hasServicePrincipal === false ? undefined : principal;
  };
}
