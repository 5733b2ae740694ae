// Builds one audit record in Azure Key Vault's AuditEvent shape from what the HTTP layer saw.
// Pure, and the record must never hold a secret value or a token: URLs keep only the query parameters allowed below.
import { STATUS_CODES } from 'node:http';

export interface AuditEvent {
  /** ISO 8601 UTC. */
  time: string;
  /** Vault ARM id, upper-cased like Azure's samples. */
  resourceId: string;
  operationName: string;
  /** The api-version the client sent ('' if none). */
  operationVersion: string;
  category: 'AuditEvent';
  resultType: 'Success' | 'Failure';
  /** HTTP status text: 'OK', 'Unauthorized', 'Forbidden', 'Not Found', … */
  resultSignature: string;
  /** The error code for failures (the inner code when there is one, e.g. ForbiddenByFirewall), '' for success. */
  resultDescription: string;
  durationMs: number;
  callerIpAddress: string;
  /** The client's x-ms-client-request-id, or ''. */
  correlationId: string;
  /** oid, appid and tid of the caller; null when the request was not authenticated. */
  identity: { claim: Record<string, string> } | null;
  properties: {
    clientInfo: string;
    requestUri: string;
    httpStatusCode: number;
    id: string;
    requestId: string;
    /** Set when the vault decided by RBAC: whether it allowed the action. */
    isRbacAuthorized?: boolean;
    /** Set when the vault decided by access policies: whether an entry granted the permission. */
    isAccessPolicyMatch?: boolean;
    /** The role assignment that granted the action (RBAC). */
    appliedAssignmentId?: string;
  };
}

/** How a request was authorized, for the audit record (Azure's IsRbacAuthorized, IsAccessPolicyMatch, AppliedAssignmentId). */
export interface AuditAuthorization {
  model: 'rbac' | 'accessPolicy';
  allowed: boolean;
  appliedAssignmentId?: string;
}

export interface AuditInput {
  at: Date;
  subscriptionId: string;
  resourceGroup: string;
  vaultName: string;
  /** The ARM id of the resource a management request named when it is not a vault (a managed identity); replaces the vault's. */
  resourceId?: string;
  operationName: string;
  apiVersion: string;
  httpStatusCode: number;
  errorCode?: string;
  durationMs: number;
  callerIpAddress: string;
  correlationId?: string;
  caller?: { objectId: string; appId: string; tenantId: string };
  userAgent?: string;
  requestUri: string;
  /** The object URL the request touched; pass the vault URL when it touched none. */
  objectId?: string;
  requestId: string;
  authorization?: AuditAuthorization;
}

// Paging and versioning are all an auditor needs from a query; anything else (a token pasted into a query
// string, a value sent the wrong way) must not reach the log, even if the HTTP layer lets it through.
const keptQueryParameters = new Set(['api-version', 'maxresults', '$skiptoken']);

export function buildAuditEvent(input: AuditInput): AuditEvent {
  const isSuccess = input.httpStatusCode < 400;
  const resourceId =
    input.resourceId ??
    `/subscriptions/${input.subscriptionId}/resourceGroups/${input.resourceGroup}/providers/Microsoft.KeyVault/vaults/${input.vaultName}`;
  return {
    time: input.at.toISOString(),
    resourceId: resourceId.toUpperCase(),
    operationName: input.operationName,
    operationVersion: input.apiVersion,
    category: 'AuditEvent',
    resultType: isSuccess ? 'Success' : 'Failure',
    resultSignature: STATUS_CODES[input.httpStatusCode] ?? String(input.httpStatusCode),
    resultDescription: isSuccess ? '' : (input.errorCode ?? ''),
    durationMs: Math.round(input.durationMs),
    callerIpAddress: input.callerIpAddress,
    correlationId: input.correlationId ?? '',
    identity: input.caller
      ? { claim: { oid: input.caller.objectId, appid: input.caller.appId, tid: input.caller.tenantId } }
      : null,
    properties: {
      clientInfo: input.userAgent ?? '',
      requestUri: keepSafeQuery(input.requestUri),
      httpStatusCode: input.httpStatusCode,
      id: keepSafeQuery(input.objectId ?? ''),
      requestId: input.requestId,
      ...authorizationProperties(input.authorization),
    },
  };
}

/**
 * The lower-case vault name, recovered from the upper-cased resourceId (vault names are case-insensitive DNS labels);
 * '' for a record about another kind of resource (a managed identity).
 */
export function vaultNameOf(event: AuditEvent): string {
  const match = /\/PROVIDERS\/MICROSOFT\.KEYVAULT\/VAULTS\/([^/]*)$/i.exec(event.resourceId);
  return (match?.[1] ?? '').toLowerCase();
}

/** Drops the fragment and every query parameter not in the allow-list; kept parameters stay byte for byte as sent. */
function keepSafeQuery(uri: string): string {
  const withoutFragment = uri.split('#', 1)[0] ?? '';
  const queryStart = withoutFragment.indexOf('?');
  if (queryStart === -1) return withoutFragment;
  const kept = withoutFragment
    .slice(queryStart + 1)
    .split('&')
    .filter((pair) => keptQueryParameters.has(decodedName(pair)));
  const path = withoutFragment.slice(0, queryStart);
  return kept.length > 0 ? `${path}?${kept.join('&')}` : path;
}

// Clients percent-encode query keys (`api%2Dversion`) and Key Vault matches them without regard to case.
function decodedName(pair: string): string {
  const raw = pair.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(raw.replaceAll('+', ' ')).toLowerCase();
  } catch {
    return '';
  }
}

// Every sink writes the same JSON; serialize each event once, however many sinks there are.
const serialized = new WeakMap<AuditEvent, string>();

function authorizationProperties(authorization: AuditAuthorization | undefined): Partial<AuditEvent['properties']> {
  if (authorization === undefined) return {};
  if (authorization.model === 'accessPolicy') return { isAccessPolicyMatch: authorization.allowed };
  return { isRbacAuthorized: authorization.allowed, ...(authorization.appliedAssignmentId === undefined ? {} : { appliedAssignmentId: authorization.appliedAssignmentId }) };
}

export function auditEventJson(event: AuditEvent): string {
  let json = serialized.get(event);
  if (json === undefined) {
    json = JSON.stringify(event);
    serialized.set(event, json);
  }
  return json;
}
