// The Microsoft.ManagedIdentity routes of the management API: user-assigned identities and their federated identity
// credentials, so @azure/arm-msi (ManagedServiceIdentityClient), az identity and Terraform manage Coffer's managed
// identities. Authorized by the pipeline at the path named; the audit record names the identity's resource id.
import type { UserAssignedIdentityService } from '../../domain/identities/user-assigned-identity-service.js';
import type { UserAssignedIdentity } from '../../domain/identities/user-assigned-identity.js';
import { armErrors } from '../../errors.js';
import type { IdentityPosition } from '../../store/user-assigned-identities.js';
import { decodeSkipToken, encodeSkipToken } from '../data-plane/wire/paging.js';
import { FEDERATED_CREDENTIAL_API_VERSIONS, IDENTITY_API_VERSIONS } from './api-versions.js';
import { defineManagementOperation, type ManagementContext, type ManagementOperation } from './define-management-operation.js';
import {
  FEDERATED_CREDENTIAL_TYPE, federatedCredentialResourceId, IDENTITY_TYPE, identityResourceId, parseFederatedCredentialRequest, parseIdentityRequest,
  toFederatedCredentialResource, toIdentityResource,
} from './identity-resources.js';
import { pageSize } from './vault-operations.js';

export interface IdentityServices {
  userAssignedIdentities: UserAssignedIdentityService;
}

const GROUP = ':subscriptionId/resourceGroups/:resourceGroup';
const IDENTITIES = `${GROUP}/providers/${IDENTITY_TYPE}`;
const IDENTITY = `${IDENTITIES}/:identityName`;
const CREDENTIALS = `${IDENTITY}/federatedIdentityCredentials`;
const ACTIONS = {
  read: `${IDENTITY_TYPE}/read`,
  write: `${IDENTITY_TYPE}/write`,
  delete: `${IDENTITY_TYPE}/delete`,
  credentialRead: `${FEDERATED_CREDENTIAL_TYPE}/read`,
  credentialWrite: `${FEDERATED_CREDENTIAL_TYPE}/write`,
  credentialDelete: `${FEDERATED_CREDENTIAL_TYPE}/delete`,
} as const;

const caller = (ctx: ManagementContext) => ctx.token?.objectId ?? '';
const scopeOf = (params: Record<string, string>) => ({ subscriptionId: params.subscriptionId!, resourceGroup: params.resourceGroup! });

/** The audit record of a request about one identity (or one of its credentials) names the identity. */
const identityAudited = (params: Record<string, string>) => ({
  subscriptionId: params.subscriptionId ?? '',
  resourceGroup: params.resourceGroup ?? '',
  resourceId: identityResourceId({ subscriptionId: params.subscriptionId ?? '', resourceGroup: params.resourceGroup ?? '', name: params.identityName ?? '' }),
});

/** Positions in the lists: group and name, lower case, joined by '/' (which neither may contain). */
function positionOf(token: string | undefined): IdentityPosition | undefined {
  const decoded = decodeSkipToken(token);
  if (decoded === undefined) return undefined;
  const slash = decoded.indexOf('/');
  if (slash < 0) throw armErrors.badRequest('$skiptoken', 'The $skiptoken is not valid.');
  return { resourceGroupKey: decoded.slice(0, slash), nameKey: decoded.slice(slash + 1) };
}

/** A page of identities with ARM's absolute nextLink carrying $skiptoken, $top and the api-version. */
async function pagedIdentities(
  ctx: ManagementContext,
  path: string,
  query: Record<string, string | undefined>,
  read: (page: { after: IdentityPosition | undefined; limit: number }) => Promise<UserAssignedIdentity[]>,
) {
  const limit = pageSize(query.$top);
  const rows = await read({ after: positionOf(query.$skiptoken), limit: limit + 1 });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const next =
    rows.length > limit && last
      ? new URLSearchParams({ 'api-version': ctx.apiVersion, $top: String(limit), $skiptoken: encodeSkipToken(`${last.resourceGroup.toLowerCase()}/${last.name.toLowerCase()}`) })
      : undefined;
  return {
    value: items.map((identity) => toIdentityResource(identity, ctx.apiVersion)),
    ...(next ? { nextLink: `${ctx.baseUrl}/subscriptions/${path}?${next.toString()}` } : {}),
  };
}

const identityOp = (operation: ManagementOperation<IdentityServices>) => defineManagementOperation<IdentityServices>({ apiVersions: IDENTITY_API_VERSIONS, ...operation });
const credentialOp = (operation: ManagementOperation<IdentityServices>) =>
  defineManagementOperation<IdentityServices>({ apiVersions: FEDERATED_CREDENTIAL_API_VERSIONS, auditScope: identityAudited, ...operation });

export const identityOperations: Array<ManagementOperation<IdentityServices>> = [
  identityOp({
    method: 'PUT', path: IDENTITY, operationName: 'UserAssignedIdentityPut', action: ACTIONS.write, auditScope: identityAudited,
    handle: async (ctx, { params, body }, { userAssignedIdentities }) => {
      const request = parseIdentityRequest(body);
      const { identity, created } = await userAssignedIdentities.putIdentity(scopeOf(params), params.identityName!, request, { caller: caller(ctx) });
      return { status: created ? 201 : 200, body: toIdentityResource(identity, ctx.apiVersion) };
    },
  }),
  identityOp({
    method: 'PATCH', path: IDENTITY, operationName: 'UserAssignedIdentityPatch', action: ACTIONS.write, auditScope: identityAudited,
    handle: async (ctx, { params, body }, { userAssignedIdentities }) => {
      const request = parseIdentityRequest(body);
      const identity = await userAssignedIdentities.patchIdentity(scopeOf(params), params.identityName!, request, { caller: caller(ctx) });
      return { body: toIdentityResource(identity, ctx.apiVersion) };
    },
  }),
  identityOp({
    method: 'GET', path: IDENTITY, operationName: 'UserAssignedIdentityGet', action: ACTIONS.read, auditScope: identityAudited,
    handle: async (ctx, { params }, { userAssignedIdentities }) => ({
      body: toIdentityResource(await userAssignedIdentities.getIdentity(scopeOf(params), params.identityName!), ctx.apiVersion),
    }),
  }),
  identityOp({
    // Deletes the principal with its IDENTITY_HEADER and federated credentials: its tokens stop at the next request.
    method: 'DELETE', path: IDENTITY, operationName: 'UserAssignedIdentityDelete', action: ACTIONS.delete, auditScope: identityAudited,
    handle: async (_ctx, { params }, { userAssignedIdentities }) => ({ status: (await userAssignedIdentities.deleteIdentity(scopeOf(params), params.identityName!)) ? 200 : 204 }),
  }),
  identityOp({
    method: 'GET', path: IDENTITIES, operationName: 'UserAssignedIdentityList', action: ACTIONS.read,
    auditScope: (params) => ({ subscriptionId: params.subscriptionId ?? '', resourceGroup: params.resourceGroup ?? '', resourceId: `/subscriptions/${params.subscriptionId}/resourceGroups/${params.resourceGroup}` }),
    handle: async (ctx, { params, query }, { userAssignedIdentities }) => ({
      body: await pagedIdentities(ctx, `${params.subscriptionId}/resourceGroups/${params.resourceGroup}/providers/${IDENTITY_TYPE}`, query, (page) =>
        userAssignedIdentities.listIdentities(scopeOf(params), page),
      ),
    }),
  }),
  identityOp({
    method: 'GET', path: `:subscriptionId/providers/${IDENTITY_TYPE}`, operationName: 'UserAssignedIdentityList', action: ACTIONS.read,
    auditScope: (params) => ({ subscriptionId: params.subscriptionId ?? '', resourceId: `/subscriptions/${params.subscriptionId}` }),
    handle: async (ctx, { params, query }, { userAssignedIdentities }) => ({
      body: await pagedIdentities(ctx, `${params.subscriptionId}/providers/${IDENTITY_TYPE}`, query, (page) =>
        userAssignedIdentities.listIdentities({ subscriptionId: params.subscriptionId! }, page),
      ),
    }),
  }),

  credentialOp({
    method: 'PUT', path: `${CREDENTIALS}/:credentialName`, operationName: 'FederatedIdentityCredentialPut', action: ACTIONS.credentialWrite,
    handle: async (ctx, { params, body }, { userAssignedIdentities }) => {
      const request = parseFederatedCredentialRequest(body);
      const { identity, credential, created } = await userAssignedIdentities.putFederatedCredential(scopeOf(params), params.identityName!, params.credentialName!, request);
      ctx.objectId = federatedCredentialResourceId(identity, credential.name);
      return { status: created ? 201 : 200, body: toFederatedCredentialResource(identity, credential) };
    },
  }),
  credentialOp({
    method: 'GET', path: `${CREDENTIALS}/:credentialName`, operationName: 'FederatedIdentityCredentialGet', action: ACTIONS.credentialRead,
    handle: async (_ctx, { params }, { userAssignedIdentities }) => {
      const { identity, credential } = await userAssignedIdentities.getFederatedCredential(scopeOf(params), params.identityName!, params.credentialName!);
      return { body: toFederatedCredentialResource(identity, credential) };
    },
  }),
  credentialOp({
    method: 'DELETE', path: `${CREDENTIALS}/:credentialName`, operationName: 'FederatedIdentityCredentialDelete', action: ACTIONS.credentialDelete,
    handle: async (_ctx, { params }, { userAssignedIdentities }) => ({
      status: (await userAssignedIdentities.deleteFederatedCredential(scopeOf(params), params.identityName!, params.credentialName!)) ? 200 : 204,
    }),
  }),
  credentialOp({
    method: 'GET', path: CREDENTIALS, operationName: 'FederatedIdentityCredentialList', action: ACTIONS.credentialRead,
    handle: async (ctx, { params, query }, { userAssignedIdentities }) => {
      const { identity, credentials } = await userAssignedIdentities.listFederatedCredentials(scopeOf(params), params.identityName!);
      // At most 20 per identity: paged by name all the same, as the SDK follows nextLink.
      const limit = pageSize(query.$top);
      const after = decodeSkipToken(query.$skiptoken);
      const rest = credentials.filter((credential) => after === undefined || credential.name > after).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const items = rest.slice(0, limit);
      const next = new URLSearchParams({ 'api-version': ctx.apiVersion, $top: String(limit), $skiptoken: encodeSkipToken(items[items.length - 1]?.name ?? '') });
      const path = `${params.subscriptionId}/resourceGroups/${params.resourceGroup}/providers/${IDENTITY_TYPE}/${params.identityName}/federatedIdentityCredentials`;
      return {
        body: {
          value: items.map((credential) => toFederatedCredentialResource(identity, credential)),
          ...(rest.length > limit ? { nextLink: `${ctx.baseUrl}/subscriptions/${path}?${next.toString()}` } : {}),
        },
      };
    },
  }),
];
