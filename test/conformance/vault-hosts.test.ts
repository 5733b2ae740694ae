// Vault selection by Host, as Azure does it: NAME.<dns suffix> is vault NAME, localhost and IP literals are the
// default vault, anything else is an Azure-shaped 404; object ids are built from the Host the client used.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { serverStore, type ServerStore } from '../support/server-store.js';
import { serverEntry, startServer, uniqueName, type RawResponse, type TestServer } from '../support/start-server.js';

const apiVersion = '7.5';
const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** Connects to 127.0.0.1 (TLS name localhost) and sends the given Host header, as a client addressing that host would. */
function requestWithHost(server: TestServer, method: string, hostHeader: string, pathAndQuery: string, opts: { token?: string; body?: unknown } = {}): Promise<RawResponse> {
  return server.request(method, `https://127.0.0.1:${server.port}${pathAndQuery}`, { ...opts, headers: { host: hostHeader }, servername: 'localhost' });
}

/** Runs the CLI and answers its exit code and output, for commands expected to fail (server.cli throws on those). */
async function cliResult(server: TestServer, store: ServerStore, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [serverEntry, ...args, '--data-dir', server.dataDir], { cwd: repoRoot, env: { ...process.env, ...store.env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function assertVaultNotFound(response: RawResponse, host: string) {
  assert.equal(response.status, 404, response.text);
  assert.equal(response.json?.error?.code, 'VaultNotFound');
  assert.equal(typeof response.json.error.message, 'string');
  assert.ok(response.json.error.message.includes(host), response.json.error.message);
  assert.equal(response.headers['www-authenticate'], undefined);
  assert.equal(typeof response.headers['x-ms-request-id'], 'string');
}

describe('vault selection by Host', () => {
  let server: TestServer;
  let store: ServerStore;
  let token: string;

  before(async () => {
    store = await serverStore();
    server = await startServer(store.startOptions);
    await server.cli('vault', 'create', 'payroll');
    await server.cli('vault', 'create', 'billing');
    token = await server.adminToken();
  });
  after(async () => {
    await server?.dispose();
    await store?.dispose();
  });

  describe('SecretClient on NAME.vault.localhost', () => {
    it('keeps a named vault and the default vault apart, both ways', async () => {
      const payroll = server.secretClient({ vault: 'payroll' });
      const fallback = server.secretClient();
      const inPayroll = uniqueName();
      const inDefault = uniqueName();
      await payroll.setSecret(inPayroll, 'payroll-value');
      await fallback.setSecret(inDefault, 'default-value');

      assert.equal((await payroll.getSecret(inPayroll)).value, 'payroll-value');
      assert.equal((await fallback.getSecret(inDefault)).value, 'default-value');
      for (const [client, name] of [[fallback, inPayroll], [payroll, inDefault]] as const) {
        await assert.rejects(client.getSecret(name), (error: any) => {
          assert.equal(error.statusCode, 404);
          assert.equal(error.code, 'SecretNotFound');
          return true;
        });
      }
    });

    it('keeps two named vaults apart: one name, two secrets', async () => {
      const name = uniqueName();
      await server.secretClient({ vault: 'payroll' }).setSecret(name, 'in-payroll');
      await server.secretClient({ vault: 'billing' }).setSecret(name, 'in-billing');
      assert.equal((await server.secretClient({ vault: 'payroll' }).getSecret(name)).value, 'in-payroll');
      assert.equal((await server.secretClient({ vault: 'billing' }).getSecret(name)).value, 'in-billing');
      const payrollNames: string[] = [];
      for await (const properties of server.secretClient({ vault: 'payroll' }).listPropertiesOfSecrets()) payrollNames.push(properties.name);
      assert.ok(payrollNames.includes(name));
    });

    it('returns ids and vaultUrl on the host and port it was called at', async () => {
      const name = uniqueName();
      const set = await server.secretClient({ vault: 'payroll' }).setSecret(name, 'v');
      assert.equal(set.properties.id, `https://payroll.vault.localhost:${server.port}/secrets/${name}/${set.properties.version}`);
      assert.equal(set.properties.vaultUrl, `https://payroll.vault.localhost:${server.port}`);
    });
  });

  describe('the default vault', () => {
    it('is served at localhost and at 127.0.0.1, with ids on the address used', async () => {
      const name = uniqueName();
      const viaName = await server.request('PUT', `https://localhost:${server.port}/secrets/${name}?api-version=${apiVersion}`, { token, body: { value: 'shared' } });
      assert.equal(viaName.status, 200, viaName.text);
      assert.equal(viaName.json.id, `https://localhost:${server.port}/secrets/${name}/${viaName.json.id.split('/').pop()}`);

      const viaIp = await server.request('GET', `https://127.0.0.1:${server.port}/secrets/${name}?api-version=${apiVersion}`, { token });
      assert.equal(viaIp.status, 200, viaIp.text);
      assert.equal(viaIp.json.value, 'shared');
      assert.equal(viaIp.json.id, viaName.json.id.replace(`https://localhost:${server.port}`, `https://127.0.0.1:${server.port}`));

      const viaV6 = await requestWithHost(server, 'GET', `[::1]:${server.port}`, `/secrets/${name}?api-version=${apiVersion}`, { token });
      assert.equal(viaV6.status, 200, viaV6.text);
      assert.equal(viaV6.json.id, viaName.json.id.replace(`https://localhost:${server.port}`, `https://[::1]:${server.port}`));
    });

    it('is named in list results and nextLinks by the host used', async () => {
      for (const name of [uniqueName(), uniqueName()]) {
        const set = await server.request('PUT', `https://127.0.0.1:${server.port}/secrets/${name}?api-version=${apiVersion}`, { token, body: { value: 'x' } });
        assert.equal(set.status, 200, set.text);
      }
      const list = await server.request('GET', `https://127.0.0.1:${server.port}/secrets?api-version=${apiVersion}&maxresults=1`, { token });
      assert.equal(list.status, 200, list.text);
      for (const item of list.json.value) assert.ok(item.id.startsWith(`https://127.0.0.1:${server.port}/secrets/`), item.id);
      assert.equal(list.json.value.length, 1);
      assert.ok(list.json.nextLink.startsWith(`https://127.0.0.1:${server.port}/secrets?`), list.json.nextLink);
    });
  });

  describe('Host header forms', () => {
    it('selects the vault whatever the case of the Host header', async () => {
      const name = uniqueName();
      await server.secretClient({ vault: 'payroll' }).setSecret(name, 'cased');
      const response = await requestWithHost(server, 'GET', `PayRoll.Vault.LOCALHOST:${server.port}`, `/secrets/${name}?api-version=${apiVersion}`, { token });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.value, 'cased');
      assert.equal(new URL(response.json.id).host, `payroll.vault.localhost:${server.port}`);
    });

    it('builds ids without a port when the Host header has none (a proxy on 443)', async () => {
      const name = uniqueName();
      const response = await requestWithHost(server, 'PUT', 'payroll.vault.localhost', `/secrets/${name}?api-version=${apiVersion}`, { token, body: { value: 'p' } });
      assert.equal(response.status, 200, response.text);
      assert.match(response.json.id, new RegExp(`^https://payroll\\.vault\\.localhost/secrets/${name}/[0-9a-f]{32}$`));
    });

    it('challenges with the resource of the Host it was called at', async () => {
      const response = await requestWithHost(server, 'GET', 'payroll.vault.localhost', `/secrets/x?api-version=${apiVersion}`);
      assert.equal(response.status, 401);
      assert.equal(response.headers['www-authenticate'], `Bearer authorization="${server.credentials.authorityHost}/${server.credentials.tenantId}", resource="https://vault.localhost"`);
    });
  });

  describe('hosts that name no vault', () => {
    it('answers an unknown vault host with 404 VaultNotFound, before authentication', async () => {
      // Vault resolution runs before authentication (as in Azure, where an unknown vault does not even resolve in
      // DNS), so the unauthenticated caller gets the 404, not a challenge for a vault that is not there.
      const withoutToken = await server.request('GET', `https://nosuch.vault.localhost:${server.port}/secrets/x?api-version=${apiVersion}`);
      assertVaultNotFound(withoutToken, 'nosuch.vault.localhost');
      const withToken = await server.request('GET', `https://nosuch.vault.localhost:${server.port}/secrets/x?api-version=${apiVersion}`, { token });
      assertVaultNotFound(withToken, 'nosuch.vault.localhost');
      const bodilessPut = await server.request('PUT', `https://nosuch.vault.localhost:${server.port}/secrets/x?api-version=${apiVersion}`, {
        headers: { 'content-type': 'application/json', 'content-length': '0' },
      });
      assertVaultNotFound(bodilessPut, 'nosuch.vault.localhost');
    });

    it('surfaces to SecretClient as a RestError 404 VaultNotFound', async () => {
      await assert.rejects(server.secretClient({ vault: 'nosuch' }).getSecret('x'), (error: any) => {
        assert.equal(error.statusCode, 404);
        assert.equal(error.code, 'VaultNotFound');
        return true;
      });
    });

    it('answers hosts outside the DNS suffix, the bare suffix and nested labels with 404 VaultNotFound', async () => {
      for (const host of ['foo.example.com', 'vault.localhost', 'a.payroll.vault.localhost', 'payroll.vault.localhost.evil.com', 'localhostx']) {
        for (const withToken of [true, false]) {
          const response = await requestWithHost(server, 'GET', `${host}:${server.port}`, `/secrets/x?api-version=${apiVersion}`, withToken ? { token } : {});
          assertVaultNotFound(response, host);
        }
      }
    });

    it('writes nothing through a host that names no vault', async () => {
      const name = uniqueName();
      const response = await requestWithHost(server, 'PUT', `foo.example.com:${server.port}`, `/secrets/${name}?api-version=${apiVersion}`, { token, body: { value: 'lost' } });
      assertVaultNotFound(response, 'foo.example.com');
      const check = await server.request('GET', `https://localhost:${server.port}/secrets/${name}?api-version=${apiVersion}`, { token });
      assert.equal(check.status, 404);
      assert.equal(check.json.error.code, 'SecretNotFound');
    });
  });

  describe('coffer vault list / delete', () => {
    it('lists the default vault and the vaults created', async () => {
      const vaults = (await server.cli('vault', 'list')) as Array<{ name: string }>;
      const names = vaults.map((vault) => vault.name);
      for (const name of ['default', 'payroll', 'billing']) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    });

    it('soft-deletes a vault: its host answers 404, the name stays held until purged, then a new vault of that name starts empty', async () => {
      await server.cli('vault', 'create', 'shortlived');
      const name = uniqueName();
      await server.secretClient({ vault: 'shortlived' }).setSecret(name, 'gone soon');
      assert.deepEqual(await server.cli('vault', 'delete', 'shortlived'), { deleted: 'shortlived' });

      const names = ((await server.cli('vault', 'list')) as Array<{ name: string }>).map((vault) => vault.name);
      assert.ok(!names.includes('shortlived'));
      const afterDelete = await server.request('GET', `https://shortlived.vault.localhost:${server.port}/secrets/${name}?api-version=${apiVersion}`, { token });
      assertVaultNotFound(afterDelete, 'shortlived.vault.localhost');
      const held = await cliResult(server, store, 'vault', 'create', 'shortlived');
      assert.notEqual(held.code, 0, 'a soft-deleted vault holds its name');

      assert.deepEqual(await server.cli('vault', 'purge', 'shortlived'), { purged: 'shortlived' });
      await server.cli('vault', 'create', 'shortlived');
      const recreated = await server.request('GET', `https://shortlived.vault.localhost:${server.port}/secrets/${name}?api-version=${apiVersion}`, { token });
      assert.equal(recreated.status, 404, recreated.text);
      assert.equal(recreated.json.error.code, 'SecretNotFound');
    });

    it("refuses to delete 'default' (non-zero exit) and the default vault keeps serving", async () => {
      const name = uniqueName();
      await server.secretClient().setSecret(name, 'still here');
      const result = await cliResult(server, store, 'vault', 'delete', 'default');
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /default/);
      assert.ok(!result.stderr.includes('    at '), 'no stack trace');
      assert.equal((await server.secretClient().getSecret(name)).value, 'still here');
    });

    it('refuses to delete a vault that does not exist (non-zero exit)', async () => {
      const result = await cliResult(server, store, 'vault', 'delete', 'neverexisted');
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /neverexisted/);
    });
  });
});
