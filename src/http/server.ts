// The HTTPS listener: the only place Fastify is configured. Health, identity, managed identity, data plane, management and
// the directory (Microsoft Graph, /v1.0) live in separate encapsulated scopes, so each has its own hooks and error shape
// (Azure, OAuth 2.0, managed-identity, Graph) and none leaks into another.
import type { FastifyInstance, FastifyReply } from 'fastify';
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { registerDataPlane, type DataPlaneDeps } from './data-plane/register.js';
import type { GraphServices } from './graph/define-graph-operation.js';
import { registerGraph, type GraphDeps } from './graph/register.js';
import { registerHealth } from './health.js';
import { registerManagedIdentity, type ManagedIdentityDeps } from './identity/managed-identity.js';
import { registerIdentity, type IdentityDeps } from './identity/register.js';
import { registerManagement, type ManagementDeps } from './management/register.js';
import { errorBody, toCofferError } from './render-error.js';
import { surfaceConstraint } from './route-surface.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const REQUEST_TIMEOUT_MS = 120_000;

export function buildHttpServer<TServices, TManagementServices>(deps: {
  tls: { cert: string; key: string };
  logger: Logger;
  identity: IdentityDeps;
  managedIdentity: ManagedIdentityDeps;
  dataPlane: Omit<DataPlaneDeps<TServices>, 'bodyLimit' | 'logger'>;
  management: Omit<ManagementDeps<TManagementServices>, 'bodyLimit' | 'logger'>;
  graph: Omit<GraphDeps<GraphServices>, 'bodyLimit' | 'logger'>;
  /**
   * Awaited before every request when other nodes share the store: afterwards the caches have heard of every change
   * acknowledged before the request arrived (store/change-feed.ts).
   */
  awaitChanges?: () => Promise<void>;
}): FastifyInstance {
  const app = Fastify({
    https: { cert: deps.tls.cert, key: deps.tls.key, minVersion: 'TLSv1.2' },
    // No logger for Fastify itself: it would build a child logger for every request, and requests are recorded
    // by the audit log anyway. Our error handlers log failures through `deps.logger`.
    logger: false,
    genReqId: () => randomUUID(),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Idle keep-alive sockets close at shutdown; requests in flight finish first.
    forceCloseConnections: 'idle',
    requestTimeout: REQUEST_TIMEOUT_MS,
    routerOptions: {
      // The SDKs read the latest version as /secrets/NAME/ and call remote key operations as /keys/K//sign.
      ignoreTrailingSlash: true,
      ignoreDuplicateSlashes: true,
      // Object names run to 127 characters (Fastify's default stops at 100); longer ones reach the domain's 400.
      maxParamLength: 1024,
      // Query keys arrive percent-encoded (api%2Dversion); URLSearchParams decodes keys and values alike.
      querystringParser: (query: string) => Object.fromEntries(new URLSearchParams(query)),
      // `/providers/Microsoft.Authorization/…` is both ARM's root scope and a vault's own role assignments (route-surface.ts).
      constraints: { surface: surfaceConstraint },
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Refusals before routing (a malformed percent-escape, an over-long path segment) also get Azure's shape and a request id.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      const cofferError = toCofferError(error, String(request.id), DEFAULT_BODY_LIMIT);
      void reply.code(cofferError.status).header('x-ms-request-id', String(request.id)).send(errorBody(cofferError));
    },
  });

  const { awaitChanges } = deps;
  if (awaitChanges) app.addHook('onRequest', async () => awaitChanges());
  app.register(async (scope) => registerHealth(scope));
  app.register(async (scope) => registerIdentity(scope, deps.identity));
  app.register(async (scope) => registerManagedIdentity(scope, deps.managedIdentity));
  app.register(async (scope) => registerDataPlane(scope, { ...deps.dataPlane, bodyLimit: DEFAULT_BODY_LIMIT, logger: deps.logger }));
  app.register(async (scope) => registerManagement(scope, { ...deps.management, bodyLimit: DEFAULT_BODY_LIMIT, logger: deps.logger }));
  app.register(async (scope) => registerGraph(scope, { ...deps.graph, bodyLimit: DEFAULT_BODY_LIMIT, logger: deps.logger }));
  return app as unknown as FastifyInstance;
}
