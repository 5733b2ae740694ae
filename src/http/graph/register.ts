// The Microsoft Graph pipeline (a subset of v1.0: applications, servicePrincipals, groups), under /v1.0 on the data
// plane's listener: context → authentication (a token for https://graph.microsoft.com) → route → authorization
// (directory actions by RBAC at '/', directory-rights.ts) → operation → audit. Errors take Graph's shape. No vault
// firewall applies, and no request or response body is ever logged: addPassword's answer carries a secret.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { buildAuditEvent } from '../../audit/audit-event.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { Authorizer } from '../../auth/authorize.js';
import type { TokenPrincipalResolver } from '../../auth/tokens/token-principal.js';
import { TokenVerificationError, type VerifiedToken } from '../../auth/tokens/verify.js';
import { directoryErrors, errors } from '../../errors.js';
import { acceptEmptyJsonBody } from '../empty-json-body.js';
import { toCofferError } from '../render-error.js';
import { matchGraphOperation, type GraphContext, type GraphOperation } from './define-graph-operation.js';
import { DIRECTORY_SCOPE, requiredActions } from './directory-rights.js';
import { graphSegments } from './wire/paths.js';
import { graphErrorBody, toGraphCode } from './wire/odata.js';

export interface GraphDeps<TServices> {
  operations: Array<GraphOperation<TServices>>;
  services: TServices;
  verifier: { verify(token: string): Promise<VerifiedToken> };
  principalOf: TokenPrincipalResolver;
  /** Graph's audiences (verify.ts graphAudiences): vault and management tokens are refused here. */
  audiences: readonly string[];
  auditLog: Pick<AuditLog, 'record'>;
  authorize: Authorizer['authorizeControl'];
  clientAddress: (request: FastifyRequest) => string;
  bodyLimit: number;
  logger: Logger;
}

declare module 'fastify' {
  interface FastifyRequest {
    graph: GraphContext;
  }
}

/** Graph's JSON media type, as Graph answers. */
const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
/** The version segment served; `/beta` is not. */
const PREFIX = '/v1.0';

export function registerGraph<TServices>(app: FastifyInstance, deps: GraphDeps<TServices>): void {
  app.decorateRequest('graph', null as unknown as GraphContext);
  const audiences = new Set(deps.audiences);
  // As Graph answers: the challenge names no resource the client could not already know.
  const challenge = { 'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"' };

  acceptEmptyJsonBody(app);

  async function authenticate(request: FastifyRequest) {
    const match = /^Bearer +(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) throw directoryErrors.missingToken(challenge);
    let token: VerifiedToken;
    try {
      token = await deps.verifier.verify(match[1]!);
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      throw directoryErrors.invalidToken(error.message, challenge);
    }
    // A vault or management token is refused here, as those surfaces refuse Graph tokens.
    if (!audiences.has(token.audience)) throw directoryErrors.invalidToken('Invalid audience.', challenge);
    // Our principal or an external issuer's; a disabled principal's tokens are refused at once (token-principal.ts).
    try {
      return { token, principal: await deps.principalOf(token) };
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      throw directoryErrors.invalidToken(error.message, challenge);
    }
  }

  async function handle(request: FastifyRequest, reply: FastifyReply) {
    const ctx = request.graph;
    const path = request.url.split('?')[0]!;
    // The router collapses duplicate slashes; so does graphSegments. The first segment is the version, 'v1.0'.
    const segments = graphSegments(path).slice(1);
    const found = matchGraphOperation(deps.operations, request.method, segments);
    if (found) ctx.operationName = found.operation.operationName;
    const { token, principal } = await authenticate(request);
    ctx.token = token;
    ctx.principal = principal;
    if (!found) throw directoryErrors.operationNotServed(request.method, path);
    // Rights before existence: a caller without them learns nothing about which objects exist.
    for (const action of requiredActions(found.operation.action)) {
      const decision = principal === undefined ? { allowed: false } : await deps.authorize({ principal, action, resource: DIRECTORY_SCOPE });
      // The audit record shows the decision that settled it: the refusal, or the last grant.
      ctx.decision = decision;
      if (!decision.allowed) throw directoryErrors.requestDenied(action);
    }
    const result = await found.operation.handle(ctx, { params: found.params, query: request.query as Record<string, string | undefined>, body: request.body }, deps.services);
    reply.code(result.status ?? 200);
    if (result.body === undefined) return reply.send();
    return reply.header('content-type', GRAPH_JSON).send(JSON.stringify(result.body));
  }

  app.addHook('onRequest', async (request) => {
    const clientRequestId = request.headers['client-request-id'];
    request.graph = {
      requestId: String(request.id ?? randomUUID()),
      clientRequestId: typeof clientRequestId === 'string' ? clientRequestId : undefined,
      startedAt: process.hrtime.bigint(),
      baseUrl: `https://${(request.headers.host ?? 'localhost').toLowerCase()}`,
      token: undefined,
      principal: undefined,
      clientAddress: deps.clientAddress(request),
      errorCode: undefined,
      operationName: 'Unknown',
      decision: undefined,
    };
  });

  app.setErrorHandler(async (error, request, reply) => {
    const ctx = request.graph;
    const requestId = ctx?.requestId ?? String(request.id);
    const graphError = toGraphCode(toCofferError(error, requestId, deps.bodyLimit));
    if (graphError.status >= 500) deps.logger.error({ err: error, reqId: requestId }, 'directory request failed');
    if (ctx) ctx.errorCode = graphError.code;
    return reply
      .code(graphError.status)
      .headers(graphError.headers ?? {})
      .header('content-type', GRAPH_JSON)
      .send(JSON.stringify(graphErrorBody(graphError, { requestId, clientRequestId: ctx?.clientRequestId, at: new Date() })));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const ctx = request.graph;
    reply.header('request-id', ctx.requestId);
    reply.header('client-request-id', ctx.clientRequestId ?? ctx.requestId);
    reply.header('x-ms-request-id', ctx.requestId);
    reply.header('odata-version', '4.0');
    reply.header('cache-control', 'no-cache');
    try {
      await deps.auditLog.record(
        buildAuditEvent({
          at: new Date(),
          // The directory belongs to no vault, subscription or group: the audit record names none (Divergence: Entra
          // keeps its own audit log; here Graph requests join the one audit log with an empty vault name).
          subscriptionId: '',
          resourceGroup: '',
          vaultName: '',
          operationName: ctx.operationName,
          apiVersion: 'v1.0',
          httpStatusCode: reply.statusCode,
          ...(ctx.errorCode === undefined ? {} : { errorCode: ctx.errorCode }),
          durationMs: Number((process.hrtime.bigint() - ctx.startedAt) / 1_000_000n),
          callerIpAddress: ctx.clientAddress,
          ...(ctx.clientRequestId === undefined ? {} : { correlationId: ctx.clientRequestId }),
          ...(ctx.token === undefined ? {} : { caller: { objectId: ctx.token.objectId, appId: ctx.token.appId, tenantId: ctx.token.tenantId } }),
          ...(typeof request.headers['user-agent'] === 'string' ? { userAgent: request.headers['user-agent'] } : {}),
          requestUri: `${ctx.baseUrl}${request.url}`,
          ...(ctx.objectId === undefined ? {} : { objectId: ctx.objectId }),
          requestId: ctx.requestId,
          ...(ctx.decision === undefined
            ? {}
            : { authorization: { model: 'rbac' as const, allowed: ctx.decision.allowed, ...(ctx.decision.appliedAssignmentId === undefined ? {} : { appliedAssignmentId: ctx.decision.appliedAssignmentId }) } }),
        }),
      );
      return payload;
    } catch (error) {
      // Fail closed: an addPassword answer (the secret) is withheld when its record cannot be written.
      deps.logger.error({ err: error, reqId: ctx.requestId }, 'audit record could not be written; response withheld');
      reply.code(500).header('content-type', GRAPH_JSON);
      return JSON.stringify(graphErrorBody(toGraphCode(errors.internal(ctx.requestId)), { requestId: ctx.requestId, clientRequestId: ctx.clientRequestId, at: new Date() }));
    }
  });

  for (const url of [PREFIX, `${PREFIX}/*`]) {
    app.route({ method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'], url, handler: handle });
  }
}
