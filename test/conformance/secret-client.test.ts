// SecretClient (@azure/keyvault-secrets) against a real Coffer: set, get, update and the two listings, with
// raw HTTP where the SDK hides what Azure puts on the wire (innererror, nextLink, maxresults).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parseKeyVaultSecretIdentifier, type SecretClient, type SecretProperties } from '@azure/keyvault-secrets';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

const VERSION_PATTERN = /^[0-9a-f]{32}$/;

/** A validator for assert.rejects: the RestError a client sees, with Azure's code and optional inner code. */
function azureError(status: number, code: string, innerCode?: string) {
  return (error: any) => {
    assert.equal(error?.statusCode, status, `status of ${error}`);
    assert.equal(error.code, code);
    if (innerCode !== undefined) assert.equal(error.details?.error?.innerError?.code, innerCode);
    return true;
  };
}

/** Whole seconds, as the wire carries them. */
function secondsFromNow(seconds: number): Date {
  return new Date((Math.floor(Date.now() / 1000) + seconds) * 1000);
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('SecretClient secrets operations', () => {
  let server: TestServer;
  let client: SecretClient;
  let token: string;

  /** Raw HTTPS against the default vault (or a named one) with an admin token. */
  const raw = (method: string, pathAndQuery: string, body?: unknown, vault?: string) =>
    server.request(method, `${server.vaultUrl(vault)}${pathAndQuery}`, { token, ...(body === undefined ? {} : { body }) });

  before(async () => {
    server = await startServer();
    client = server.secretClient();
    token = await server.adminToken();
  });
  after(() => server.dispose());

  describe('SecretClient.setSecret', () => {
    it('round-trips a plain value', async () => {
      const name = uniqueName();
      const set = await client.setSecret(name, 'hunter2');
      assert.equal(set.value, 'hunter2');
      assert.equal(set.name, name);
      assert.equal((await client.getSecret(name)).value, 'hunter2');
    });

    it('round-trips a unicode value', async () => {
      const name = uniqueName();
      const value = 'pässwörd — 日本語 🔑 \u0000 tab\there\nnew line';
      await client.setSecret(name, value);
      assert.equal((await client.getSecret(name)).value, value);
    });

    it('stores a value of exactly 25 KB (25600 UTF-8 bytes)', async () => {
      const name = uniqueName();
      const value = `${'€'.repeat(8533)}a`;
      assert.equal(Buffer.byteLength(value, 'utf8'), 25_600);
      await client.setSecret(name, value);
      assert.equal((await client.getSecret(name)).value, value);
    });

    it('refuses a value one byte over 25 KB with 400 BadParameter', async () => {
      const name = uniqueName();
      await assert.rejects(client.setSecret(name, 'a'.repeat(25_601)), azureError(400, 'BadParameter'));
      await assert.rejects(client.getSecret(name), azureError(404, 'SecretNotFound'));
    });

    it('stores contentType, tags, enabled, notBefore and expiresOn', async () => {
      const name = uniqueName();
      const notBefore = secondsFromNow(-3600);
      const expiresOn = secondsFromNow(86_400);
      const set = await client.setSecret(name, 'v', { contentType: 'text/plain', tags: { env: 'prod', team: 'payroll' }, enabled: true, notBefore, expiresOn });
      for (const properties of [set.properties, (await client.getSecret(name)).properties]) {
        assert.equal(properties.contentType, 'text/plain');
        assert.deepEqual(properties.tags, { env: 'prod', team: 'payroll' });
        assert.equal(properties.enabled, true);
        assert.equal(properties.notBefore?.getTime(), notBefore.getTime());
        assert.equal(properties.expiresOn?.getTime(), expiresOn.getTime());
        assert.ok(properties.createdOn instanceof Date);
        assert.ok(properties.updatedOn instanceof Date);
      }
    });

    it('leaves contentType, tags, notBefore and expiresOn out when none were given', async () => {
      const { properties } = await client.setSecret(uniqueName(), 'v');
      assert.equal(properties.contentType, undefined);
      assert.equal(properties.tags, undefined);
      assert.equal(properties.notBefore, undefined);
      assert.equal(properties.expiresOn, undefined);
      assert.equal(properties.enabled, true);
    });

    it('makes a new 32-lowercase-hex version on every call', async () => {
      const name = uniqueName();
      const versions: string[] = [];
      for (const value of ['one', 'two', 'three']) {
        const set = await client.setSecret(name, value);
        assert.match(set.properties.version ?? '', VERSION_PATTERN);
        versions.push(set.properties.version!);
      }
      assert.equal(new Set(versions).size, 3);
      const latest = await client.getSecret(name);
      assert.equal(latest.properties.version, versions[2]);
      assert.equal(latest.value, 'three');
    });

    it('answers ids that parse into vaultUrl, name and version', async () => {
      const name = uniqueName();
      const { properties } = await client.setSecret(name, 'v');
      assert.equal(properties.id, `${server.vaultUrl()}/secrets/${name}/${properties.version}`);
      const parsed = parseKeyVaultSecretIdentifier(properties.id!);
      assert.equal(parsed.vaultUrl, server.vaultUrl());
      assert.equal(parsed.name, name);
      assert.equal(parsed.version, properties.version);
      assert.equal(properties.vaultUrl, server.vaultUrl());
      assert.equal(properties.name, name);
    });

    it('reports recoveryLevel Recoverable+Purgeable and recoverableDays 90 on a default vault', async () => {
      const { properties } = await client.setSecret(uniqueName(), 'v');
      assert.equal(properties.recoveryLevel, 'Recoverable+Purgeable');
      assert.equal(properties.recoverableDays, 90);
    });

    it('adds one version per call when several calls race on a new name', async () => {
      const name = uniqueName();
      const values = ['a', 'b', 'c', 'd', 'e'];
      const results = await Promise.all(values.map((value) => client.setSecret(name, value)));
      assert.equal(new Set(results.map((r) => r.properties.version)).size, values.length);
      const versions = await collect(client.listPropertiesOfSecretVersions(name));
      assert.equal(versions.length, values.length);
      assert.ok(values.includes((await client.getSecret(name)).value!));
    });

    it('adds a version to an existing secret whatever the casing of the name', async () => {
      const suffix = uniqueName('');
      const first = await client.setSecret(`MyName${suffix}`, 'one');
      const second = await client.setSecret(`myname${suffix}`, 'two');
      assert.notEqual(second.properties.version, first.properties.version);
      const versions = await collect(client.listPropertiesOfSecretVersions(`MYNAME${suffix}`));
      assert.equal(versions.length, 2);
    });
  });

  describe('SecretClient.getSecret', () => {
    it('returns the latest version when no version is given', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'old');
      const latest = await client.setSecret(name, 'new');
      const got = await client.getSecret(name);
      assert.equal(got.value, 'new');
      assert.equal(got.properties.version, latest.properties.version);
      assert.equal(got.properties.id, latest.properties.id);
    });

    it('returns an older version by id', async () => {
      const name = uniqueName();
      const old = await client.setSecret(name, 'old', { contentType: 'text/old' });
      await client.setSecret(name, 'new', { contentType: 'text/new' });
      const got = await client.getSecret(name, { version: old.properties.version! });
      assert.equal(got.value, 'old');
      assert.equal(got.properties.version, old.properties.version);
      assert.equal(got.properties.contentType, 'text/old');
      assert.equal(got.properties.id, `${server.vaultUrl()}/secrets/${name}/${old.properties.version}`);
    });

    it('serves a secret whose notBefore is in the future, as Azure does', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'early', { notBefore: secondsFromNow(86_400) });
      assert.equal((await client.getSecret(name)).value, 'early');
    });

    it('serves a secret whose expiresOn has passed, as Azure does', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'late', { expiresOn: secondsFromNow(-86_400) });
      assert.equal((await client.getSecret(name)).value, 'late');
    });

    it('refuses a disabled secret with 403 Forbidden, innererror SecretDisabled', async () => {
      const name = uniqueName();
      const set = await client.setSecret(name, 'off', { enabled: false });
      assert.equal(set.properties.enabled, false);
      await assert.rejects(client.getSecret(name), azureError(403, 'Forbidden', 'SecretDisabled'));
      await assert.rejects(client.getSecret(name, { version: set.properties.version! }), azureError(403, 'Forbidden'));

      const response = await raw('GET', `/secrets/${name}?api-version=7.5`);
      assert.equal(response.status, 403);
      assert.equal(response.json.error.code, 'Forbidden');
      assert.equal(response.json.error.innererror.code, 'SecretDisabled');
      assert.equal(response.text.includes('off'), false);
    });

    it('answers 404 SecretNotFound for an unknown name', async () => {
      await assert.rejects(client.getSecret(uniqueName()), azureError(404, 'SecretNotFound'));
    });

    it('answers 404 SecretNotFound for an unknown version of a known name', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'v');
      await assert.rejects(client.getSecret(name, { version: randomBytes(16).toString('hex') }), azureError(404, 'SecretNotFound'));
    });

    it('reads a name case-insensitively', async () => {
      const suffix = uniqueName('');
      const set = await client.setSecret(`MyName${suffix}`, 'same');
      const got = await client.getSecret(`myname${suffix}`);
      assert.equal(got.value, 'same');
      assert.equal(got.properties.version, set.properties.version);
      assert.equal(got.name.toLowerCase(), `myname${suffix}`);
    });
  });

  describe('SecretClient.updateSecretProperties', () => {
    it('changes tags and contentType without touching the value or adding a version', async () => {
      const name = uniqueName();
      const set = await client.setSecret(name, 'keep-me', { contentType: 'text/plain', tags: { a: '1' } });
      const updated = await client.updateSecretProperties(name, set.properties.version!, { contentType: 'application/json', tags: { b: '2' } });
      assert.equal(updated.version, set.properties.version);
      assert.equal(updated.contentType, 'application/json');
      assert.deepEqual(updated.tags, { b: '2' });

      const got = await client.getSecret(name);
      assert.equal(got.value, 'keep-me');
      assert.equal(got.properties.version, set.properties.version);
      assert.equal(got.properties.contentType, 'application/json');
      assert.deepEqual(got.properties.tags, { b: '2' });
      assert.equal((await collect(client.listPropertiesOfSecretVersions(name))).length, 1);
    });

    it('keeps what the update does not mention', async () => {
      const name = uniqueName();
      const expiresOn = secondsFromNow(86_400);
      const set = await client.setSecret(name, 'v', { contentType: 'text/plain', tags: { a: '1' }, expiresOn });
      const updated = await client.updateSecretProperties(name, set.properties.version!, { tags: { a: '2' } });
      assert.equal(updated.contentType, 'text/plain');
      assert.equal(updated.expiresOn?.getTime(), expiresOn.getTime());
      assert.equal(updated.enabled, true);
    });

    it('sets notBefore, expiresOn and enabled', async () => {
      const name = uniqueName();
      const set = await client.setSecret(name, 'v');
      const notBefore = secondsFromNow(-60);
      const expiresOn = secondsFromNow(3600);
      const updated = await client.updateSecretProperties(name, set.properties.version!, { notBefore, expiresOn, enabled: true });
      assert.equal(updated.notBefore?.getTime(), notBefore.getTime());
      assert.equal(updated.expiresOn?.getTime(), expiresOn.getTime());
      const got = await client.getSecret(name);
      assert.equal(got.properties.notBefore?.getTime(), notBefore.getTime());
      assert.equal(got.properties.expiresOn?.getTime(), expiresOn.getTime());
    });

    it('updates the latest version when the version segment is empty (raw PATCH /secrets/NAME/)', async () => {
      const name = uniqueName();
      const old = await client.setSecret(name, 'old');
      const latest = await client.setSecret(name, 'new');
      const response = await raw('PATCH', `/secrets/${name}/?api-version=7.5`, { contentType: 'patched' });
      assert.equal(response.status, 200);
      assert.equal(response.json.id, latest.properties.id);
      assert.equal('value' in response.json, false);
      assert.equal((await client.getSecret(name)).properties.contentType, 'patched');
      assert.equal((await client.getSecret(name, { version: old.properties.version! })).properties.contentType, undefined);
    });

    it('re-enables a disabled secret', async () => {
      const name = uniqueName();
      const set = await client.setSecret(name, 'back', { enabled: false });
      await assert.rejects(client.getSecret(name), azureError(403, 'Forbidden', 'SecretDisabled'));
      const updated = await client.updateSecretProperties(name, set.properties.version!, { enabled: true });
      assert.equal(updated.enabled, true);
      assert.equal((await client.getSecret(name)).value, 'back');
    });

    it('disables one older version and leaves the latest readable', async () => {
      const name = uniqueName();
      const old = await client.setSecret(name, 'old');
      await client.setSecret(name, 'new');
      await client.updateSecretProperties(name, old.properties.version!, { enabled: false });
      await assert.rejects(client.getSecret(name, { version: old.properties.version! }), azureError(403, 'Forbidden', 'SecretDisabled'));
      assert.equal((await client.getSecret(name)).value, 'new');
    });

    it('answers 404 SecretNotFound for an unknown name or version', async () => {
      await assert.rejects(client.updateSecretProperties(uniqueName(), randomBytes(16).toString('hex'), { enabled: true }), azureError(404, 'SecretNotFound'));
      const name = uniqueName();
      await client.setSecret(name, 'v');
      await assert.rejects(client.updateSecretProperties(name, randomBytes(16).toString('hex'), { enabled: true }), azureError(404, 'SecretNotFound'));
    });
  });

  describe('SecretClient.listPropertiesOfSecrets', () => {
    let vault: string;
    let vaultClient: SecretClient;
    let names: string[];

    before(async () => {
      vault = uniqueName('pg');
      await server.cli('vault', 'create', vault);
      vaultClient = server.secretClient({ vault });
      names = Array.from({ length: 30 }, (_, i) => `paged-${String(i).padStart(2, '0')}-${uniqueName('')}`);
      await Promise.all(names.map((name) => vaultClient.setSecret(name, `value-of-${name}`)));
    });

    it('follows nextLink to return all 30 secrets of a vault', async () => {
      const listed = await collect(vaultClient.listPropertiesOfSecrets());
      assert.equal(listed.length, 30);
      assert.deepEqual(listed.map((p) => p.name).sort(), [...names].sort());
    });

    it('returns pages of the size asked for through byPage', async () => {
      const pages = await collect(vaultClient.listPropertiesOfSecrets().byPage({ maxPageSize: 7 }));
      assert.deepEqual(pages.map((page) => page.length), [7, 7, 7, 7, 2]);
      assert.equal(new Set(pages.flat().map((p) => p.name)).size, 30);
    });

    it('pages 5 at a time with an absolute nextLink on the vault host that keeps maxresults', async () => {
      const first = await raw('GET', '/secrets?api-version=7.5&maxresults=5', undefined, vault);
      assert.equal(first.status, 200);
      assert.equal(first.json.value.length, 5);
      const ids: string[] = first.json.value.map((item: { id: string }) => item.id);
      let link: string | null = first.json.nextLink;
      let pages = 1;
      let last = first;
      while (link !== null) {
        const url = new URL(link);
        assert.equal(url.origin, server.vaultUrl(vault));
        assert.equal(url.pathname, '/secrets');
        assert.equal(url.searchParams.get('maxresults'), '5');
        assert.ok(url.searchParams.get('api-version'));
        last = await server.request('GET', link, { token });
        assert.equal(last.status, 200);
        assert.ok(last.json.value.length <= 5);
        ids.push(...last.json.value.map((item: { id: string }) => item.id));
        link = last.json.nextLink ?? null;
        pages += 1;
        assert.ok(pages <= 10, 'paging does not end');
      }
      assert.equal(last.json.nextLink, null);
      assert.equal(ids.length, 30);
      assert.equal(new Set(ids).size, 30);
      assert.deepEqual(ids.map((id) => id.split('/').pop()).sort(), [...names].sort());
    });

    it('lists items without a value and with unversioned ids', async () => {
      const response = await raw('GET', '/secrets?api-version=7.5', undefined, vault);
      assert.equal(response.status, 200);
      for (const item of response.json.value) {
        assert.equal('value' in item, false);
        assert.match(item.id, new RegExp(`^${server.vaultUrl(vault).replaceAll('.', '\\.')}/secrets/[0-9a-zA-Z-]+$`));
        assert.equal(typeof item.attributes.enabled, 'boolean');
      }
      assert.equal(response.text.includes('value-of-'), false);

      const listed = await collect(vaultClient.listPropertiesOfSecrets());
      for (const properties of listed) {
        assert.equal(properties.id, `${server.vaultUrl(vault)}/secrets/${properties.name}`);
        assert.equal(properties.version, undefined);
        assert.equal(properties.vaultUrl, server.vaultUrl(vault));
        assert.equal((properties as SecretProperties & { value?: string }).value, undefined);
      }
    });

    it('refuses maxresults 0 and 26 with 400 BadParameter', async () => {
      for (const maxresults of ['0', '26']) {
        for (const path of ['/secrets', `/secrets/${names[0]}/versions`, '/deletedsecrets']) {
          const response = await raw('GET', `${path}?api-version=7.5&maxresults=${maxresults}`, undefined, vault);
          assert.equal(response.status, 400, `${path} maxresults=${maxresults}`);
          assert.equal(response.json.error.code, 'BadParameter');
        }
      }
    });

    it('lists a name set in two casings once, as its latest version', async () => {
      const suffix = uniqueName('');
      await client.setSecret(`MyName${suffix}`, 'one');
      await client.setSecret(`myname${suffix}`, 'two', { contentType: 'second' });
      const matching = (await collect(client.listPropertiesOfSecrets())).filter((p) => p.name.toLowerCase() === `myname${suffix}`);
      assert.equal(matching.length, 1);
      assert.equal(matching[0]!.contentType, 'second');
    });

    it('still lists a disabled secret', async () => {
      const name = uniqueName();
      await client.setSecret(name, 'off', { enabled: false, tags: { state: 'disabled' } });
      const found = (await collect(client.listPropertiesOfSecrets())).find((p) => p.name === name);
      assert.ok(found, 'disabled secret is listed');
      assert.equal(found.enabled, false);
      assert.deepEqual(found.tags, { state: 'disabled' });
    });
  });

  describe('SecretClient.listPropertiesOfSecretVersions', () => {
    it('lists every version with versioned ids and no values', async () => {
      const name = uniqueName();
      const set: string[] = [];
      for (const value of ['a', 'b', 'c']) set.push((await client.setSecret(name, value, { tags: { value } })).properties.version!);
      const versions = await collect(client.listPropertiesOfSecretVersions(name));
      assert.deepEqual(versions.map((p) => p.version).sort(), [...set].sort());
      for (const properties of versions) {
        assert.match(properties.version ?? '', VERSION_PATTERN);
        assert.equal(properties.id, `${server.vaultUrl()}/secrets/${name}/${properties.version}`);
        assert.equal(properties.name, name);
      }

      const response = await raw('GET', `/secrets/${name}/versions?api-version=7.5`);
      assert.equal(response.status, 200);
      assert.equal(response.json.value.length, 3);
      for (const item of response.json.value) {
        assert.equal('value' in item, false);
        assert.match(item.id, new RegExp(`/secrets/${name}/[0-9a-f]{32}$`));
      }
    });

    it('pages versions with maxresults and a nextLink', async () => {
      const name = uniqueName();
      for (let i = 0; i < 4; i++) await client.setSecret(name, `v${i}`);
      const first = await raw('GET', `/secrets/${name}/versions?api-version=7.5&maxresults=3`);
      assert.equal(first.json.value.length, 3);
      assert.ok(first.json.nextLink);
      const second = await server.request('GET', first.json.nextLink, { token });
      assert.equal(second.status, 200);
      assert.equal(second.json.value.length, 1);
      assert.equal(second.json.nextLink ?? null, null);
      const ids = [...first.json.value, ...second.json.value].map((item: { id: string }) => item.id);
      assert.equal(new Set(ids).size, 4);
      assert.equal((await collect(client.listPropertiesOfSecretVersions(name).byPage({ maxPageSize: 1 }))).length, 4);
    });

    it('shows the attributes of each version', async () => {
      const name = uniqueName();
      const old = await client.setSecret(name, 'old', { contentType: 'old', enabled: false });
      const latest = await client.setSecret(name, 'new', { contentType: 'new' });
      const versions = await collect(client.listPropertiesOfSecretVersions(name));
      const byVersion = new Map(versions.map((p) => [p.version, p]));
      assert.equal(byVersion.get(old.properties.version)?.contentType, 'old');
      assert.equal(byVersion.get(old.properties.version)?.enabled, false);
      assert.equal(byVersion.get(latest.properties.version)?.contentType, 'new');
      assert.equal(byVersion.get(latest.properties.version)?.enabled, true);
    });

    it('answers an empty list for an unknown name', async () => {
      assert.deepEqual(await collect(client.listPropertiesOfSecretVersions(uniqueName())), []);
      const response = await raw('GET', `/secrets/${uniqueName()}/versions?api-version=7.5`);
      assert.equal(response.status, 200);
      assert.deepEqual(response.json.value, []);
      assert.equal(response.json.nextLink ?? null, null);
    });
  });
});
