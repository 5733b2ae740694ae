import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Application } from '../../../domain/identities/application.js';
import type { CertificateCredential, ClientSecretCredential, Principal } from '../../../domain/identities/principal.js';
import { toGraphApplication, toGraphGroup, toGraphMember, toGraphServicePrincipal, toKeyCredential, toPasswordCredential } from './directory-objects.js';

const application: Application = { objectId: 'app-object', appId: 'app-id', displayName: 'payroll', description: null, createdAt: 1_700_000_000 };
const holder: Principal = {
  tenantId: 'tenant', objectId: 'sp-object', appId: 'app-id', displayName: 'payroll', kind: 'servicePrincipal', isAdmin: false, isTrustedService: false, enabled: true,
};
const secret: ClientSecretCredential = { id: 'key-1', principalId: 'sp-object', secretHash: 'scrypt$hash', hint: 'abc', displayName: 'ci', createdAt: 1_700_000_000, expiresAt: null };
const certificate: CertificateCredential = {
  id: 'key-2', principalId: 'sp-object', displayName: 'CN=client', certificate: Buffer.from('der'), thumbprintSha1: '0A1B2C3D4E5F', thumbprintSha256: 'FF',
  notBefore: 1_700_000_000, notAfter: 1_800_000_000, createdAt: 1_700_000_000,
};

describe('toGraphApplication', () => {
  it('names the application by its own object id and shows its credentials, never a secret or a key', () => {
    const shown = toGraphApplication({ application, holder, secrets: [secret], certificates: [certificate] });
    assert.equal(shown.id, 'app-object');
    assert.equal(shown.appId, 'app-id');
    assert.equal(shown.createdDateTime, '2023-11-14T22:13:20.000Z');
    assert.deepEqual(shown.passwordCredentials, [
      { customKeyIdentifier: null, displayName: 'ci', endDateTime: null, hint: 'abc', keyId: 'key-1', secretText: null, startDateTime: '2023-11-14T22:13:20.000Z' },
    ]);
    assert.equal(shown.keyCredentials[0]!.key, null);
    assert.equal(JSON.stringify(shown).includes('scrypt'), false);
  });
});

describe('toPasswordCredential', () => {
  it('carries the secret text only when given (the addPassword answer)', () => {
    assert.equal(toPasswordCredential(secret).secretText, null);
    assert.equal(toPasswordCredential(secret, 'abcdef').secretText, 'abcdef');
  });
});

describe('toKeyCredential', () => {
  it("gives the SHA-1 thumbprint's bytes in base64 as customKeyIdentifier, and the certificate's validity", () => {
    assert.deepEqual(toKeyCredential(certificate), {
      customKeyIdentifier: Buffer.from('0A1B2C3D4E5F', 'hex').toString('base64'),
      displayName: 'CN=client',
      endDateTime: '2027-01-15T08:00:00.000Z',
      key: null,
      keyId: 'key-2',
      startDateTime: '2023-11-14T22:13:20.000Z',
      type: 'AsymmetricX509Cert',
      usage: 'Verify',
    });
  });
});

describe('toGraphServicePrincipal', () => {
  it("shows an application's service principal with its application's name", () => {
    const shown = toGraphServicePrincipal({ ...holder, displayName: 'renamed', enabled: false }, application, 'tenant');
    assert.equal(shown.id, 'sp-object');
    assert.equal(shown.accountEnabled, false);
    assert.equal(shown.displayName, 'renamed');
    assert.equal(shown.appDisplayName, 'payroll');
    assert.equal(shown.servicePrincipalType, 'Application');
    assert.equal(shown.appOwnerOrganizationId, 'tenant');
    assert.deepEqual(shown.servicePrincipalNames, ['app-id']);
  });
  it("shows a managed identity's as ManagedIdentity, owned by no tenant's application", () => {
    const shown = toGraphServicePrincipal({ ...holder, kind: 'managedIdentity' }, undefined, 'tenant');
    assert.equal(shown.servicePrincipalType, 'ManagedIdentity');
    assert.equal(shown.appOwnerOrganizationId, null);
    assert.equal(shown.appDisplayName, 'payroll');
  });
});

describe('toGraphMember', () => {
  const group = { id: 'g1', tenantId: 'tenant', displayName: 'readers', description: undefined, mailNickname: 'readers', createdAt: 1_700_000_000 };
  it('types each member', () => {
    assert.equal(toGraphMember({ kind: 'servicePrincipal', principal: holder }, () => application, 'tenant')['@odata.type'], '#microsoft.graph.servicePrincipal');
    assert.deepEqual(toGraphMember({ kind: 'group', group }, () => undefined, 'tenant'), { '@odata.type': '#microsoft.graph.group', ...toGraphGroup(group) });
    assert.deepEqual(toGraphMember({ kind: 'unknown', objectId: 'gone' }, () => undefined, 'tenant'), { '@odata.type': '#microsoft.graph.directoryObject', id: 'gone', deletedDateTime: null });
  });
  it('shows groups as security groups', () => {
    const shown = toGraphGroup(group);
    assert.equal(shown.securityEnabled, true);
    assert.equal(shown.mailEnabled, false);
    assert.deepEqual(shown.groupTypes, []);
    assert.equal(shown.description, null);
  });
});
