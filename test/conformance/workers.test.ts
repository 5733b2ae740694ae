// With --workers 2 the cluster spreads new connections over both workers; whatever one worker changes must be
// seen by the very next request on the other (issue 3). Each request here opens its own connection.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';

describe('coffer serve --workers 2', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startServer({ args: ['--workers', '2'] });
    token = await server.adminToken();
  });
  after(() => server.dispose());

  /** One request on a new connection (a fresh agent), so successive calls land on alternating workers. */
  async function freshRequest(method: string, path: string, body?: unknown, timeoutMs = 10_000) {
    const agent = new https.Agent({ ca: server.ca, keepAlive: false });
    try {
      return await new Promise<{ status: number; json: any }>((resolve, reject) => {
        const text = body === undefined ? undefined : JSON.stringify(body);
        const req = https.request(
          { host: '127.0.0.1', servername: 'localhost', port: server.port, path, method, agent,
            headers: { host: `localhost:${server.port}`, authorization: `Bearer ${token}`, ...(text === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }) } },
          (res) => {
            let data = '';
            res.on('data', (chunk: Buffer) => (data += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, json: data === '' ? undefined : JSON.parse(data) }));
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(text);
      });
    } finally {
      agent.destroy();
    }
  }

  it('serves every request from either worker with the latest version, right after each change', async () => {
    const name = uniqueName('workers');
    for (let round = 0; round < 6; round++) {
      const set = await freshRequest('PUT', `/secrets/${name}?api-version=7.5`, { value: `round ${round}` });
      assert.equal(set.status, 200);
      for (let read = 0; read < 4; read++) {
        const got = await freshRequest('GET', `/secrets/${name}?api-version=7.5`);
        assert.equal(got.json.value, `round ${round}`);
        assert.equal(got.json.id, set.json.id);
      }
    }
  });

  it('refuses a secret on every worker as soon as one worker disabled it', async () => {
    const name = uniqueName('workers');
    const set = await freshRequest('PUT', `/secrets/${name}?api-version=7.5`, { value: 'soon disabled' });
    const version = set.json.id.split('/').pop();
    assert.equal((await freshRequest('PATCH', `/secrets/${name}/${version}?api-version=7.5`, { attributes: { enabled: false } })).status, 200);
    for (let read = 0; read < 6; read++) {
      const got = await freshRequest('GET', `/secrets/${name}?api-version=7.5`);
      assert.equal(got.status, 403);
      assert.equal(got.json.error.code, 'Forbidden');
    }
  });

  /** The primary's worker processes, read from /proc (node:cluster workers are its children). */
  function workerPids(): number[] {
    return readFileSync(`/proc/${server.pid()}/task/${server.pid()}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  }

  it('replaces a worker that dies, and keeps answering meanwhile', async () => {
    const before = workerPids();
    assert.equal(before.length, 2);
    process.kill(before[0]!, 'SIGKILL');
    // The surviving worker answers while the replacement starts. A connection the primary hands to the dying
    // worker at that very moment gets no answer (a limit of node:cluster's round-robin); a client's timeout and
    // retry, as the Azure SDK's retry policy does, gets through.
    const name = uniqueName('workers');
    let put: { status: number } | undefined;
    for (let attempt = 0; attempt < 3 && put === undefined; attempt++) {
      put = await freshRequest('PUT', `/secrets/${name}?api-version=7.5`, { value: 'still served' }, 3000).catch(() => undefined);
    }
    assert.equal(put?.status, 200);
    let after = workerPids();
    for (let attempt = 0; attempt < 100 && !(after.length === 2 && !after.includes(before[0]!)); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = workerPids();
    }
    assert.equal(after.length, 2, `workers after the kill: ${after.join(', ')}`);
    assert.ok(!after.includes(before[0]!));
    for (let read = 0; read < 4; read++) assert.equal((await freshRequest('GET', `/secrets/${name}?api-version=7.5`)).json.value, 'still served');
  });

  it('serves a vault created by the CLI on every worker at once, and forgets a deleted one at once', async () => {
    // Asked for first while it does not exist, so both workers hold the miss in their vault cache.
    for (let read = 0; read < 4; read++) {
      const response = await server.request('GET', `https://fresh.vault.localhost:${server.port}/secrets?api-version=7.5`, { token });
      assert.equal(response.status, 404);
    }
    await server.cli('vault', 'create', 'fresh');
    for (let read = 0; read < 4; read++) {
      const response = await server.request('GET', `https://fresh.vault.localhost:${server.port}/secrets?api-version=7.5`, { token });
      assert.equal(response.status, 200);
    }
    await server.cli('vault', 'delete', 'fresh');
    for (let read = 0; read < 4; read++) {
      const response = await server.request('GET', `https://fresh.vault.localhost:${server.port}/secrets?api-version=7.5`, { token });
      assert.equal(response.status, 404);
      assert.equal(response.json.error.code, 'VaultNotFound');
    }
  });
});
