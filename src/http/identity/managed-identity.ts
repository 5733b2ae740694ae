// The managed-identity endpoints workloads call (azure-sdk-auth-facts.md §3), in their own scope because their
// answers are neither Key Vault's nor Entra's shape:
// - App Service: GET /msi/token?api-version=2019-08-01&resource=…  with X-IDENTITY-HEADER (IDENTITY_ENDPOINT +
//   IDENTITY_HEADER in the workload's environment).
// - IMDS: GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…  with Metadata: true
//   (AZURE_POD_IDENTITY_AUTHORITY_HOST=https://<host>:<port>; msal-node appends this path to it).
// Who gets which identity is decided in auth/tokens/managed-identity-grant.ts. Errors are 400/401/403, never 404:
// the SDK retries 404 and 410 for about 25 seconds.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ManagedIdentityError, type createManagedIdentityGrant, type IdentitySelector } from '../../auth/tokens/managed-identity-grant.js';

export interface ManagedIdentityDeps {
  grant: ReturnType<typeof createManagedIdentityGrant>;
  clientAddress: (request: FastifyRequest) => string;
  logger: Logger;
}

type Query = Record<string, string | undefined>;

const APP_SERVICE_API_VERSION = '2019-08-01';

export function registerManagedIdentity(app: FastifyInstance, deps: ManagedIdentityDeps): void {
  app.setErrorHandler(async (error, request, reply) => {
    const known = error instanceof ManagedIdentityError ? error : undefined;
    if (!known) deps.logger.error({ err: error, reqId: request.id }, 'managed-identity token request failed');
    const status = known?.status ?? ((error as { statusCode?: number }).statusCode === 400 ? 400 : 500);
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .send({
        error: known?.error ?? (status === 400 ? 'invalid_request' : 'server_error'),
        error_description: known?.message ?? (status === 400 ? 'The request is not valid.' : 'The managed-identity endpoint encountered an internal error.'),
        correlation_id: String(request.headers['x-ms-client-request-id'] ?? request.id),
      });
  });

  app.get('/msi/token', async (request, reply) => {
    const query = request.query as Query;
    if (query['api-version'] !== APP_SERVICE_API_VERSION) {
      throw new ManagedIdentityError(400, 'invalid_request', `The api-version '${query['api-version'] ?? ''}' is not supported; use ${APP_SERVICE_API_VERSION}.`);
    }
    const token = await deps.grant.exchange({
      flavour: 'appService',
      identityHeader: headerOf(request, 'x-identity-header'),
      clientAddress: deps.clientAddress(request),
      resource: query.resource,
      selector: selectorOf(query, 'mi_res_id'),
    });
    return reply.header('cache-control', 'no-store').send({
      access_token: token.accessToken,
      expires_on: String(token.expiresOn),
      resource: token.audience,
      token_type: 'Bearer',
      client_id: token.clientId,
    });
  });

  app.get('/metadata/identity/oauth2/token', async (request, reply) => {
    const query = request.query as Query;
    if (query['api-version'] === undefined || query['api-version'] === '') {
      throw new ManagedIdentityError(400, 'invalid_request', "Required query variable 'api-version' is missing");
    }
    const token = await deps.grant.exchange({
      flavour: 'imds',
      metadataHeader: headerOf(request, 'metadata')?.toLowerCase() === 'true',
      identityHeader: headerOf(request, 'x-identity-header'),
      clientAddress: deps.clientAddress(request),
      resource: query.resource,
      selector: selectorOf(query, 'msi_res_id'),
    });
    // IMDS answers every number as a string.
    return reply.header('cache-control', 'no-store').send({
      access_token: token.accessToken,
      refresh_token: '',
      expires_in: String(token.expiresIn),
      expires_on: String(token.expiresOn),
      ext_expires_in: String(token.expiresIn),
      not_before: String(token.expiresOn - token.expiresIn),
      resource: token.audience,
      token_type: 'Bearer',
      client_id: token.clientId,
    });
  });
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** client_id, object_id (App Service also calls it principal_id) and the resource id under its flavour's name. */
function selectorOf(query: Query, resourceIdKey: 'mi_res_id' | 'msi_res_id'): IdentitySelector {
  const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
  return {
    clientId: nonEmpty(query.client_id),
    objectId: nonEmpty(query.object_id) ?? nonEmpty(query.principal_id),
    resourceId: nonEmpty(query[resourceIdKey]) ?? nonEmpty(query.mi_res_id) ?? nonEmpty(query.msi_res_id),
  };
}
