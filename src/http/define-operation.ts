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
