// Certificate contacts and issuers through CertificateClient (setContacts, getContacts, deleteContacts, createIssuer,
// getIssuer, updateIssuer, listPropertiesOfIssuers, deleteIssuer), the wire shapes behind them, Azure's error codes,
// and an issuer password that is never answered and never written to disk in clear.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CertificateClient } from '@azure/keyvault-certificates';
import { encodings, filesUnder } from '../support/scan-files.js';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

const API = 'api-version=7.6';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const azureError = (status: number, code: string, message?: string) => (error: any) => {
  assert.equal(error.statusCode, status, String(error));
  assert.equal(error.code, code);
  if (message !== undefined) assert.equal(error.message, message);
  return true;
};

describe('certificate contacts and issuers', () => {
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await startServer();
    token = await server.adminToken();
  });
  after(() => server?.dispose());

  /** A vault of its own, so a test's contacts (one list per vault) and issuer listings depend on no other test. */
  async function freshVault(): Promise<{ name: string; url: string; client: CertificateClient }> {
    const name = uniqueName('v');
    await server.cli('vault', 'create', name);
    return { name, url: server.vaultUrl(name), client: server.certificateClient({ vault: name }) };
  }

  describe('CertificateClient.setContacts / getContacts / deleteContacts', () => {
    const contacts = [
      { email: 'a@a.com', name: 'a', phone: '111111111111' },
      { email: 'b@b.com', name: 'b', phone: '222222222222' },
    ];

    it('answers 404 ContactsNotFound "Contacts not found" on a vault without contacts', async () => {
      const { client } = await freshVault();
      await assert.rejects(client.getContacts(), azureError(404, 'ContactsNotFound', 'Contacts not found'));
      await assert.rejects(client.deleteContacts(), azureError(404, 'ContactsNotFound'));
    });

    it('sets, reads and deletes the contacts; delete answers the removed list', async () => {
      const { url, client } = await freshVault();
      assert.deepEqual(await client.setContacts(contacts), contacts);
      assert.deepEqual(await client.getContacts(), contacts);
      // deleteContacts() reads the raw body's `contactList`, which the wire never has (it is `contacts`), so the client
      // answers [] whatever the service says; the body itself is checked raw.
      assert.deepEqual(await client.deleteContacts(), []);
      await assert.rejects(client.getContacts(), azureError(404, 'ContactsNotFound'));
      await client.setContacts(contacts);
      const deleted = await server.request('DELETE', `${url}/certificates/contacts?${API}`, { token });
      assert.equal(deleted.status, 200);
      assert.deepEqual(deleted.json, { id: `${url}/certificates/contacts`, contacts });
      await assert.rejects(client.getContacts(), azureError(404, 'ContactsNotFound'));
    });

    it('answers Azure\'s Contacts shape on the wire', async () => {
      const { url, client } = await freshVault();
      await client.setContacts([{ email: 'ops@example.com', name: 'Ops' }]);
      const response = await server.request('GET', `${url}/certificates/contacts?${API}`, { token });
      assert.equal(response.status, 200);
      assert.deepEqual(response.json, { id: `${url}/certificates/contacts`, contacts: [{ email: 'ops@example.com', name: 'Ops' }] });
    });

    it('an empty list leaves the vault without contacts', async () => {
      const { client } = await freshVault();
      await client.setContacts(contacts);
      assert.deepEqual(await client.setContacts([]), []);
      await assert.rejects(client.getContacts(), azureError(404, 'ContactsNotFound'));
    });

    it('refuses a malformed or missing email address with 400 BadParameter and keeps the list', async () => {
      const { url, client } = await freshVault();
      await client.setContacts(contacts);
      await assert.rejects(client.setContacts([{ email: 'not-an-address', name: 'x' }]), azureError(400, 'BadParameter'));
      const noEmail = await server.request('PUT', `${url}/certificates/contacts?${API}`, { token, body: { contacts: [{ email: 'ok@example.com' }, { name: 'nobody' }] } });
      assert.equal(noEmail.status, 400);
      assert.equal(noEmail.json.error.code, 'BadParameter');
      const wrongType = await server.request('PUT', `${url}/certificates/contacts?${API}`, { token, body: { contacts: 'a@a.com' } });
      assert.equal(wrongType.status, 400);
      assert.deepEqual(await client.getContacts(), contacts);
    });
  });

  describe('CertificateClient.createIssuer / getIssuer / updateIssuer / deleteIssuer', () => {
    const admin = { firstName: 'John', lastName: 'Doe', email: 'admin@microsoft.com', phone: '4255555555' };

    it('creates an issuer and reads it back, without the password', async () => {
      const client = server.certificateClient();
      const name = uniqueName('issuer');
      const password = `pwd-${randomBytes(12).toString('hex')}`;
      const created = await client.createIssuer(name, 'Test', { accountId: 'keyvaultuser', password, organizationId: 'org-1', administratorContacts: [admin] });
      assert.equal(created.provider, 'Test');
      assert.equal(created.accountId, 'keyvaultuser');
      assert.equal(created.password, undefined);
      assert.equal(created.organizationId, 'org-1');
      assert.deepEqual(created.administratorContacts, [admin]);
      assert.equal(created.enabled, true);
      assert.ok(created.createdOn instanceof Date && created.updatedOn instanceof Date);
      assert.equal(created.id, `${server.vaultUrl()}/certificates/issuers/${name}`);

      const read = await client.getIssuer(name);
      assert.deepEqual(
        [read.provider, read.accountId, read.password, read.organizationId, read.administratorContacts, read.enabled],
        ['Test', 'keyvaultuser', undefined, 'org-1', [admin], true],
      );
    });

    it('answers Azure\'s IssuerBundle on the wire, never with pwd', async () => {
      const name = uniqueName('issuer');
      const password = `pwd-${randomBytes(12).toString('hex')}`;
      const url = `${server.vaultUrl()}/certificates/issuers/${name}?${API}`;
      const body = {
        provider: 'Test',
        credentials: { account_id: 'keyvaultuser', pwd: password },
        org_details: { admin_details: [{ first_name: 'John', last_name: 'Doe', email: 'admin@microsoft.com', phone: '4255555555' }] },
      };
      const set = await server.request('PUT', url, { token, body });
      assert.equal(set.status, 200, set.text);
      const { attributes, ...rest } = set.json;
      assert.deepEqual(rest, {
        id: `${server.vaultUrl()}/certificates/issuers/${name}`,
        provider: 'Test',
        credentials: { account_id: 'keyvaultuser' },
        org_details: body.org_details,
      });
      assert.equal(attributes.enabled, true);
      assert.equal(typeof attributes.created, 'number');
      assert.equal(attributes.updated, attributes.created);
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const response = await server.request(method, url, { token, ...(method === 'PATCH' ? { body: { provider: 'DigiCert' } } : {}) });
        assert.equal(response.status, 200, `${method}: ${response.text}`);
        assert.equal(response.text.includes(password), false, `${method} answered the password`);
        assert.equal('pwd' in (response.json.credentials ?? {}), false);
      }
    });

    it('updateIssuer changes what it is given and keeps the rest', async () => {
      const client = server.certificateClient();
      const name = uniqueName('issuer');
      await client.createIssuer(name, 'Test', { accountId: 'keyvaultuser', password: 'secret-password', administratorContacts: [admin] });
      const updated = await client.updateIssuer(name, { accountId: 'keyvaultuser2' });
      assert.deepEqual([updated.provider, updated.accountId, updated.administratorContacts], ['Test', 'keyvaultuser2', [admin]]);
      const moved = await client.updateIssuer(name, { provider: 'DigiCert', organizationId: 'org-2' });
      assert.deepEqual([moved.provider, moved.accountId, moved.organizationId], ['DigiCert', 'keyvaultuser2', 'org-2']);
      assert.equal((await client.getIssuer(name)).provider, 'DigiCert');
      await assert.rejects(client.updateIssuer(uniqueName('missing'), { provider: 'Test' }), azureError(404, 'CertificateIssuerNotFound'));
    });

    it('deleteIssuer answers the issuer, then getIssuer answers 404 CertificateIssuerNotFound "Issuer not found"', async () => {
      const client = server.certificateClient();
      const name = uniqueName('issuer');
      await client.createIssuer(name, 'Test', { accountId: 'keyvaultuser' });
      const deleted = await client.deleteIssuer(name);
      assert.deepEqual([deleted.provider, deleted.accountId], ['Test', 'keyvaultuser']);
      await assert.rejects(client.getIssuer(name), azureError(404, 'CertificateIssuerNotFound', 'Issuer not found'));
      await assert.rejects(client.deleteIssuer(name), azureError(404, 'CertificateIssuerNotFound'));
    });

    it('the built-in CA provider Coffer needs no credentials', async () => {
      const client = server.certificateClient();
      const name = uniqueName('local-ca');
      const created = await client.createIssuer(name, 'Coffer');
      assert.deepEqual([created.provider, created.accountId, created.enabled], ['Coffer', undefined, true]);
      const raw = await server.request('GET', `${server.vaultUrl()}/certificates/issuers/${name}?${API}`, { token });
      assert.equal('credentials' in raw.json, false);
    });

    it('issuer names are case-insensitive and keep the case first given', async () => {
      const client = server.certificateClient();
      const name = `Mixed-${uniqueName('Case')}`;
      await client.createIssuer(name, 'Test');
      const read = await client.getIssuer(name.toLowerCase());
      assert.equal(read.id, `${server.vaultUrl()}/certificates/issuers/${name}`);
    });

    it('refuses bad input with 400 BadParameter and stores nothing', async () => {
      const client = server.certificateClient();
      for (const reserved of ['Self', 'Unknown']) {
        await assert.rejects(client.createIssuer(reserved, 'Test'), azureError(400, 'BadParameter'));
      }
      const name = uniqueName('issuer');
      const url = `${server.vaultUrl()}/certificates/issuers/${name}?${API}`;
      for (const body of [{}, { provider: '' }, { provider: 'Test', credentials: { pwd: 42 } }, { provider: 'Test', attributes: { enabled: 'yes' } }]) {
        const response = await server.request('PUT', url, { token, body });
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.equal(response.json.error.code, 'BadParameter');
      }
      await assert.rejects(client.getIssuer(name), azureError(404, 'CertificateIssuerNotFound'));
      const badName = await server.request('PUT', `${server.vaultUrl()}/certificates/issuers/bad_name?${API}`, { token, body: { provider: 'Test' } });
      assert.equal(badName.status, 400);

      await client.createIssuer(name, 'Test', { accountId: 'kept' });
      const patch = await server.request('PATCH', url, { token, body: { provider: '', credentials: { account_id: 'changed' } } });
      assert.equal(patch.status, 400);
      const kept = await client.getIssuer(name);
      assert.deepEqual([kept.provider, kept.accountId], ['Test', 'kept']);
    });
  });

  describe('CertificateClient.listPropertiesOfIssuers', () => {
    it('lists every issuer of the vault, page by page', async () => {
      const { url, client } = await freshVault();
      const names = ['issuer-c', 'issuer-a', 'issuer-b'];
      for (const name of names) await client.createIssuer(name, name === 'issuer-b' ? 'Coffer' : 'Test');
      const all = await collect(client.listPropertiesOfIssuers());
      assert.deepEqual(
        all.map((item) => [item.id, item.provider]),
        [['issuer-a', 'Test'], ['issuer-b', 'Coffer'], ['issuer-c', 'Test']].map(([name, provider]) => [`${url}/certificates/issuers/${name}`, provider]),
      );
      // The client's byPage() ignores maxPageSize; the generated operation underneath passes `maxresults` through.
      const pages = await collect(client.listPropertiesOfIssuers({ maxresults: 2 } as Parameters<CertificateClient['listPropertiesOfIssuers']>[0]).byPage());
      assert.deepEqual(pages.map((page) => page.length), [2, 1]);
      assert.deepEqual(await collect(server.certificateClient({ vault: (await freshVault()).name }).listPropertiesOfIssuers()), []);
    });

    it('answers CertificateIssuerListResult on the wire, and refuses a bad maxresults', async () => {
      const { url, client } = await freshVault();
      await client.createIssuer('one', 'Test', { accountId: 'a', password: 'p-assword' });
      await client.createIssuer('two', 'Test');
      const first = await server.request('GET', `${url}/certificates/issuers?${API}&maxresults=1`, { token });
      assert.equal(first.status, 200);
      assert.deepEqual(first.json.value, [{ id: `${url}/certificates/issuers/one`, provider: 'Test' }]);
      assert.match(first.json.nextLink, new RegExp(`^${url}/certificates/issuers\\?`));
      const second = await server.request('GET', first.json.nextLink, { token });
      assert.deepEqual(second.json, { value: [{ id: `${url}/certificates/issuers/two`, provider: 'Test' }], nextLink: null });
      const bad = await server.request('GET', `${url}/certificates/issuers?${API}&maxresults=26`, { token });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'BadParameter');
    });
  });

  it('records each operation in the audit log under Azure\'s operation name', async () => {
    const { client } = await freshVault();
    await client.setContacts([{ email: 'audit@example.com' }]);
    await client.getContacts();
    await client.deleteContacts();
    await client.createIssuer('audited', 'Test');
    await client.getIssuer('audited');
    await client.updateIssuer('audited', { provider: 'DigiCert' });
    await collect(client.listPropertiesOfIssuers());
    await client.deleteIssuer('audited');
    const dir = path.join(server.dataDir, 'audit');
    const names = new Set(
      readdirSync(dir)
        .filter((file) => file.endsWith('.jsonl'))
        .flatMap((file) => readFileSync(path.join(dir, file), 'utf8').split('\n').filter(Boolean))
        .map((line) => (JSON.parse(line) as { operationName: string }).operationName),
    );
    for (const expected of [
      'CertificateContactsSet', 'CertificateContactsGet', 'CertificateContactsDelete',
      'CertificateIssuerSet', 'CertificateIssuerGet', 'CertificateIssuerUpdate', 'CertificateIssuersList', 'CertificateIssuerDelete',
    ]) {
      assert.ok(names.has(expected), `no audit record named ${expected}`);
    }
  });
});

describe('an issuer password at rest', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.dispose());

  it('is in no file of the data directory in clear, running or stopped', async () => {
    const client = server.certificateClient();
    const passwords = [0, 1, 2].map((i) => `issuer-password-${i}-${randomBytes(24).toString('hex')}`);
    await client.createIssuer(uniqueName('kept'), 'DigiCert', { accountId: 'acct', password: passwords[0] });
    const updated = uniqueName('updated');
    await client.createIssuer(updated, 'GlobalSign', { accountId: 'acct', password: passwords[1] });
    await client.updateIssuer(updated, { password: passwords[2] });
    const deleted = uniqueName('deleted');
    await client.createIssuer(deleted, 'DigiCert', { password: passwords[0] });
    await client.deleteIssuer(deleted);
    for (const phase of ['running', 'stopped']) {
      if (phase === 'stopped') assert.equal(await server.stop(), 0);
      const files = await filesUnder(server.dataDir);
      for (const password of passwords) {
        const holding = files.flatMap(({ file, bytes }) =>
          encodings(Buffer.from(password))
            .filter(({ needle }) => bytes.indexOf(needle) !== -1)
            .map(({ how }) => `${path.relative(server.dataDir, file)} (${how})`),
        );
        assert.deepEqual(holding, [], `an issuer password is readable at rest (${phase})`);
      }
    }
  });
});
