// A Microsoft Graph route is a declaration like the management API's: method, path pattern, audit name, directory
// action and a handler. Graph's paths are case-insensitive and carry OData keys (`applications(appId='…')`), so routes
// are matched here, by pattern, under one Fastify wildcard (register.ts).
import type { VerifiedToken } from '../../auth/tokens/verify.js';
import type { DirectoryService } from '../../domain/identities/directory-service.js';
import type { Principal } from '../../domain/identities/principal.js';
import type { OperationInput, OperationResult } from '../define-operation.js';

/** What the Graph routes use: the directory service, and the tenant that owns every object. */
export interface GraphServices {
  directory: DirectoryService;
  tenantId: string;
}

export interface GraphContext {
  requestId: string;
  /** The client's client-request-id header (the Graph SDK sends one), echoed back and kept in the audit record. */
  clientRequestId: string | undefined;
  startedAt: bigint;
  /** scheme://host[:port] as the client addressed us: @odata.context and next links are built from it. */
  baseUrl: string;
  token: VerifiedToken | undefined;
  principal: Principal | undefined;
  clientAddress: string;
  errorCode: string | undefined;
  /** The matched route's audit name ('Unknown' until matched). */
  operationName: string;
  /** RBAC's decision on the route's directory action, for the audit record. */
  decision: { allowed: boolean; appliedAssignmentId?: string } | undefined;
  /** The directory object the request created or touched, for the audit record's properties.id. */
  objectId?: string;
}

/** What a route's handler gets: the data plane's shape, with untyped path parameters and body. */
export type GraphInput = OperationInput<Record<string, string>, unknown>;

export type GraphResult = Pick<OperationResult, 'status' | 'body'>;

export interface GraphOperation<TServices> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Segments after /v1.0, ':name' for a parameter; a key segment (`(appId='…')`) matches a parameter like an id. */
  path: string;
  operationName: string;
  /** The directory action (directory-rights.ts), checked at '/' before the handler runs. */
  action: string;
  handle(ctx: GraphContext, input: GraphInput, services: TServices): Promise<GraphResult>;
}

export function defineGraphOperation<TServices>(operation: GraphOperation<TServices>): GraphOperation<TServices> {
  return operation;
}

/** The route whose pattern matches `segments` (after /v1.0, keys split out: wire/paths.ts), with its parameters. */
export function matchGraphOperation<TServices>(
  operations: ReadonlyArray<GraphOperation<TServices>>,
  method: string,
  segments: readonly string[],
): { operation: GraphOperation<TServices>; params: Record<string, string> } | undefined {
  for (const operation of operations) {
    if (operation.method !== method) continue;
    const pattern = operation.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matched = pattern.every((part, index) => {
      const segment = segments[index]!;
      if (part.startsWith(':')) {
        params[part.slice(1)] = segment;
        return segment !== '';
      }
      return part.toLowerCase() === segment.toLowerCase();
    });
    if (matched) return { operation, params };
  }
  return undefined;
}
