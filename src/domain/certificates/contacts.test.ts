import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { rejectsWith } from '../../../test/support/coffer-errors.js';
import { createEnvelope } from '../../crypto/envelope.js';
import { createCertificateContactsStore } from '../../store/certificate-contacts.js';
import type { Db } from '../../store/open.js';
import { closeTestStore, openTestStore } from '../../store/test-store.js';
import { createVaultStore } from '../../store/vaults.js';
import type { Vault } from '../vaults/vault.js';
import { createVaultService } from '../vaults/vault-service.js';
import { createCertificateContactsService, isValidEmailAddress, type CertificateContactsService } from './contacts.js';

const clock = { nowMs: () => Date.UTC(2026, 10, 22) };
let db: Db;
let contacts: CertificateContactsService;
let vault: Vault;
let other: Vault;

beforeEach(async () => {
  db = await openTestStore();
  const envelope = createEnvelope({ masterKey: randomBytes(32) });
  const vaults = createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 90, subscriptionId: '00000000-0000-0000-0000-000000000000' });
  vault = await vaults.createVault({ name: 'contacts' });
  other = await vaults.createVault({ name: 'other' });
  contacts = createCertificateContactsService({ store: createCertificateContactsStore(db), clock });
});

afterEach(() => closeTestStore(db));

describe('CertificateContactsService', () => {
  it('answers 404 ContactsNotFound for a vault that never had contacts', async () => {
    await rejectsWith(contacts.getContacts(vault), 404, 'ContactsNotFound', /^Contacts not found$/);
    await rejectsWith(contacts.deleteContacts(vault), 404, 'ContactsNotFound');
  });

  it('sets, reads and replaces the list, keeping only the members given', async () => {
    const set = await contacts.setContacts(vault, [
      { email: 'a@a.com', name: 'a', phone: '111111111111' },
      { email: 'b@b.com', name: null },
    ]);
    assert.deepEqual(set, [{ email: 'a@a.com', name: 'a', phone: '111111111111' }, { email: 'b@b.com' }]);
    assert.deepEqual(await contacts.getContacts(vault), set);
    await contacts.setContacts(vault, [{ email: 'c@example.org' }]);
    assert.deepEqual(await contacts.getContacts(vault), [{ email: 'c@example.org' }]);
  });

  it('keeps each vault its own list', async () => {
    await contacts.setContacts(vault, [{ email: 'a@a.com' }]);
    await rejectsWith(contacts.getContacts(other), 404, 'ContactsNotFound');
  });

  it('deletes the list and answers what it removed; a second delete is 404', async () => {
    await contacts.setContacts(vault, [{ email: 'a@a.com', phone: '1' }]);
    assert.deepEqual(await contacts.deleteContacts(vault), [{ email: 'a@a.com', phone: '1' }]);
    await rejectsWith(contacts.getContacts(vault), 404, 'ContactsNotFound');
    await rejectsWith(contacts.deleteContacts(vault), 404, 'ContactsNotFound');
  });

  it('an empty list leaves the vault without contacts', async () => {
    await contacts.setContacts(vault, [{ email: 'a@a.com' }]);
    assert.deepEqual(await contacts.setContacts(vault, []), []);
    await rejectsWith(contacts.getContacts(vault), 404, 'ContactsNotFound');
  });

  it('refuses a contact without an email address or with a malformed one, changing nothing', async () => {
    await contacts.setContacts(vault, [{ email: 'keep@example.com' }]);
    await rejectsWith(contacts.setContacts(vault, [{ email: 'ok@example.com' }, { name: 'no email' }]), 400, 'BadParameter', /contacts\[1\]\.email is required/);
    await rejectsWith(contacts.setContacts(vault, [{ email: '' }]), 400, 'BadParameter');
    await rejectsWith(contacts.setContacts(vault, [{ email: 'not-an-address' }]), 400, 'BadParameter', /'not-an-address' is not an email address/);
    await rejectsWith(contacts.setContacts(vault, undefined), 400, 'BadParameter', /contacts is required/);
    assert.deepEqual(await contacts.getContacts(vault), [{ email: 'keep@example.com' }]);
  });
});

describe('isValidEmailAddress', () => {
  for (const good of ['a@a.com', 'first.last+tag@sub.example.co.uk', 'admin@localhost']) {
    it(`accepts '${good}'`, () => assert.equal(isValidEmailAddress(good), true));
  }
  for (const bad of ['', 'plain', '@example.com', 'a@', 'a@@b.com', 'a b@c.com', 'a@b..com', 'a@.com', 'a@b.com.']) {
    it(`refuses '${bad}'`, () => assert.equal(isValidEmailAddress(bad), false));
  }
});
