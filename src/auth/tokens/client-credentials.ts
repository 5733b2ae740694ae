// The OAuth 2.0 client-credentials grant (RFC 6749 §4.4) as Entra ID answers it, with each credential type Entra
// takes: a client secret, or a client assertion (RFC 7523) that is either signed by a registered certificate's key
// or an external issuer's token matching a federated credential. Secrets are checked against salted hashes in
// constant time; nothing the client sent is echoed back, and a disabled principal, or an application without its
// service principal, gets nothing.
import { decodeJwt } from 'jose';
import { unixSeconds, type Clock } from '../../clock.js';
import { oauthErrors } from '../../errors.js';
import type { IdentityStore } from '../../store/identities.js';
import { verifyClientSecret } from '../client-secret.js';
import type { CertificateAssertionVerifier } from './certificate-assertion.js';
import type { FederatedAssertionVerifier } from './federated-assertion.js';
import type { createTokenIssuer } from './issue.js';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface TokenForm {
  grant_type?: string | undefined;
  client_id?: string | undefined;
  client_secret?: string | undefined;
  client_assertion?: string | undefined;
  client_assertion_type?: string | undefined;
  /** v2 endpoint: '<resource>/.default' (space-separated scopes allowed). */
  scope?: string | undefined;
  /** v1 endpoint: the resource itself. */
  resource?: string | undefined;
}

export interface GrantedToken {
  accessToken: string;
  expiresIn: number;
  expiresOn: number;
  audience: string;
}

export interface ClientCredentialsGrant {
  exchange(form: TokenForm): Promise<GrantedToken>;
}

export function createClientCredentialsGrant(deps: {
  identities: Pick<IdentityStore, 'getPrincipalByAppId' | 'listClientSecrets'>;
  certificateAssertions: CertificateAssertionVerifier;
  federatedAssertions: FederatedAssertionVerifier;
  issuer: ReturnType<typeof createTokenIssuer>;
  tenantId: string;
  /** Resources we issue tokens for (the vault audiences); compared without a trailing slash. */
  resources: string[];
  clock: Clock;
}): ClientCredentialsGrant {
  const isServed = resourceCheck(deps.resources);

  function resourceOf(form: TokenForm): string {
    if (form.resource !== undefined) return form.resource;
    if (form.scope === undefined || form.scope.trim() === '') throw oauthErrors.invalidRequest("The request body must contain the 'scope' parameter.");
    const scopes = form.scope.split(' ').filter((scope) => scope !== '');
    const resourceScope = scopes.find((scope) => scope.endsWith('/.default'));
    if (!resourceScope) {
      throw oauthErrors.invalidScope(`The scope '${form.scope}' is not valid. The client-credentials flow takes '<resource>/.default'.`);
    }
    return resourceScope.slice(0, -'/.default'.length);
  }

  async function checkClientSecret(principalId: string, clientId: string, presented: string): Promise<void> {
    const now = unixSeconds(deps.clock);
    const secrets = (await deps.identities.listClientSecrets(principalId)).filter((secret) => secret.expiresAt === null || secret.expiresAt > now);
    let matched = false;
    // Check every credential, not just until the first match, so the time taken says nothing about which matched.
    for (const secret of secrets) {
      if (await verifyClientSecret(presented, secret.secretHash)) matched = true;
    }
    if (!matched) throw oauthErrors.invalidClient(`Invalid client secret provided for app '${clientId}'.`);
  }

  return {
    async exchange(form) {
      if (form.grant_type === undefined) throw oauthErrors.invalidRequest("The request body must contain the 'grant_type' parameter.");
      if (form.grant_type !== 'client_credentials') throw oauthErrors.unsupportedGrantType(form.grant_type);
      if (form.client_id === undefined || form.client_id === '') throw oauthErrors.invalidRequest("The request body must contain the 'client_id' parameter.");
      const hasSecret = form.client_secret !== undefined && form.client_secret !== '';
      const hasAssertion = form.client_assertion !== undefined && form.client_assertion !== '';
      if (!hasSecret && !hasAssertion) {
        throw oauthErrors.invalidClient("The request body must contain the 'client_secret' or 'client_assertion' parameter.");
      }
      if (hasSecret && hasAssertion) throw oauthErrors.invalidRequest("Send either 'client_secret' or 'client_assertion', not both.");
      if (hasAssertion && form.client_assertion_type !== JWT_BEARER_ASSERTION_TYPE) {
        throw oauthErrors.invalidRequest(`The 'client_assertion_type' parameter must be '${JWT_BEARER_ASSERTION_TYPE}'.`);
      }
      const resource = resourceOf(form);
      if (!isServed(resource)) throw oauthErrors.invalidResource(resource);

      const principal = await deps.identities.getPrincipalByAppId(form.client_id);
      if (!principal) {
        throw oauthErrors.unauthorizedClient(`Application with identifier '${form.client_id}' was not found in the directory '${deps.tenantId}'.`);
      }
      // An application registered through Graph gets tokens once its service principal exists, as in Entra.
      if (principal.hasServicePrincipal === false) throw oauthErrors.missingServicePrincipal(principal.appId, deps.tenantId);
      if (!principal.enabled) throw oauthErrors.applicationDisabled(principal.appId, principal.displayName);

      if (hasSecret) {
        await checkClientSecret(principal.objectId, form.client_id, form.client_secret!);
      } else if (isSelfIssued(form.client_assertion!, principal.appId)) {
        // iss = client id: the client signed it with a certificate's key. Any other issuer: a federated token.
        await deps.certificateAssertions.verify(principal, form.client_assertion!, resource);
      } else {
        await deps.federatedAssertions.verify(principal, form.client_assertion!);
      }

      const token = await deps.issuer.issueAccessToken({
        tenantId: principal.tenantId,
        objectId: principal.objectId,
        appId: principal.appId,
        audience: resource,
      });
      return { ...token, audience: resource };
    },
  };
}

/** A predicate for the resources tokens are issued for; compared case-insensitively, without a trailing slash. */
export function resourceCheck(resources: readonly string[]): (resource: string) => boolean {
  const known = new Set(resources.map(normalizeResource));
  return (resource) => known.has(normalizeResource(resource));
}

/** Whether the (not yet verified) assertion names the client itself as issuer; a malformed one goes the certificate way and fails there. */
function isSelfIssued(assertion: string, clientId: string): boolean {
  try {
    const { iss } = decodeJwt(assertion);
    return typeof iss !== 'string' || iss.toLowerCase() === clientId.toLowerCase();
  } catch {
    return true;
  }
}

function normalizeResource(resource: string): string {
  return resource.replace(/\/+$/, '').toLowerCase();
}
