// A management route is a declaration like a data-plane one: method, path pattern, audit name, ARM action and a
// handler. ARM paths are case-insensitive (`resourcegroups` and `resourceGroups` both occur in real traffic), so
// routes are matched here, by pattern, under one Fastify wildcard.
import type { VerifiedToken } from '../../auth/tokens/verify.js';
import type { Principal } from '../../domain/identities/principal.js';

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
  errorCode: string | undefined;
  /** The matched route's audit name ('Unknown' until matched). */
  operationName: string;
}

export interface ManagementInput {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
}

export interface ManagementResult {
  status?: number;
  body?: unknown;
}

export interface ManagementOperation<TServices> {
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  /** Path segments after /subscriptions, ':name' for a parameter; literal segments match case-insensitively. */
  path: string;
  operationName: string;
  /** ARM action, e.g. 'Microsoft.KeyVault/vaults/write'. */
  action: string;
  /** api-versions this route answers; the vault routes' list when absent. */
  apiVersions?: readonly string[];
  handle(ctx: ManagementContext, input: ManagementInput, services: TServices): Promise<ManagementResult>;
}

export function defineManagementOperation<TServices>(operation: ManagementOperation<TServices>): ManagementOperation<TServices> {
  return operation;
}

/** The route whose path matches `segments`, with its parameters (decoded). */
export function matchOperation<TServices>(
  operations: ReadonlyArray<ManagementOperation<TServices>>,
  method: string,
  segments: string[],
): { operation: ManagementOperation<TServices>; params: Record<string, string> } | undefined {
  for (const operation of operations) {
    if (operation.method !== method) continue;
    const pattern = operation.path === '' ? [] : operation.path.split('/');
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
