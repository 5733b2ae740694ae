// The OAuth 2.0 client-credentials grant (RFC 6749 §4.4) with a client secret, as Entra ID answers it.
// Secrets are checked against salted hashes in constant time; nothing the client sent is echoed back.
import { unixSeconds, type Clock } from '../../clock.js';
import { oauthErrors } from '../../errors.js';
import type { IdentityStore } from '../../store/identities.js';
import { verifyClientSecret } from '../client-secret.js';
import type { createTokenIssuer } from './issue.js';

export interface TokenForm {
  grant_type?: string | undefined;
  client_id?: string | undefined;
  client_secret?: string | undefined;
  client_assertion?: string | undefined;
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
  issuer: ReturnType<typeof createTokenIssuer>;
  tenantId: string;
  /** Resources we issue tokens for (the vault audiences); compared without a trailing slash. */
  resources: string[];
  clock: Clock;
}): ClientCredentialsGrant {
  const known = new Set(deps.resources.map(normalizeResource));

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

  return {
    async exchange(form) {
      if (form.grant_type === undefined) throw oauthErrors.invalidRequest("The request body must contain the 'grant_type' parameter.");
      if (form.grant_type !== 'client_credentials') throw oauthErrors.unsupportedGrantType(form.grant_type);
      if (form.client_id === undefined || form.client_id === '') throw oauthErrors.invalidRequest("The request body must contain the 'client_id' parameter.");
      if (form.client_assertion !== undefined) {
        throw oauthErrors.invalidRequest('Client assertions (certificate credentials) are not supported yet; use a client secret.');
      }
      if (form.client_secret === undefined || form.client_secret === '') {
        throw oauthErrors.invalidClient("The request body must contain the 'client_secret' or 'client_assertion' parameter.");
      }
      const resource = resourceOf(form);
      if (!known.has(normalizeResource(resource))) throw oauthErrors.invalidResource(resource);

      const principal = await deps.identities.getPrincipalByAppId(form.client_id);
      if (!principal) {
        throw oauthErrors.unauthorizedClient(`Application with identifier '${form.client_id}' was not found in the directory '${deps.tenantId}'.`);
      }
      const now = unixSeconds(deps.clock);
      const secrets = (await deps.identities.listClientSecrets(principal.objectId)).filter((secret) => secret.expiresAt === null || secret.expiresAt > now);
      let matched = false;
      // Check every credential, not just until the first match, so the time taken says nothing about which matched.
      for (const secret of secrets) {
        if (await verifyClientSecret(form.client_secret, secret.secretHash)) matched = true;
      }
      if (!matched) throw oauthErrors.invalidClient(`Invalid client secret provided for app '${form.client_id}'.`);

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

function normalizeResource(resource: string): string {
  return resource.replace(/\/+$/, '').toLowerCase();
}
