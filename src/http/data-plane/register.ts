// The data-plane pipeline, in request order (STYLE.md §2): context → vault → authentication → network rules → api-version →
// authorization → operation → audit. Every route is a declared Operation, so none can skip a stage.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { decide } from '../../auth/decide.js';
import { errors } from '../../errors.js';
import type { HandlerContext, Operation } from '../define-operation.js';
import { createAuditStage } from '../pipeline/audit.js';
import { checkApiVersion } from '../pipeline/api-version.js';
import type { createAuthenticator } from '../pipeline/authenticate.js';
import type { createNetworkRuleCheck } from '../pipeline/network-rules.js';
import { parseHost, vaultNameForHost, type createVaultResolver } from '../pipeline/resolve-vault.js';
import { acceptEmptyJsonBody } from '../empty-json-body.js';
import { errorBody, toCofferError } from '../render-error.js';
import type { RequestContext } from '../request-context.js';

export interface DataPlaneDeps<TServices> {
  operations: Array<Operation<TServices, any, any>>;
  services: TServices;
  resolveVault: ReturnType<typeof createVaultResolver>;
  authenticate: ReturnType<typeof createAuthenticator>;
  audit: ReturnType<typeof createAuditStage>;
  checkNetworkRules: ReturnType<typeof createNetworkRuleCheck>;
  /** The client address: the socket's, or X-Forwarded-For's from trusted proxies. */
  clientAddress: (request: FastifyRequest) => string;
  /** Whether the request came through a private listener (http/private-listener.ts). */
  viaPrivateListener: (request: FastifyRequest) => boolean;
  dnsSuffix: string;
  aliases: readonly string[];
  /** With --dev-clock: reads the shared clock offset before each request. */
  refreshClock?: () => Promise<void>;
  bodyLimit: number;
  logger: Logger;
}

export function registerDataPlane<TServices>(app: FastifyInstance, deps: DataPlaneDeps<TServices>): void {
  app.decorateRequest('coffer', null as unknown as RequestContext);

  acceptEmptyJsonBody(app);

  app.addHook('onRequest', async (request) => {
    await deps.refreshClock?.();
    const ctx = newContext(request);
    request.coffer = ctx;
    ctx.clientAddress = deps.clientAddress(request);
    ctx.viaPrivateListener = deps.viaPrivateListener(request);
    const host = parseHost(request.headers.host);
    ctx.baseUrl = `https://${request.headers.host!.toLowerCase()}`;
    ctx.vaultName = vaultNameForHost(host.hostname, deps) ?? host.hostname;
    const query = request.query as Record<string, string | undefined>;
    ctx.apiVersion = typeof query['api-version'] === 'string' ? query['api-version'] : '';

    ctx.vault = await deps.resolveVault(host);
    const { token, principal } = await deps.authenticate(request.headers.authorization, host);
    ctx.token = token;
    ctx.principal = principal;
    deps.checkNetworkRules(ctx.vault, { clientAddress: ctx.clientAddress, viaPrivateListener: ctx.viaPrivateListener, principal, caller: `appid=${token.appId};oid=${token.objectId}` });
    checkApiVersion(query['api-version']);
    const operation = request.routeOptions.config.operation;
    if (!operation) throw errors.routeNotFound(request.method, request.url.split('?')[0]!);
    // Rights are checked before any object is read, so a caller without them cannot learn whether a name exists.
    if (!decide({ principal, action: operation.action, vault: ctx.vault }).allowed) {
      throw errors.forbiddenByRbac(operation.action, `appid=${token.appId};oid=${token.objectId}`, ctx.vault.name);
    }
  });

  app.setErrorHandler(async (error, request, reply) => {
    const ctx = request.coffer ?? newContext(request);
    const cofferError = toCofferError(error, ctx.requestId, deps.bodyLimit);
    if (cofferError.status >= 500) deps.logger.error({ err: error, reqId: ctx.requestId }, 'request failed');
    // The inner code says which rule refused (ForbiddenByRbac, ForbiddenByFirewall): what an auditor needs to know.
    ctx.errorCode = cofferError.innerCode ?? cofferError.code;
    return reply.code(cofferError.status).headers(cofferError.headers ?? {}).send(errorBody(cofferError));
  });

  app.setNotFoundHandler(async (request) => {
    throw errors.routeNotFound(request.method, request.url.split('?')[0]!);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const ctx = request.coffer ?? newContext(request);
    reply.header('x-ms-request-id', ctx.requestId);
    reply.header('x-ms-keyvault-service-version', '1.9.0.0');
    reply.header('cache-control', 'no-cache');
    reply.header('x-content-type-options', 'nosniff');
    try {
      await deps.audit(ctx, {
        method: request.method,
        url: request.url,
        ip: ctx.clientAddress,
        headers: request.headers,
        operationName: request.routeOptions.config.operation?.operationName ?? 'Unknown',
        statusCode: reply.statusCode,
      });
      return payload;
    } catch (error) {
      // Fail closed: the response the client asked for (maybe a secret value) is withheld.
      deps.logger.error({ err: error, reqId: ctx.requestId }, 'audit record could not be written; response withheld');
      reply.code(500).header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify(errorBody(errors.internal(ctx.requestId)));
    }
  });

  for (const operation of deps.operations) {
    for (const url of Array.isArray(operation.url) ? operation.url : [operation.url]) {
      app.route({
        method: operation.method,
        url,
        schema: operation.schema ?? {},
        ...(operation.bodyLimit === undefined ? {} : { bodyLimit: operation.bodyLimit }),
        config: { operation: { operationName: operation.operationName, action: operation.action } },
        handler: async (request: FastifyRequest, reply: FastifyReply) => {
          const ctx = request.coffer as HandlerContext;
          const result = await operation.handle(
            ctx,
            { params: request.params, query: request.query as Record<string, string | undefined>, body: request.body },
            deps.services,
          );
          ctx.objectUrl = result.objectUrl;
          return reply.code(result.status ?? 200).send(result.body);
        },
      });
    }
  }
}

function newContext(request: FastifyRequest): RequestContext {
  return {
    requestId: String(request.id ?? randomUUID()),
    startedAt: process.hrtime.bigint(),
    baseUrl: `https://${request.headers.host ?? 'localhost'}`,
    vault: undefined,
    vaultName: '',
    token: undefined,
    principal: undefined,
    apiVersion: '',
    objectUrl: undefined,
    errorCode: undefined,
    clientAddress: request.ip,
    viaPrivateListener: false,
  };
}
