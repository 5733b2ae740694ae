// User-assigned identities and their federated credentials ↔ ARM JSON (Microsoft.ManagedIdentity): the resources as
// Azure answers them, and request bodies read with ARM's rules, each refusal a 400 naming the property (`target`).
import { armObject as object, armString as string, armTags } from '../../domain/arm-input.js';
import type { FederatedCredentialRequest, IdentityRequest } from '../../domain/identities/user-assigned-identity-service.js';
import { ISOLATION_SCOPES, type IsolationScope, type UserAssignedIdentity } from '../../domain/identities/user-assigned-identity.js';
import type { FederatedCredential } from '../../domain/identities/principal.js';
import { armErrors } from '../../errors.js';

export const IDENTITY_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';
export const FEDERATED_CREDENTIAL_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials';
/** ARM's limit of tags on a resource. */

/** The resource id, with `resourcegroups` in lower case as Microsoft.ManagedIdentity writes it. */
export function identityResourceId(identity: { subscriptionId: string; resourceGroup: string; name: string }): string {
  return `/subscriptions/${identity.subscriptionId}/resourcegroups/${identity.resourceGroup}/providers/${IDENTITY_TYPE}/${identity.name}`;
}

export function federatedCredentialResourceId(identity: { subscriptionId: string; resourceGroup: string; name: string }, name: string): string {
  return `${identityResourceId(identity)}/federatedIdentityCredentials/${name}`;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** From api-version 2024-11-30 the resource carries isolationScope ('None' unless set). */
const hasIsolationScope = (apiVersion: string) => apiVersion >= '2024-11-30';

export function toIdentityResource(identity: UserAssignedIdentity, apiVersion: string) {
  return {
    id: identityResourceId(identity),
    name: identity.name,
    type: IDENTITY_TYPE,
    location: identity.location,
    tags: identity.tags,
    systemData: {
      ...(identity.createdBy === null ? {} : { createdBy: identity.createdBy, createdByType: 'Application' }),
      createdAt: iso(identity.createdAt),
      ...(identity.updatedBy === null ? {} : { lastModifiedBy: identity.updatedBy, lastModifiedByType: 'Application' }),
      lastModifiedAt: iso(identity.updatedAt),
    },
    properties: {
      tenantId: identity.tenantId,
      principalId: identity.principalId,
      clientId: identity.clientId,
      ...(hasIsolationScope(apiVersion) ? { isolationScope: identity.isolationScope ?? 'None' } : {}),
    },
  };
}

export function toFederatedCredentialResource(identity: UserAssignedIdentity, credential: FederatedCredential) {
  return {
    id: federatedCredentialResourceId(identity, credential.name),
    name: credential.name,
    type: FEDERATED_CREDENTIAL_TYPE,
    properties: { issuer: credential.issuer, subject: credential.subject, audiences: credential.audiences },
  };
}

/** A PUT or PATCH body of an identity: location, tags, properties.isolationScope; read-only properties are ignored. */
export function parseIdentityRequest(body: unknown): IdentityRequest {
  const root = object(body ?? {}, '', 'The request body must be a JSON object.');
  const location = root.location === undefined || root.location === null ? undefined : string(root.location, 'location');
  const tags = root.tags === undefined || root.tags === null ? undefined : armTags(root.tags);
  const properties = root.properties === undefined || root.properties === null ? {} : object(root.properties, 'properties', 'properties must be a JSON object.');
  const scope = properties.isolationScope;
  const isolationScope = scope === undefined || scope === null ? undefined : isolationScopeOf(scope);
  return { location, tags, isolationScope };
}

/** A federated identity credential's body: properties.issuer, .subject and .audiences, all required. */
export function parseFederatedCredentialRequest(body: unknown): FederatedCredentialRequest {
  const root = object(body ?? {}, '', 'The request body must be a JSON object.');
  const properties = root.properties;
  const given = typeof properties === 'object' && properties !== null && !Array.isArray(properties) ? (properties as Record<string, unknown>) : {};
  const { issuer, subject, audiences } = given;
  if (typeof issuer !== 'string' || typeof subject !== 'string' || !Array.isArray(audiences)) {
    const missing = typeof issuer !== 'string' ? 'issuer' : typeof subject !== 'string' ? 'subject' : 'audiences';
    throw armErrors.badRequest(`properties.${missing}`, "The request format was unexpected. Federated Identity Credential must specify 'issuer', 'subject' and 'audience'.");
  }
  if (!audiences.every((audience): audience is string => typeof audience === 'string')) {
    throw armErrors.badRequest('properties.audiences', 'properties.audiences must be an array of strings.');
  }
  return { issuer, subject, audiences };
}

function isolationScopeOf(value: unknown): IsolationScope {
  const found = typeof value === 'string' ? ISOLATION_SCOPES.find((candidate) => candidate.toLowerCase() === value.toLowerCase()) : undefined;
  if (found === undefined) {
    throw armErrors.badRequest('properties.isolationScope', `properties.isolationScope must be one of ${ISOLATION_SCOPES.join(', ')}; ${JSON.stringify(value)?.slice(0, 64)} was given.`);
  }
  return found;
}



