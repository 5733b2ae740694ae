import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAuditEvent, vaultNameOf, type AuditInput } from './audit-event.js';

const base: AuditInput = {
  at: new Date('2024-03-01T12:34:56.789Z'),
  subscriptionId: '00000000-0000-0000-0000-00000000abcd',
  resourceGroup: 'coffer-rg',
  vaultName: 'payroll',
  operationName: 'SecretGet',
  apiVersion: '7.5',
  httpStatusCode: 200,
  durationMs: 12.4,
  callerIpAddress: '10.0.0.7',
  correlationId: 'c0ffee00-0000-0000-0000-000000000001',
  caller: { objectId: 'oid-1', appId: 'app-1', tenantId: 'tenant-1' },
  userAgent: 'azsdk-js-keyvault-secrets/4.11.2',
  requestUri: 'https://payroll.vault.localhost:8443/secrets/db-password/abc123?api-version=7.5',
  objectId: 'https://payroll.vault.localhost:8443/secrets/db-password/abc123',
  requestId: 'req-1',
};

describe('buildAuditEvent', () => {
  it('builds the Azure AuditEvent shape for a success', () => {
    assert.deepEqual(buildAuditEvent(base), {
      time: '2024-03-01T12:34:56.789Z',
      resourceId:
        '/SUBSCRIPTIONS/00000000-0000-0000-0000-00000000ABCD/RESOURCEGROUPS/COFFER-RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/PAYROLL',
      operationName: 'SecretGet',
      operationVersion: '7.5',
      category: 'AuditEvent',
      resultType: 'Success',
      resultSignature: 'OK',
      resultDescription: '',
      durationMs: 12,
      callerIpAddress: '10.0.0.7',
      correlationId: 'c0ffee00-0000-0000-0000-000000000001',
      identity: { claim: { oid: 'oid-1', appid: 'app-1', tid: 'tenant-1' } },
      properties: {
        clientInfo: 'azsdk-js-keyvault-secrets/4.11.2',
        requestUri: 'https://payroll.vault.localhost:8443/secrets/db-password/abc123?api-version=7.5',
        httpStatusCode: 200,
        id: 'https://payroll.vault.localhost:8443/secrets/db-password/abc123',
        requestId: 'req-1',
      },
    });
  });

  it('marks failures with the status text and the error code', () => {
    const forbidden = buildAuditEvent({ ...base, httpStatusCode: 403, errorCode: 'Forbidden' });
    assert.equal(forbidden.resultType, 'Failure');
    assert.equal(forbidden.resultSignature, 'Forbidden');
    assert.equal(forbidden.resultDescription, 'Forbidden');

    const missing = buildAuditEvent({ ...base, httpStatusCode: 404, errorCode: 'SecretNotFound' });
    assert.equal(missing.resultSignature, 'Not Found');
    assert.equal(missing.resultDescription, 'SecretNotFound');

    const created = buildAuditEvent({ ...base, httpStatusCode: 201, errorCode: 'ignored' });
    assert.equal(created.resultType, 'Success');
    assert.equal(created.resultSignature, 'Created');
    assert.equal(created.resultDescription, '');
  });

  it('has a null identity and empty optional fields when the caller is unauthenticated', () => {
    const event = buildAuditEvent({
      ...base,
      httpStatusCode: 401,
      errorCode: 'Unauthorized',
      caller: undefined,
      correlationId: undefined,
      userAgent: undefined,
      objectId: undefined,
      apiVersion: '',
    });
    assert.equal(event.identity, null);
    assert.equal(event.resultSignature, 'Unauthorized');
    assert.equal(event.correlationId, '');
    assert.equal(event.operationVersion, '');
    assert.equal(event.properties.clientInfo, '');
    assert.equal(event.properties.id, '');
  });

  it('keeps only api-version, maxresults and $skiptoken in the request URI, as sent', () => {
    const event = buildAuditEvent({
      ...base,
      requestUri:
        '/secrets?access_token=eyJhbGciOi.secret.sig&api%2Dversion=7.5&maxresults=25&value=hunter2&%24skiptoken=abc%3D&Code=x#frag',
    });
    assert.equal(event.properties.requestUri, '/secrets?api%2Dversion=7.5&maxresults=25&%24skiptoken=abc%3D');
    assert.doesNotMatch(JSON.stringify(event), /eyJhbGciOi|hunter2|frag/);
  });

  it('drops the query entirely when nothing in it is allowed', () => {
    const event = buildAuditEvent({ ...base, requestUri: 'https://payroll.vault.localhost/secrets/a?token=t', objectId: 'https://payroll.vault.localhost/secrets/a?sig=s' });
    assert.equal(event.properties.requestUri, 'https://payroll.vault.localhost/secrets/a');
    assert.equal(event.properties.id, 'https://payroll.vault.localhost/secrets/a');
  });

  it('survives a malformed percent-encoding by dropping that parameter', () => {
    const event = buildAuditEvent({ ...base, requestUri: '/secrets?%E0%A4%A=1&api-version=7.5' });
    assert.equal(event.properties.requestUri, '/secrets?api-version=7.5');
  });
});

describe('vaultNameOf', () => {
  it('recovers the lower-case vault name from the upper-cased resourceId', () => {
    assert.equal(vaultNameOf(buildAuditEvent({ ...base, vaultName: 'pay-roll-01' })), 'pay-roll-01');
  });

  it('names no vault for a record about another resource (a managed identity), which carries its own resourceId', () => {
    const resourceId = '/subscriptions/00000000-0000-0000-0000-00000000abcd/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/payroll';
    const event = buildAuditEvent({ ...base, vaultName: '', resourceId });
    assert.equal(event.resourceId, resourceId.toUpperCase());
    assert.equal(vaultNameOf(event), '');
  });
});
