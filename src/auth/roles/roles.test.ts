import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidActionPattern, matchesAction, permissionGrants } from './action-pattern.js';
import { BUILT_IN_ROLES, builtInRole, ROLE_IDS } from './built-in-roles.js';
import { isAssignableScope, scopeContains, scopeKey } from './scopes.js';

const KV = 'Microsoft.KeyVault/vaults';
const grants = (roleId: string, action: string, plane: 'control' | 'data' = 'data') =>
  builtInRole(roleId)!.permissions.some((permission) => permissionGrants(permission, action, plane));

describe('action patterns', () => {
  it('matches literally, ignoring case, with * spanning segments', () => {
    assert.equal(matchesAction(`${KV}/secrets/getSecret/action`, 'microsoft.keyvault/VAULTS/secrets/getsecret/action'), true);
    assert.equal(matchesAction(`${KV}/*/read`, `${KV}/keys/read`), true);
    assert.equal(matchesAction(`${KV}/*/read`, `${KV}/secrets/readMetadata/action`), false);
    assert.equal(matchesAction('*', 'Anything/at/all'), true);
    assert.equal(matchesAction('*/read', 'Microsoft.KeyVault/vaults/read'), true);
    assert.equal(matchesAction('*/read', 'Microsoft.KeyVault/vaults/write'), false);
    assert.equal(matchesAction(`${KV}/secrets/get.ecret/action`, `${KV}/secrets/getSecret/action`), false, 'a dot is literal');
  });

  it('validates patterns', () => {
    for (const good of ['*', '*/read', `${KV}/*`, 'Microsoft.Authorization/*/read']) assert.equal(isValidActionPattern(good), true, good);
    for (const bad of ['', '/x', 'Microsoft KeyVault/read', 'a//b']) assert.equal(isValidActionPattern(bad), false, bad);
  });
});

describe('built-in roles', () => {
  it('have unique ids and names', () => {
    assert.equal(new Set(BUILT_IN_ROLES.map((role) => role.id)).size, BUILT_IN_ROLES.length);
    assert.equal(new Set(BUILT_IN_ROLES.map((role) => role.roleName.toLowerCase())).size, BUILT_IN_ROLES.length);
    assert.equal(builtInRole('key vault secrets user')?.id, ROLE_IDS.keyVaultSecretsUser);
    assert.equal(builtInRole(ROLE_IDS.keyVaultReader.toUpperCase())?.roleName, 'Key Vault Reader');
  });

  it('keep management rights and data rights apart', () => {
    assert.equal(grants(ROLE_IDS.owner, `${KV}/secrets/getSecret/action`), false, 'Owner has no data actions');
    assert.equal(grants(ROLE_IDS.keyVaultContributor, `${KV}/write`, 'control'), true);
    assert.equal(grants(ROLE_IDS.keyVaultContributor, `${KV}/secrets/getSecret/action`), false);
    assert.equal(grants(ROLE_IDS.keyVaultContributor, 'Microsoft.KeyVault/locations/deletedVaults/purge/action', 'control'), false, 'notActions');
    assert.equal(grants(ROLE_IDS.contributor, 'Microsoft.Authorization/roleAssignments/write', 'control'), false);
    assert.equal(grants(ROLE_IDS.keyVaultAdministrator, `${KV}/write`, 'control'), false);
  });

  it('grant the data actions Azure lists', () => {
    assert.equal(grants(ROLE_IDS.keyVaultSecretsUser, `${KV}/secrets/getSecret/action`), true);
    assert.equal(grants(ROLE_IDS.keyVaultSecretsUser, `${KV}/secrets/setSecret/action`), false);
    assert.equal(grants(ROLE_IDS.keyVaultReader, `${KV}/keys/read`), true);
    assert.equal(grants(ROLE_IDS.keyVaultReader, `${KV}/secrets/readMetadata/action`), true);
    assert.equal(grants(ROLE_IDS.keyVaultReader, `${KV}/secrets/getSecret/action`), false);
    assert.equal(grants(ROLE_IDS.keyVaultCryptoOfficer, `${KV}/keyrotationpolicies/write`), true);
    assert.equal(grants(ROLE_IDS.keyVaultCertificatesOfficer, `${KV}/certificatecontacts/read`), false);
    assert.equal(grants(ROLE_IDS.keyVaultAdministrator, `${KV}/certificatecontacts/read`), true);
  });
});

describe('scopes', () => {
  const vault = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1';
  it('contain themselves and what is below, ignoring case and a trailing slash', () => {
    assert.equal(scopeContains(scopeKey('/'), scopeKey(vault)), true);
    assert.equal(scopeContains(scopeKey(vault), scopeKey(`${vault}/secrets/s1`)), true);
    assert.equal(scopeContains(scopeKey(`${vault}/`), scopeKey(vault.toUpperCase())), true);
    assert.equal(scopeContains(scopeKey(`${vault}/secrets/s1`), scopeKey(vault)), false);
    assert.equal(scopeContains(scopeKey(`${vault}/secrets/s1`), scopeKey(`${vault}/secrets/s10`)), false, 'no prefix match inside a name');
    assert.equal(scopeContains(scopeKey(vault), scopeKey(`${vault}2`)), false);
  });

  it('are assignable at the root, a subscription, a group, a vault or an object', () => {
    for (const good of ['/', '/subscriptions/00000000-0000-0000-0000-000000000001', vault.split('/providers')[0]!, vault, `${vault}/keys/k-1`, `${vault}/`]) {
      assert.equal(isAssignableScope(good), true, good);
    }
    for (const bad of ['', 'subscriptions/x', '/subscriptions/nope', `${vault}/secrets`, `${vault}/blobs/x`, `${vault}/secrets/a_b`]) {
      assert.equal(isAssignableScope(bad), false, bad);
    }
  });
});
