// A management route is a declaration like a data-plane one: method, path pattern, audit name, ARM action and a
// handler. ARM paths are case-insensitive (`resourcegroups` and `resourceGroups` both occur in real traffic), so
// routes are matched here, by pattern, under one Fastify wildcard.
import type { VerifiedToken } from '../../auth/tokens/verify.js';
import type { Principal } from '../../domain/identities/principal.js';
import type { OperationInput, OperationResult } from '../define-operation.js';

export interface ManagementContext {
  requestId: string;
  startedAt: bigint;
  /** scheme://host[:port] as the client addressed us: next links are built from it. */
  baseUrl: string;
  apiVersion: string;
  token: VerifiedToken | undefined;
  principal: Principal | undefined;
  clientAddress: string;
  /** For the audit record: the subscription, group and vault the request named. */
  subscriptionId: string;
  resourceGroup: string;
  vaultName: string;
  /** For the audit record: the ARM id of the resource the request names when it is not a vault (a managed identity). */
  resourceId?: string;
  errorCode: string | undefined;
  /** The matched route's audit name ('Unknown' until matched). */
  operationName: string;
  /**
   * Whether the caller holds a control-plane action at a scope (for operations that filter what they return, or whose
   * check depends on the request). `roleDefinitionId`: the role a role-assignment write or delete concerns, which a
   * role's condition may restrict (auth/authorize.ts).
   */
  authorize(action: string, resource: string, roleDefinitionId?: string): Promise<boolean>;
  /** The resource the request created or touched, for the audit record's properties.id (e.g. a just-in-time activation). */
  objectId?: string;
}

/** What a route's handler gets: the data plane's shape, with untyped path parameters and body. */
export type ManagementInput = OperationInput<Record<string, string>, unknown>;

export type ManagementResult = Pick<OperationResult, 'status' | 'body'>;

export interface ManagementOperation<TServices> {
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  /**
   * Path segments after /subscriptions, ':name' for a parameter; literal segments match case-insensitively. A path that
   * starts with '{scope}/' is matched from the end against the whole path instead, and the segments before the rest
   * become the `scope` parameter ('/' when there are none): Microsoft.Authorization's
   * `/{scope}/providers/Microsoft.Authorization/…` at the root, a subscription, a group, a vault or one object.
   */
  path: string;
  operationName: string;
  /** ARM action, e.g. 'Microsoft.KeyVault/vaults/write'. */
  action: string;
  /** The handler checks rights itself (ctx.authorize), e.g. to leave out what the caller may not see. */
  authorizesItself?: boolean;
  /** api-versions this route answers; the vault routes' list when absent. */
  apiVersions?: readonly string[];
  /**
   * What the audit record names, from the path parameters. The pipeline sets it before authorization, so a refused
   * request names the resource too; routes without it set the context in their handlers.
   */
  auditScope?(params: Record<string, string>): Partial<Pick<ManagementContext, 'subscriptionId' | 'resourceGroup' | 'vaultName' | 'resourceId'>>;
  handle(ctx: ManagementContext, input: ManagementInput, services: TServices): Promise<ManagementResult>;
}

export function defineManagementOperation<TServices>(operation: ManagementOperation<TServices>): ManagementOperation<TServices> {
  return operation;
}

/** The route whose path matches `segments` (the whole path's, 'subscriptions' included), with its parameters (decoded). */
export function matchOperation<TServices>(
  operations: ReadonlyArray<ManagementOperation<TServices>>,
  method: string,
  segments: string[],
): { operation: ManagementOperation<TServices>; params: Record<string, string> } | undefined {
  const underSubscriptions = segments[0]?.toLowerCase() === 'subscriptions';
  for (const operation of operations) {
    if (operation.method !== method) continue;
    const params: Record<string, string> = {};
    let pattern: string[];
    let candidates: string[];
    if (operation.path.startsWith(SCOPE_PREFIX)) {
      pattern = operation.path.slice(SCOPE_PREFIX.length).split('/');
      if (segments.length < pattern.length) continue;
      const scope = segments.slice(0, segments.length - pattern.length);
      params.scope = `/${scope.join('/')}`;
      candidates = segments.slice(scope.length);
    } else {
      if (!underSubscriptions) continue;
      pattern = operation.path === '' ? [] : operation.path.split('/');
      candidates = segments.slice(1);
    }
    if (pattern.length !== candidates.length) continue;
    const matched = pattern.every((part, index) => {
      const segment = candidates[index]!;
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

const SCOPE_PREFIX = '{scope}/';
