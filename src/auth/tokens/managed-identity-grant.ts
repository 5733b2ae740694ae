// Tokens for managed identities, as the App Service and IMDS endpoints hand them out (azure-sdk-auth-facts.md §3).
// Who the caller is:
// - With X-IDENTITY-HEADER (App Service; accepted on the IMDS path too): the header names and proves the identity.
// - IMDS without the header: Azure's IMDS knows a VM by where the call comes from (a link-local address only the VM
//   reaches). The stock SDK sends no secret in this mode and lets no header be added, so Coffer does the same: an
//   identity bound by the administrator to addresses (`coffer identity create NAME --imds-address ADDR`) is handed to
//   callers from those addresses. That binding is the explicit opt-in; without it an anonymous caller gets nothing.
import type { ManagedIdentity, Principal } from '../../domain/identities/principal.js';
import type { IdentityStore } from '../../store/identities.js';
import type { ManagedIdentityStore } from '../../store/managed-identities.js';
import { createIpMatcher, parseIpRule } from '../../network/ip-rules.js';
import { parseIdentityHeader, verifyIdentityHeaderSecret } from '../managed-identity-header.js';
import { resourceCheck, type GrantedToken } from './client-credentials.js';
import type { createTokenIssuer } from './issue.js';

/** A refusal in the managed-identity endpoints' shape ({error, error_description}); never 404, which the SDK retries for 25 s. */
export class ManagedIdentityError extends Error {
  readonly status: 400 | 401 | 403 | 500;
  readonly error: string;

  constructor(status: 400 | 401 | 403 | 500, error: string, description: string) {
    super(description);
    this.name = 'ManagedIdentityError';
    this.status = status;
    this.error = error;
  }
}

/** Which identity the caller asks for: the query's client_id, object_id, or mi_res_id / msi_res_id. */
export interface IdentitySelector {
  clientId?: string | undefined;
  objectId?: string | undefined;
  resourceId?: string | undefined;
}

export interface ManagedIdentityTokenRequest {
  identityHeader: string | undefined;
  /** IMDS only: whether `Metadata: true` was sent. */
  metadataHeader?: boolean;
  flavour: 'appService' | 'imds';
  clientAddress: string;
  resource: string | undefined;
  selector: IdentitySelector;
}

export interface ManagedIdentityToken extends GrantedToken {
  clientId: string;
}

const identityNotFound = () => new ManagedIdentityError(400, 'invalid_request', 'Identity not found');

/** Whether a principal is the one the selector names; an empty selector names any. */
export function selectorMatches(principal: Pick<Principal, 'appId' | 'objectId' | 'displayName'>, selector: IdentitySelector): boolean {
  if (selector.clientId !== undefined && selector.clientId.toLowerCase() !== principal.appId.toLowerCase()) return false;
  if (selector.objectId !== undefined && selector.objectId.toLowerCase() !== principal.objectId.toLowerCase()) return false;
  // There are no ARM identity resources yet: a resource id names an identity by its last segment
  // (…/Microsoft.ManagedIdentity/userAssignedIdentities/NAME).
  if (selector.resourceId !== undefined) {
    const match = /\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/([^/]+)\/?$/i.exec(selector.resourceId);
    if (!match || match[1]!.toLowerCase() !== principal.displayName.toLowerCase()) return false;
  }
  return true;
}

/** IMDS without a header: the one identity bound to the caller's address that the selector names (Azure's IMDS rules). */
export function chooseImdsIdentity<T extends Pick<Principal, 'appId' | 'objectId' | 'displayName'>>(
  bound: readonly T[],
  selector: IdentitySelector,
  clientAddress: string,
): T {
  if (bound.length === 0) {
    throw new ManagedIdentityError(403, 'forbidden', `No managed identity is bound to the caller's address '${clientAddress}' for requests without X-IDENTITY-HEADER.`);
  }
  const named = bound.filter((principal) => selectorMatches(principal, selector));
  if (named.length === 0) throw identityNotFound();
  if (named.length > 1) {
    throw new ManagedIdentityError(400, 'invalid_request', 'Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request');
  }
  return named[0]!;
}

export function createManagedIdentityGrant(deps: {
  identities: Pick<IdentityStore, 'getPrincipal'>;
  managedIdentities: Pick<ManagedIdentityStore, 'getManagedIdentityByLookupId' | 'listImdsBoundIdentities'>;
  issuer: ReturnType<typeof createTokenIssuer>;
  resources: string[];
}) {
  const isServed = resourceCheck(deps.resources);

  async function principalOf(identity: ManagedIdentity): Promise<Principal | undefined> {
    const principal = await deps.identities.getPrincipal(identity.principalId);
    return principal?.kind === 'managedIdentity' ? principal : undefined;
  }

  async function byHeader(header: string): Promise<Principal> {
    const parsed = parseIdentityHeader(header);
    const identity = parsed && (await deps.managedIdentities.getManagedIdentityByLookupId(parsed.lookupId));
    const proven = identity !== undefined && (await verifyIdentityHeaderSecret(parsed!.secret, identity.headerHash));
    const principal = proven ? await principalOf(identity) : undefined;
    if (!principal) throw new ManagedIdentityError(401, 'invalid_client', 'The X-IDENTITY-HEADER does not identify a managed identity.');
    return principal;
  }

  async function byAddress(clientAddress: string, selector: IdentitySelector): Promise<Principal> {
    const bound: Principal[] = [];
    for (const identity of await deps.managedIdentities.listImdsBoundIdentities()) {
      if (!createIpMatcher(identity.imdsAddresses.map(parseIpRule))(clientAddress)) continue;
      const principal = await principalOf(identity);
      if (principal) bound.push(principal);
    }
    return chooseImdsIdentity(bound, selector, clientAddress);
  }

  return {
    async exchange(request: ManagedIdentityTokenRequest): Promise<ManagedIdentityToken> {
      if (request.flavour === 'imds' && request.metadataHeader !== true) {
        throw new ManagedIdentityError(400, 'invalid_request', 'Required metadata header not specified');
      }
      if (request.resource === undefined || request.resource === '') {
        throw new ManagedIdentityError(400, 'invalid_request', "Required query variable 'resource' is missing");
      }
      if (!isServed(request.resource)) {
        throw new ManagedIdentityError(400, 'invalid_resource', `The resource '${request.resource}' is not served by this token service.`);
      }
      const header = request.identityHeader === undefined || request.identityHeader === '' ? undefined : request.identityHeader;
      let principal: Principal;
      if (header !== undefined) {
        principal = await byHeader(header);
        if (!selectorMatches(principal, request.selector)) throw identityNotFound();
      } else if (request.flavour === 'appService') {
        throw new ManagedIdentityError(401, 'invalid_client', 'The X-IDENTITY-HEADER header is required.');
      } else {
        principal = await byAddress(request.clientAddress, request.selector);
      }
      if (!principal.enabled) {
        throw new ManagedIdentityError(400, 'unauthorized_client', `AADSTS7000112: Application '${principal.appId}'(${principal.displayName}) is disabled.`);
      }
      const token = await deps.issuer.issueAccessToken({ tenantId: principal.tenantId, objectId: principal.objectId, appId: principal.appId, audience: request.resource });
      return { ...token, audience: request.resource, clientId: principal.appId };
    },
  };
}
