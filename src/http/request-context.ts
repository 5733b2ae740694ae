// What the pipeline learns about one data-plane request, stage by stage, and what the audit record needs.
import type { Decision } from '../auth/authorize.js';
import type { VerifiedToken } from '../auth/tokens/verify.js';
import type { Principal } from '../domain/identities/principal.js';
import type { Vault } from '../domain/vaults/vault.js';

export interface RequestContext {
  requestId: string;
  startedAt: bigint;
  /** scheme://host[:port] exactly as the client addressed us: ids are built from it. */
  baseUrl: string;
  vault: Vault | undefined;
  vaultName: string;
  token: VerifiedToken | undefined;
  principal: Principal | undefined;
  apiVersion: string;
  /** The object URL the operation touched, for the audit record. */
  objectUrl: string | undefined;
  /** The error code answered, for the audit record. */
  errorCode: string | undefined;
  /** The socket's address, or X-Forwarded-For's from a trusted proxy. */
  clientAddress: string;
  /** The request came through a private listener (exempt from public-network rules). */
  viaPrivateListener: boolean;
  /** The authorization decision, once made. */
  decision: Decision | undefined;
}

/** Declared by each data-plane route (see define-operation.ts) and read by the pipeline. */
export interface OperationMeta {
  /** Azure's audit operationName, e.g. 'SecretGet'. */
  operationName: string;
  /** Azure's RBAC dataAction, e.g. 'Microsoft.KeyVault/vaults/secrets/getSecret/action'. */
  action: string;
  /** See Operation.authorization (define-operation.ts). */
  authorization?: 'data' | 'control' | 'handler';
}

declare module 'fastify' {
  interface FastifyRequest {
    coffer: RequestContext;
  }
  interface FastifyContextConfig {
    operation?: OperationMeta;
  }
}
