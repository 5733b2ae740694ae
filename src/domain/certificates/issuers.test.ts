import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { rejectsWith } from '../../../test/support/coffer-errors.js';
import { createEnvelope } from '../../crypto/envelope.js';
import { createCertificateIssuerStore } from '../../store/certificate-issuers.js';
import type { Db } from '../../store/open.js';
import { createVaultStore } from '../../store/vaults.js';
import type { Vault } from '../vaults/vault.js';
import { createVaultService } from '../vaults/vault-service.js';
import { createCertificateIssuerService, isBuiltInCaProvider, type CertificateIssuerService } from './issuers.js';
import { closeTestStore, openTestStore } from '../../store/test-store.js';

let nowMs = Date.UTC(2026, 10, 22);
const clock = { nowMs: () => nowMs };
const start = nowMs / 1000;
let db: Db;
let issuers: CertificateIssuerService;
let vault: Vault;
let other: Vault;

beforeEach(async () => {
  nowMs = Date.UTC(2026, 10, 22);
  db = await openTestStore();
  const envelope = createEnvelope({ masterKey: randomBytes(32) });
  const vaults = createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 90, subscriptionId: '00000000-0000-0000-0000-000000000000' });
  vault = await vaults.createVault({ name: 'issuers' });
  other = await vaults.createVault({ name: 'other' });
  issuers = createCertificateIssuerService({ store: createCertificateIssuerStore(db), envelope, clock });
});
afterEach(() => closeTestStore(db));

const admin = { firstName: 'John', lastName: 'Doe', email: 'admin@microsoft.com', phone: '4255555555' };

describe('CertificateIssuerService', () => {
  it('sets an issuer with Azure defaults and never shows the password', async () => {
    const set = await issuers.setIssuer(vault, 'Issuer01', {
      provider: 'Test',
      credentials: { accountId: 'keyvaultuser', password: 'hunter2-password' },
      organization: { admins: [admin] },
    });
    assert.deepEqual(set, {
      name: 'Issuer01', provider: 'Test', accountId: 'keyvaultuser', hasPassword: true,
      organization: { admins: [admin] }, enabled: true, created: start, updated: start,
    });
    assert.equal(JSON.stringify(set).includes('hunter2'), false);
    assert.deepEqual(await issuers.getIssuer(vault, 'issuer01'), set);
  });

  it('seals the password: the stored row holds no clear text, and only credentialsFor opens it', async () => {
    await issuers.setIssuer(vault, 'sealed', { provider: 'DigiCert', credentials: { accountId: 'acct', password: 'correct horse battery staple' } });
    const row = await db.selectFrom('certificate_issuers').selectAll().executeTakeFirstOrThrow();
    assert.ok(row.sealed_password);
    assert.equal(Buffer.from(row.sealed_password).includes(Buffer.from('correct horse')), false);
    assert.equal(JSON.stringify(row).includes('correct horse'), false);
    const opened = await issuers.credentialsFor(vault, 'SEALED');
    assert.deepEqual([opened.accountId, opened.password], ['acct', 'correct horse battery staple']);
  });

  it('a sealed password moved to another issuer row cannot be opened', async () => {
    await issuers.setIssuer(vault, 'one', { provider: 'DigiCert', credentials: { password: 'first-password' } });
    await issuers.setIssuer(vault, 'two', { provider: 'DigiCert', credentials: { password: 'second-password' } });
    const one = await db.selectFrom('certificate_issuers').select('sealed_password').where('name_key', '=', 'one').executeTakeFirstOrThrow();
    await db.updateTable('certificate_issuers').set({ sealed_password: one.sealed_password }).where('name_key', '=', 'two').execute();
    await assert.rejects(issuers.credentialsFor(vault, 'two'), /Cannot open/);
  });

  it('the built-in CA provider needs no credentials, in any case', async () => {
    const set = await issuers.setIssuer(vault, 'local-ca', { provider: 'coffer' });
    assert.deepEqual([set.provider, set.accountId, set.hasPassword, set.organization], ['coffer', null, false, null]);
    assert.equal(isBuiltInCaProvider(set.provider), true);
    assert.equal(isBuiltInCaProvider('DigiCert'), false);
    assert.deepEqual(await issuers.credentialsFor(vault, 'local-ca').then((c) => c.password), null);
  });

  it('Set replaces the whole issuer (PUT), keeping the first name case and the creation time', async () => {
    await issuers.setIssuer(vault, 'Replace-Me', { provider: 'Test', credentials: { accountId: 'a', password: 'p' }, organization: { id: 'org' } });
    nowMs += 60_000;
    const replaced = await issuers.setIssuer(vault, 'replace-me', { provider: 'GlobalSign', enabled: false });
    assert.deepEqual(replaced, {
      name: 'Replace-Me', provider: 'GlobalSign', accountId: null, hasPassword: false, organization: null,
      enabled: false, created: start, updated: start + 60,
    });
  });

  it('Update changes the members given and keeps the others, the password included', async () => {
    await issuers.setIssuer(vault, 'patch', { provider: 'Test', credentials: { accountId: 'keyvaultuser', password: 'kept-password' }, organization: { admins: [admin] } });
    nowMs += 1000;
    // What CertificateClient.updateIssuer sends when only the account id changes: credentials without pwd.
    const updated = await issuers.updateIssuer(vault, 'patch', { credentials: { accountId: 'keyvaultuser2' } });
    assert.deepEqual(
      [updated.provider, updated.accountId, updated.hasPassword, updated.organization, updated.enabled, updated.created, updated.updated],
      ['Test', 'keyvaultuser2', true, { admins: [admin] }, true, start, start + 1],
    );
    assert.equal((await issuers.credentialsFor(vault, 'patch')).password, 'kept-password');
    const moved = await issuers.updateIssuer(vault, 'patch', { provider: 'DigiCert', credentials: { password: 'new-password' }, organization: { id: 'org-1' }, enabled: false });
    assert.deepEqual([moved.provider, moved.accountId, moved.organization, moved.enabled], ['DigiCert', 'keyvaultuser2', { id: 'org-1' }, false]);
    assert.equal((await issuers.credentialsFor(vault, 'patch')).password, 'new-password');
    const cleared = await issuers.updateIssuer(vault, 'patch', { credentials: { password: null } });
    assert.equal(cleared.hasPassword, false);
  });

  it('answers 404 CertificateIssuerNotFound "Issuer not found" for a missing issuer, on every operation', async () => {
    await rejectsWith(issuers.getIssuer(vault, 'missing'), 404, 'CertificateIssuerNotFound', /^Issuer not found$/);
    await rejectsWith(issuers.updateIssuer(vault, 'missing', { provider: 'Test' }), 404, 'CertificateIssuerNotFound');
    await rejectsWith(issuers.deleteIssuer(vault, 'missing'), 404, 'CertificateIssuerNotFound');
    await issuers.setIssuer(vault, 'elsewhere', { provider: 'Test' });
    await rejectsWith(issuers.getIssuer(other, 'elsewhere'), 404, 'CertificateIssuerNotFound');
  });

  it('deletes an issuer and answers it', async () => {
    await issuers.setIssuer(vault, 'gone', { provider: 'Test', credentials: { accountId: 'x', password: 'y' } });
    const removed = await issuers.deleteIssuer(vault, 'GONE');
    assert.deepEqual([removed.name, removed.provider, removed.accountId, removed.hasPassword], ['gone', 'Test', 'x', true]);
    await rejectsWith(issuers.getIssuer(vault, 'gone'), 404, 'CertificateIssuerNotFound');
  });

  it('refuses bad input with BadParameter and changes nothing', async () => {
    await issuers.setIssuer(vault, 'stable', { provider: 'Test', credentials: { accountId: 'a' } });
    await rejectsWith(issuers.setIssuer(vault, 'stable', {}), 400, 'BadParameter', /provider is required/);
    await rejectsWith(issuers.setIssuer(vault, 'stable', { provider: '  ' }), 400, 'BadParameter');
    await rejectsWith(issuers.updateIssuer(vault, 'stable', { provider: '' }), 400, 'BadParameter');
    await rejectsWith(issuers.setIssuer(vault, 'bad_name', { provider: 'Test' }), 400, 'BadParameter', /issuer name 'bad_name' is invalid/);
    await rejectsWith(issuers.setIssuer(vault, 'x'.repeat(128), { provider: 'Test' }), 400, 'BadParameter');
    await rejectsWith(issuers.getIssuer(vault, 'bad.name'), 400, 'BadParameter');
    const stable = await issuers.getIssuer(vault, 'stable');
    assert.deepEqual([stable.provider, stable.accountId], ['Test', 'a']);
  });

  for (const reserved of ['Self', 'Unknown', 'self', 'UNKNOWN']) {
    it(`refuses the reserved issuer name '${reserved}'`, async () => {
      await rejectsWith(issuers.setIssuer(vault, reserved, { provider: 'Test' }), 400, 'BadParameter', /reserved/);
      await rejectsWith(issuers.getIssuer(vault, reserved), 404, 'CertificateIssuerNotFound');
    });
  }

  it('lists issuers by name, page after page', async () => {
    for (const name of ['charlie', 'Alpha', 'bravo', 'delta', 'echo']) await issuers.setIssuer(vault, name, { provider: name === 'echo' ? 'Coffer' : 'Test' });
    await issuers.setIssuer(other, 'not-listed', { provider: 'Test' });
    const names: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await issuers.listIssuers(vault, { after, limit: 2 });
      names.push(...page.items.map((item) => item.name));
      after = page.next;
      pages += 1;
    } while (after !== undefined);
    assert.deepEqual(names, ['Alpha', 'bravo', 'charlie', 'delta', 'echo']);
    assert.equal(pages, 3);
    assert.deepEqual(await issuers.listIssuers(other, { after: undefined, limit: 25 }).then((page) => page.items.map((item) => item.name)), ['not-listed']);
  });
});
