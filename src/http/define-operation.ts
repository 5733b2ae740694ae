// A data-plane route is a declaration: method, url, Azure audit name, RBAC action, schemas and a handler.
// The pipeline reads the declaration, so no handler can forget authentication, authorization or audit.
import type { Static, TSchema } from 'typebox';
import type { Vault } from '../domain/vaults/vault.js';
import type { RequestContext } from './request-context.js';

export interface OperationInput<TParams, TBody> {
  params: TParams;
  query: Record<string, string | undefined>;
  body: TBody;
}

export interface OperationResult {
  status?: number;
  body?: unknown;
  /** The object URL the request touched, recorded in the audit log. */
  objectUrl?: string;
}

export type HandlerContext = RequestContext & { vault: Vault };

export interface Operation<TServices, TParamsSchema extends TSchema = TSchema, TBodySchema extends TSchema = TSchema> {
  method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** One or more URLs (Azure's optional trailing version segment is expressed as a second URL). */
  url: string | string[];
  operationName: string;
  action: string;
  /**
   * How the pipeline authorizes the operation, before the handler runs. 'data' (the default): `action` is a data action,
   * decided by the vault's model (RBAC or access policies). 'control': `action` is a control-plane action
   * (Microsoft.Authorization/…), decided by RBAC alone at the vault's scope (or the one object's the route names), as the
   * management API decides it: the vault's own role-assignment API. 'handler': the same control-plane decision, made by
   * the handler, because it depends on what the request names (the role of an assignment, which Key Vault Data Access
   * Administrator's condition restricts); the handler must record it in ctx.decision.
   */
  authorization?: 'data' | 'control' | 'handler';
  schema?: { params?: TParamsSchema; body?: TBodySchema };
  /** Bytes; the server default applies when absent. */
  bodyLimit?: number;
  handle(ctx: HandlerContext, input: OperationInput<Static<TParamsSchema>, Static<TBodySchema>>, services: TServices): Promise<OperationResult>;
}

export function defineOperation<TServices, TParamsSchema extends TSchema = TSchema, TBodySchema extends TSchema = TSchema>(
  operation: Operation<TServices, TParamsSchema, TBodySchema>,
): Operation<TServices, TParamsSchema, TBodySchema> {
  return operation;
}
