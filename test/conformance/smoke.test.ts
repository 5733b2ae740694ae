import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

describe('SecretClient against a named vault', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
    await server.cli('vault', 'create', 'payroll');
  });
  after(() => server.dispose());

  it('sets and gets a secret at NAME.vault.localhost with resource verification on', async () => {
    const client = server.secretClient({ vault: 'payroll' });
    const name = uniqueName();
    const set = await client.setSecret(name, 'v1');
    const got = await client.getSecret(name);
    assert.equal(got.value, 'v1');
    assert.equal(got.properties.version, set.properties.version);
    assert.equal(got.properties.vaultUrl, `https://payroll.vault.localhost:${server.port}`);
  });
});
