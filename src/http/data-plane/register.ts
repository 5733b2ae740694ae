// The data-plane pipeline, in request order (STYLE.md §2): context → vault → authentication → network rules → api-version →
// authorization → operation → audit. Every route is a declared Operation, so none can skip a stage.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Authorizer } from '../../auth/authorize.js';
import { objectScope, vaultScope, type ObjectCollection } from '../../auth/roles/scopes.js';
import type { Vault } from '../../domain/vaults/vault.js';
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
  authorize: Authorizer['authorizeData'];
  /** For operations declared `authorization: 'control'` (the vault's own role assignments): RBAC on control-plane actions. */
  /** For operations that manage access (authorization 'control'): control-plane actions, by RBAC only. */
  authorizeControl: Authorizer['authorizeControl'];
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
    const caller = `appid=${token.appId};oid=${token.objectId};iss=${token.issuer}`;
    deps.checkNetworkRules(ctx.vault, { clientAddress: ctx.clientAddress, viaPrivateListener: ctx.viaPrivateListener, principal, caller });
    checkApiVersion(query['api-version']);
    const operation = request.routeOptions.config.operation;
    if (!operation) throw errors.routeNotFound(request.method, request.url.split('?')[0]!);
    // Rights are checked before any object is read, so a caller without them cannot learn whether a name exists.
    const vault = ctx.vault;
    const params = request.params as Record<string, string | undefined>;
    // 'handler': the operation decides with what its request names (define-operation.ts) and records the decision.
    if (operation.authorization === 'handler') return;
    const control = operation.authorization === 'control';
    const resource = control ? controlResourceOf(vault, params) : resourceOf(vault, operation.action, params);
    const decision = !principal
      ? { allowed: false, model: control || vault.settings.enableRbacAuthorization ? ('rbac' as const) : ('accessPolicy' as const) }
      : control
        ? await deps.authorizeControl({ principal, action: operation.action, resource })
        : await deps.authorize({ principal, vault, operationName: operation.operationName, action: operation.action, resource });
    ctx.decision = decision;
    if (!decision.allowed) {
      const where = `${vault.name};location=${vault.location}`;
      if (decision.model === 'rbac') throw errors.forbiddenByRbac({ caller, action: operation.action, resource, vault: where });
      const needed = decision.policyPermission;
      throw errors.forbiddenByPolicy({ caller, permission: needed ? `${needed.collection} ${needed.permission}` : operation.action, vault: where });
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
        config: { operation: { operationName: operation.operationName, action: operation.action, ...(operation.authorization ? { authorization: operation.authorization } : {}) } },
        // The vault's own role assignments share their paths with ARM's root scope; the api-version decides (route-surface.ts).
        ...(url.includes('/providers/') ? { constraints: { surface: 'data' } } : {}),
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

const COLLECTION_OF_ACTION: Record<string, ObjectCollection> = { secrets: 'secrets', keys: 'keys', keyrotationpolicies: 'keys', certificates: 'certificates' };

/**
 * The scope an operation acts on: one object's (…/vaults/V/secrets/NAME) when it names a secret, key or certificate,
 * so that assignments on that object apply; the vault's otherwise (lists, restore, contacts, issuers).
 */
function resourceOf(vault: Vault, action: string, params: Record<string, string | undefined>): string {
  const collection = COLLECTION_OF_ACTION[action.split('/')[2] ?? ''];
  return collection !== undefined && params.name !== undefined ? objectScope(vault, collection, params.name) : vaultScope(vault);
}

/**
 * The scope a control-plane operation of the vault acts on: one object's when the route names a secret, key or
 * certificate (`/secrets/:secretName/providers/Microsoft.Authorization/…`), the vault's otherwise.
 */
function controlResourceOf(vault: Vault, params: Record<string, string | undefined>): string {
  if (params.secretName !== undefined) return objectScope(vault, 'secrets', params.secretName);
  if (params.keyName !== undefined) return objectScope(vault, 'keys', params.keyName);
  if (params.certificateName !== undefined) return objectScope(vault, 'certificates', params.certificateName);
  return vaultScope(vault);
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
    decision: undefined,
  };
}
