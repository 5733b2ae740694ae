// The api-version query parameter as Azure's data plane treats it: mandatory, one of the published versions,
// its key possibly percent-encoded; plus the trailing-slash read of the latest version and an older SDK.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SecretClient, type SecretProperties } from '@azure/keyvault-secrets';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

const SUPPORTED = ['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01', '2026-04-01'];

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('api-version', () => {
  let server: TestServer;
  let token: string;

  const raw = (method: string, pathAndQuery: string, body?: unknown) =>
    server.request(method, `${server.vaultUrl()}${pathAndQuery}`, { token, ...(body === undefined ? {} : { body }) });

  function assertBadParameter(response: { status: number; json: any }, what: string) {
    assert.equal(response.status, 400, what);
    assert.equal(response.json?.error?.code, 'BadParameter', what);
    assert.equal(typeof response.json.error.message, 'string');
  }

  before(async () => {
    server = await startServer();
    token = await server.adminToken();
  });
  after(() => server.dispose());

  describe('SetSecret and GetSecret over raw HTTP', () => {
    for (const version of SUPPORTED) {
      it(`accepts api-version=${version} for a PUT and then a GET`, async () => {
        const name = uniqueName();
        const put = await raw('PUT', `/secrets/${name}?api-version=${version}`, { value: `at ${version}` });
        assert.equal(put.status, 200);
        assert.equal(put.json.value, `at ${version}`);
        assert.match(put.json.id, new RegExp(`^${server.vaultUrl().replaceAll('.', '\\.')}/secrets/${name}/[0-9a-f]{32}$`));

        const get = await raw('GET', `/secrets/${name}?api-version=${version}`);
        assert.equal(get.status, 200);
        assert.equal(get.json.value, `at ${version}`);
        assert.equal(get.json.id, put.json.id);
        assert.equal(get.json.attributes.enabled, true);
        assert.ok(Number.isInteger(get.json.attributes.created));
      });
    }

    it('answers 400 BadParameter when api-version is missing', async () => {
      const name = uniqueName();
      assertBadParameter(await raw('PUT', `/secrets/${name}`, { value: 'v' }), 'PUT without api-version');
      assertBadParameter(await raw('PUT', `/secrets/${name}?api-version=`, { value: 'v' }), 'PUT with an empty api-version');
      assertBadParameter(await raw('GET', '/secrets'), 'list without api-version');
      assert.equal((await raw('GET', `/secrets/${name}?api-version=7.5`)).status, 404, 'nothing was created');
    });

    for (const version of ['7.9', '2024-01-01']) {
      it(`answers 400 BadParameter for api-version=${version}`, async () => {
        const name = uniqueName();
        assertBadParameter(await raw('PUT', `/secrets/${name}?api-version=${version}`, { value: 'v' }), `PUT at ${version}`);
        assertBadParameter(await raw('GET', `/secrets?api-version=${version}`), `list at ${version}`);
        assert.equal((await raw('GET', `/secrets/${name}?api-version=7.5`)).status, 404, 'nothing was created');
      });
    }

    it('accepts a percent-encoded query key (api%2Dversion=7.5)', async () => {
      const name = uniqueName();
      const put = await raw('PUT', `/secrets/${name}?api%2Dversion=7.5`, { value: 'encoded' });
      assert.equal(put.status, 200);
      const get = await raw('GET', `/secrets/${name}?api%2dversion=7.5`);
      assert.equal(get.status, 200);
      assert.equal(get.json.value, 'encoded');
    });

    it('reads the latest version at /secrets/NAME/ (trailing slash)', async () => {
      const name = uniqueName();
      await raw('PUT', `/secrets/${name}?api-version=7.5`, { value: 'first' });
      const second = await raw('PUT', `/secrets/${name}?api-version=7.5`, { value: 'second' });
      const get = await raw('GET', `/secrets/${name}/?api-version=7.5`);
      assert.equal(get.status, 200);
      assert.equal(get.json.value, 'second');
      assert.equal(get.json.id, second.json.id);
    });
  });

  describe('SecretClient with serviceVersion 7.4', () => {
    it('works end to end and sends api-version=7.4', async () => {
      const vault = uniqueName('av');
      await server.cli('vault', 'create', vault);
      const sent = new Set<string>();
      const recordApiVersion: PipelinePolicy = {
        name: 'recordApiVersion',
        sendRequest(request, next) {
          const apiVersion = new URL(request.url).searchParams.get('api-version');
          if (apiVersion !== null) sent.add(apiVersion);
          return next(request);
        },
      };
      const client = new SecretClient(server.vaultUrl(vault), server.credential(), {
        serviceVersion: '7.4',
        agent: server.agent,
        retryOptions: { maxRetries: 0 },
        additionalPolicies: [{ policy: recordApiVersion, position: 'perCall' }],
      } as any);

      const name = uniqueName();
      const first = await client.setSecret(name, 'one', { contentType: 'text/plain' });
      await client.setSecret(name, 'two');
      assert.equal((await client.getSecret(name)).value, 'two');
      assert.equal((await client.getSecret(name, { version: first.properties.version! })).value, 'one');
      const updated: SecretProperties = await client.updateSecretProperties(name, first.properties.version!, { tags: { at: '7.4' } });
      assert.deepEqual(updated.tags, { at: '7.4' });
      assert.equal((await collect(client.listPropertiesOfSecrets())).length, 1);
      assert.equal((await collect(client.listPropertiesOfSecretVersions(name))).length, 2);

      const backup = await client.backupSecret(name);
      assert.ok(backup, 'backupSecret returned bytes');
      const deleted = await (await client.beginDeleteSecret(name)).pollUntilDone();
      assert.equal(deleted.recoveryId, `${server.vaultUrl(vault)}/deletedsecrets/${name}`);
      assert.equal((await collect(client.listDeletedSecrets())).length, 1);
      await (await client.beginRecoverDeletedSecret(name)).pollUntilDone();
      assert.equal((await client.getSecret(name)).value, 'two');

      await (await client.beginDeleteSecret(name)).pollUntilDone();
      await client.purgeDeletedSecret(name);
      const restored = await client.restoreSecretBackup(backup);
      assert.equal(restored.name, name);
      assert.equal((await client.getSecret(name)).value, 'two');

      assert.deepEqual([...sent], ['7.4']);
    });
  });
});
