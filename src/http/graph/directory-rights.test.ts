import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { permissionGrants } from '../../auth/roles/action-pattern.js';
import { builtInRole } from '../../auth/roles/built-in-roles.js';
import { defineGraphOperation, matchGraphOperation } from './define-graph-operation.js';
import { ASSIGN_ANY_ROLE, directoryActions, requiredActions } from './directory-rights.js';

/** Whether a built-in role grants every action a directory action needs. */
function roleMay(roleName: string, action: string): boolean {
  const role = builtInRole(roleName)!;
  return requiredActions(action).every((needed) => role.permissions.some((permission) => permissionGrants(permission, needed, 'control')));
}

describe('directory rights', () => {
  const reads = [directoryActions.applications.read, directoryActions.servicePrincipals.read, directoryActions.groups.read];
  const writes = [
    directoryActions.applications.write, directoryActions.applications.delete, directoryActions.servicePrincipals.write,
    directoryActions.servicePrincipals.delete, directoryActions.groups.write, directoryActions.groups.delete, directoryActions.groups.writeMembers,
  ];

  it('reads need the read action only; writes also need the right to assign any role', () => {
    for (const action of reads) assert.deepEqual(requiredActions(action), [action]);
    for (const action of writes) assert.deepEqual(requiredActions(action), [action, ASSIGN_ANY_ROLE]);
  });

  it('lets Owner do everything and Reader read', () => {
    for (const action of [...reads, ...writes]) assert.equal(roleMay('Owner', action), true, action);
    for (const action of reads) assert.equal(roleMay('Reader', action), true, action);
    for (const action of writes) assert.equal(roleMay('Reader', action), false, action);
  });

  it('keeps Contributor and User Access Administrator from writing (neither could make itself Owner through Graph)', () => {
    for (const action of writes) {
      assert.equal(roleMay('Contributor', action), false, action);
      assert.equal(roleMay('User Access Administrator', action), false, action);
    }
  });

  it('gives the Key Vault data roles nothing in the directory', () => {
    for (const action of [...reads, ...writes]) {
      assert.equal(roleMay('Key Vault Administrator', action), false, action);
      assert.equal(roleMay('Key Vault Secrets User', action), false, action);
    }
  });
});

describe('matchGraphOperation', () => {
  const operation = (method: 'GET' | 'POST', path: string) =>
    defineGraphOperation<unknown>({ method, path, operationName: path, action: 'a', handle: async () => ({}) });
  const operations = [operation('GET', 'applications'), operation('GET', 'applications/:key'), operation('POST', 'applications/:key/addPassword'), operation('POST', 'groups/:key/members/$ref')];

  it('matches literal segments without regard to case and collects parameters', () => {
    assert.equal(matchGraphOperation(operations, 'GET', ['Applications'])?.operation.path, 'applications');
    assert.deepEqual(matchGraphOperation(operations, 'GET', ['applications', "(appId='x')"])?.params, { key: "(appId='x')" });
    assert.deepEqual(matchGraphOperation(operations, 'POST', ['applications', 'k', 'ADDPASSWORD'])?.params, { key: 'k' });
    assert.deepEqual(matchGraphOperation(operations, 'POST', ['groups', 'g', 'members', '$ref'])?.params, { key: 'g' });
  });

  it('matches nothing for another method or shape', () => {
    assert.equal(matchGraphOperation(operations, 'DELETE', ['applications', 'k']), undefined);
    assert.equal(matchGraphOperation(operations, 'GET', ['applications', 'k', 'owners']), undefined);
    assert.equal(matchGraphOperation(operations, 'GET', ['users']), undefined);
  });
});
