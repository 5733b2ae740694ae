import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseImdsIdentity, ManagedIdentityError, selectorMatches } from './managed-identity-grant.js';

const web = { appId: 'AAAA-1', objectId: 'oid-1', displayName: 'web' };
const worker = { appId: 'bbbb-2', objectId: 'oid-2', displayName: 'worker' };

function refusal(fn: () => unknown): ManagedIdentityError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ManagedIdentityError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('selectorMatches', () => {
  it('matches any identity with no selector, and by client id or object id case-insensitively', () => {
    assert.equal(selectorMatches(web, {}), true);
    assert.equal(selectorMatches(web, { clientId: 'aaaa-1' }), true);
    assert.equal(selectorMatches(web, { objectId: 'OID-1' }), true);
    assert.equal(selectorMatches(web, { clientId: 'bbbb-2' }), false);
    assert.equal(selectorMatches(web, { objectId: 'oid-2' }), false);
  });

  it('matches a user-assigned identity resource id by its name', () => {
    const id = '/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/Web';
    assert.equal(selectorMatches(web, { resourceId: id }), true);
    assert.equal(selectorMatches(worker, { resourceId: id }), false);
    assert.equal(selectorMatches(web, { resourceId: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/web' }), false);
  });
});

describe('chooseImdsIdentity', () => {
  it('gives the one identity bound to the address', () => {
    assert.equal(chooseImdsIdentity([web], {}, '10.0.0.5'), web);
  });

  it('refuses with 403 when no identity is bound to the address, naming the address', () => {
    const error = refusal(() => chooseImdsIdentity([], {}, '10.0.0.5'));
    assert.equal(error.status, 403);
    assert.match(error.message, /'10\.0\.0\.5'/);
  });

  it('asks for a selector when several are bound, as IMDS does, and picks the one it names', () => {
    const error = refusal(() => chooseImdsIdentity([web, worker], {}, '10.0.0.5'));
    assert.equal(error.status, 400);
    assert.match(error.message, /Multiple user assigned identities exist/);
    assert.equal(chooseImdsIdentity([web, worker], { clientId: 'bbbb-2' }, '10.0.0.5'), worker);
  });

  it("answers IMDS's 400 'Identity not found' when the selector names none of them", () => {
    const error = refusal(() => chooseImdsIdentity([web], { clientId: 'other' }, '10.0.0.5'));
    assert.equal(error.status, 400);
    assert.equal(error.message, 'Identity not found');
  });
});
