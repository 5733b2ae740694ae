// Turns a finished data-plane request into one Azure AuditEvent and waits until it is durable. Audit is
// fail-closed: if the record cannot be written, the client gets a 500 instead of the response it asked for.
import { buildAuditEvent } from '../../audit/audit-event.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { RequestContext } from '../request-context.js';

export interface AuditedRequest {
  method: string;
  url: string;
  ip: string;
  headers: Record<string, string | string[] | undefined>;
  operationName: string;
  statusCode: number;
}

export function createAuditStage(deps: { auditLog: Pick<AuditLog, 'record'>; subscriptionId: string; resourceGroup: string }) {
  return async function audit(ctx: RequestContext, request: AuditedRequest): Promise<void> {
    const durationMs = Number((process.hrtime.bigint() - ctx.startedAt) / 1_000_000n);
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    await deps.auditLog.record(
      buildAuditEvent({
        at: new Date(),
        // The vault's own ARM namespace; the server's for a request that named no vault we have.
        subscriptionId: ctx.vault?.subscriptionId || deps.subscriptionId,
        resourceGroup: ctx.vault?.resourceGroup ?? deps.resourceGroup,
        vaultName: ctx.vaultName,
        operationName: request.operationName,
        apiVersion: ctx.apiVersion,
        httpStatusCode: request.statusCode,
        ...(ctx.errorCode === undefined ? {} : { errorCode: ctx.errorCode }),
        durationMs,
        callerIpAddress: request.ip,
        ...(header('x-ms-client-request-id') === undefined ? {} : { correlationId: header('x-ms-client-request-id')! }),
        ...(ctx.token === undefined ? {} : { caller: { objectId: ctx.token.objectId, appId: ctx.token.appId, tenantId: ctx.token.tenantId } }),
        ...(header('user-agent') === undefined ? {} : { userAgent: header('user-agent')! }),
        requestUri: `${ctx.baseUrl}${request.url}`,
        objectId: ctx.objectUrl ?? ctx.baseUrl,
        requestId: ctx.requestId,
        ...(ctx.decision === undefined ? {} : { authorization: ctx.decision }),
      }),
    );
  };
}
