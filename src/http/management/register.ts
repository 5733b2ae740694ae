// The management API's pipeline (ARM shape), under /subscriptions (and /providers: Microsoft.Authorization's root scope)
// on the data plane's listener: context → authentication (a token for a management audience) → api-version → route →
// authorization (management rights, separate from data rights) → operation → audit. Errors take ARM's shape; no vault
// firewall applies here, as in Azure.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { buildAuditEvent } from '../../audit/audit-event.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { TokenPrincipalResolver } from '../../auth/tokens/token-principal.js';
import { TokenVerificationError, type VerifiedToken } from '../../auth/tokens/verify.js';
import type { Authorizer } from '../../auth/authorize.js';
import type { Principal } from '../../domain/identities/principal.js';
import { armErrors, CofferError, errors } from '../../errors.js';
import { acceptEmptyJsonBody } from '../empty-json-body.js';
import { errorBody, toCofferError } from '../render-error.js';
import { VAULT_API_VERSIONS } from './api-versions.js';
import { matchOperation, type ManagementContext, type ManagementOperation } from './define-management-operation.js';

export interface ManagementDeps<TServices> {
  operations: Array<ManagementOperation<TServices>>;
  services: TServices;
  verifier: { verify(token: string): Promise<VerifiedToken> };
  /** The principal a verified token stands for (auth/tokens/token-principal.ts). */
  principalOf: TokenPrincipalResolver;
  /** Management audiences (verify.ts managementAudiencesFor): a vault token is refused here. */
  audiences: readonly string[];
  tenantId: string;
  authorityHost: string;
  auditLog: Pick<AuditLog, 'record'>;
  authorize: Authorizer['authorizeControl'];
  clientAddress: (request: FastifyRequest) => string;
  /** With --dev-clock: reads the shared clock offset before each request (just-in-time assignments end by it). */
  refreshClock?: () => Promise<void>;
  bodyLimit: number;
  logger: Logger;
}

declare module 'fastify' {
  interface FastifyRequest {
    management: ManagementContext;
  }
}

export function registerManagement<TServices>(app: FastifyInstance, deps: ManagementDeps<TServices>): void {
  app.decorateRequest('management', null as unknown as ManagementContext);
  const audiences = new Set(deps.audiences);
  const challenge = {
    'www-authenticate': `Bearer authorization_uri="${deps.authorityHost}/${deps.tenantId}", error="invalid_token", error_description="The authentication failed."`,
  };

  acceptEmptyJsonBody(app);

  async function authenticate(request: FastifyRequest): Promise<{ token: VerifiedToken; principal: Principal | undefined }> {
    const match = /^Bearer +(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new CofferError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", { headers: challenge });
    let token: VerifiedToken;
    try {
      token = await deps.verifier.verify(match[1]!);
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      throw new CofferError(401, 'InvalidAuthenticationToken', `The access token is invalid (${error.failure}).`, { headers: challenge });
    }
    if (!audiences.has(token.audience)) {
      throw new CofferError(401, 'InvalidAuthenticationTokenAudience', `The access token has an invalid audience for the management API: '${token.audience}'.`, { headers: challenge });
    }
    // Our principal or an external issuer's; a disabled principal's tokens are refused at once (token-principal.ts).
    try {
      return { token, principal: await deps.principalOf(token) };
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      if (error.failure === 'tenant') throw new CofferError(401, 'InvalidAuthenticationTokenTenant', 'The access token is from the wrong issuer tenant.', { headers: challenge });
      throw new CofferError(401, 'InvalidAuthenticationToken', `The access token is invalid (${error.failure}).`, { headers: challenge });
    }
  }

  async function handle(request: FastifyRequest, reply: FastifyReply) {
    const ctx = request.management;
    const { token, principal } = await authenticate(request);
    ctx.token = token;
    ctx.principal = principal;
    const query = request.query as Record<string, string | undefined>;
    // Duplicate slashes collapse as the router collapses them: the SDKs build `/{scope}/providers/…` from a scope that
    // already starts with '/', so `//subscriptions/…` and, for the root scope, `///providers/…` arrive.
    const path = `/${request.url.split('?')[0]!.split('/').filter((segment) => segment !== '').join('/')}`;
    const segments = path === '/' ? [] : path.slice(1).split('/').map(decodeURIComponent);
    const found = matchOperation(deps.operations, request.method, segments);
    if (!found) throw armErrors.operationNotFound(request.method, path);
    ctx.operationName = found.operation.operationName;
    // Named before authorization, so a refused request is audited under the resource it named.
    const { subscriptionId = '', resourceGroup = '', vaultName = '' } = found.params;
    Object.assign(ctx, found.operation.auditScope ? found.operation.auditScope(found.params) : { subscriptionId, resourceGroup, vaultName });
    const version = query['api-version'];
    if (version === undefined || version === '') throw armErrors.missingApiVersion();
    const served = found.operation.apiVersions ?? VAULT_API_VERSIONS;
    if (!served.includes(version)) throw armErrors.unsupportedApiVersion(version, served);
    // Management rights come from RBAC alone (Owner, Contributor, Key Vault Contributor…) and never grant data rights:
    // the data plane decides by its own model. The scope is the path the request names, so an assignment on a
    // vault covers its access policies, one on a group the vaults listed in it.
    ctx.authorize = async (action, resource, roleDefinitionId) =>
      principal !== undefined && (await deps.authorize({ principal, action, resource, ...(roleDefinitionId === undefined ? {} : { roleDefinitionId }) })).allowed;
    if (found.operation.authorizesItself !== true && !(await ctx.authorize(found.operation.action, path))) {
      throw armErrors.authorizationFailed(token.objectId, found.operation.action, path);
    }
    const result = await found.operation.handle(ctx, { params: found.params, query, body: request.body }, deps.services);
    reply.code(result.status ?? 200);
    return result.body === undefined ? reply.send() : reply.send(result.body);
  }

  app.addHook('onRequest', async (request) => {
    await deps.refreshClock?.();
    const query = request.query as Record<string, string | undefined>;
    request.management = {
      requestId: String(request.id ?? randomUUID()),
      startedAt: process.hrtime.bigint(),
      baseUrl: `https://${(request.headers.host ?? 'localhost').toLowerCase()}`,
      apiVersion: typeof query['api-version'] === 'string' ? query['api-version'] : '',
      token: undefined,
      principal: undefined,
      clientAddress: deps.clientAddress(request),
      subscriptionId: '',
      resourceGroup: '',
      vaultName: '',
      errorCode: undefined,
      operationName: 'Unknown',
      authorize: async () => false,
    };
  });

  app.setErrorHandler(async (error, request, reply) => {
    const ctx = request.management;
    const cofferError = toCofferError(error, ctx?.requestId ?? String(request.id), deps.bodyLimit);
    if (cofferError.status >= 500) deps.logger.error({ err: error, reqId: ctx?.requestId }, 'management request failed');
    if (ctx) ctx.errorCode = cofferError.code;
    return reply.code(cofferError.status).headers(cofferError.headers ?? {}).send(errorBody(cofferError));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const ctx = request.management;
    reply.header('x-ms-request-id', ctx.requestId);
    reply.header('cache-control', 'no-cache');
    try {
      await deps.auditLog.record(
        buildAuditEvent({
          at: new Date(),
          subscriptionId: ctx.subscriptionId,
          resourceGroup: ctx.resourceGroup,
          vaultName: ctx.vaultName,
          ...(ctx.resourceId === undefined ? {} : { resourceId: ctx.resourceId }),
          operationName: ctx.operationName,
          apiVersion: ctx.apiVersion,
          httpStatusCode: reply.statusCode,
          ...(ctx.errorCode === undefined ? {} : { errorCode: ctx.errorCode }),
          durationMs: Number((process.hrtime.bigint() - ctx.startedAt) / 1_000_000n),
          callerIpAddress: ctx.clientAddress,
          ...(typeof request.headers['x-ms-client-request-id'] === 'string' ? { correlationId: request.headers['x-ms-client-request-id'] } : {}),
          ...(ctx.token === undefined ? {} : { caller: { objectId: ctx.token.objectId, appId: ctx.token.appId, tenantId: ctx.token.tenantId } }),
          ...(typeof request.headers['user-agent'] === 'string' ? { userAgent: request.headers['user-agent'] } : {}),
          requestUri: `${ctx.baseUrl}${request.url}`,
          ...(ctx.objectId === undefined ? {} : { objectId: ctx.objectId }),
          requestId: ctx.requestId,
        }),
      );
      return payload;
    } catch (error) {
      deps.logger.error({ err: error, reqId: ctx.requestId }, 'audit record could not be written; response withheld');
      reply.code(500).header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify(errorBody(errors.internal(ctx.requestId)));
    }
  });

  for (const url of ['/subscriptions', '/subscriptions/*']) {
    app.route({ method: ['GET', 'PUT', 'PATCH', 'POST', 'DELETE'], url, handler: handle });
  }
  // The root scope of Microsoft.Authorization ('/providers/Microsoft.Authorization/…'). A vault serves the same paths
  // with its data-plane api-versions (its own role assignments), so these answer only ARM's (route-surface.ts).
  for (const url of ['/providers', '/providers/*']) {
    app.route({ method: ['GET', 'PUT', 'PATCH', 'POST', 'DELETE'], url, constraints: { surface: 'management' }, handler: handle });
  }
}
