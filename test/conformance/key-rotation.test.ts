// Key rotation through KeyClient (rotation policy get/set, rotateKey) and the scheduler acting on a policy, with
// the development clock moving the server's object time forward instead of the test waiting for days.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KeyClient } from '@azure/keyvault-keys';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';
import { collect, eventually } from '../support/waiting.js';

const DAY = 86_400;

describe('key rotation with the development clock', () => {
  let server: TestServer;
  let client: KeyClient;
  let token: string;
  const clockUrl = () => `${server.vaultUrl()}/_coffer/dev/clock?api-version=7.5`;
  const advance = async (seconds: number) => {
    const response = await server.request('POST', clockUrl(), { token, body: { advanceSeconds: seconds } });
    assert.equal(response.status, 200, response.text);
    return response.json as { nowUnix: number; offsetSeconds: number };
  };

  before(async () => {
    server = await startServer({ args: ['--dev-clock', '--rotation-interval', '1'] });
    client = server.keyClient();
    token = await server.adminToken();
  });
  after(() => server.dispose());

  it('announces the development clock loudly at start', () => {
    assert.match(server.output(), /DEVELOPMENT CLOCK IS ON/);
  });

  it('answers Azure\'s default policy for a key without one, and 404 for a missing key', async () => {
    const name = uniqueName('k');
    await client.createEcKey(name);
    const policy = await client.getKeyRotationPolicy(name);
    assert.deepEqual(
      policy.lifetimeActions?.map((a) => [a.action, a.timeAfterCreate, a.timeBeforeExpiry]),
      [['Notify', undefined, 'P30D']],
    );
    await assert.rejects(client.getKeyRotationPolicy(uniqueName('missing')), (error: any) => error.statusCode === 404 && error.code === 'KeyNotFound');
  });

  it('sets and reads a policy, and refuses one Azure refuses without changing the stored one', async () => {
    const name = uniqueName('k');
    await client.createRsaKey(name);
    const set = await client.updateKeyRotationPolicy(name, { lifetimeActions: [{ action: 'Rotate', timeAfterCreate: 'P30D' }], expiresIn: 'P90D' });
    assert.equal(set.expiresIn, 'P90D');
    assert.ok(set.createdOn instanceof Date && set.updatedOn instanceof Date);
    const read = await client.getKeyRotationPolicy(name);
    const rotate = read.lifetimeActions?.find((action) => action.action === 'Rotate');
    assert.deepEqual([rotate?.timeAfterCreate, rotate?.timeBeforeExpiry], ['P30D', undefined]);
    assert.match(read.id ?? '', new RegExp(`/keys/${name}/rotationpolicy$`));
    // expiryTime under 28 days is refused, and the stored policy stays as it was.
    await assert.rejects(
      client.updateKeyRotationPolicy(name, { lifetimeActions: [{ action: 'Rotate', timeAfterCreate: 'P7D' }], expiresIn: 'P10D' }),
      (error: any) => error.statusCode === 400 && error.code === 'BadParameter',
    );
    assert.equal((await client.getKeyRotationPolicy(name)).expiresIn, 'P90D');
  });

  it('rotates on demand to a new version of the same kind, expiring as the policy says', async () => {
    const name = uniqueName('k');
    const first = await client.createRsaKey(name, { keySize: 3072, keyOps: ['sign', 'verify'] });
    await client.updateKeyRotationPolicy(name, { lifetimeActions: [{ action: 'Rotate', timeAfterCreate: 'P60D' }], expiresIn: 'P90D' });
    const rotated = await client.rotateKey(name);
    assert.notEqual(rotated.properties.version, first.properties.version);
    assert.equal(rotated.key?.n?.length, 384);
    assert.deepEqual(rotated.keyOperations, ['sign', 'verify']);
    const expires = rotated.properties.expiresOn!.getTime() / 1000;
    const created = rotated.properties.createdOn!.getTime() / 1000;
    assert.ok(Math.abs(expires - created - 90 * DAY) <= 2, `expires ${expires - created} s after creation`);
    assert.equal((await client.getKey(name)).properties.version, rotated.properties.version);
  });

  it('the scheduler rotates a key once its timeAfterCreate has passed on the development clock', async () => {
    const name = uniqueName('k');
    await client.createEcKey(name, { curve: 'P-384' });
    await client.updateKeyRotationPolicy(name, { lifetimeActions: [{ action: 'Rotate', timeAfterCreate: 'P30D' }], expiresIn: 'P60D' });
    const versions = async () => (await collect(client.listPropertiesOfKeyVersions(name))).length;
    assert.equal(await versions(), 1);

    const clock = await advance(31 * DAY);
    assert.ok(clock.offsetSeconds >= 31 * DAY);
    await eventually('the key to be rotated', async () => (await versions()) === 2);
    const latest = await client.getKey(name);
    assert.equal(latest.key?.crv, 'P-384');
    // That it rotates once and not on every pass is pinned by src/domain/keys/key-rotation.test.ts, on an
    // injected clock.
  });

  it('moves expiry: an expired key stops signing, and the clock only moves forward', async () => {
    const name = uniqueName('k');
    const now = (await server.request('GET', clockUrl(), { token })).json.nowUnix as number;
    const key = await client.createEcKey(name, { expiresOn: new Date((now + 2 * DAY) * 1000) });
    const crypto = server.cryptographyClient(key.id!);
    const digest = Buffer.alloc(32, 1);
    const signature = (await crypto.sign('ES256', digest)).result;
    await advance(3 * DAY);
    await assert.rejects(crypto.sign('ES256', digest), (error: any) => error.statusCode === 403);
    assert.equal((await crypto.verify('ES256', digest, signature)).result, true);
    const backwards = await server.request('POST', clockUrl(), { token, body: { advanceSeconds: -DAY } });
    assert.equal(backwards.status, 400);
  });

  it('only the administrator may move the clock', async () => {
    const reader = (await server.cli('principal', 'create', uniqueName('reader'))) as { clientId: string; clientSecret: string };
    const readerToken = (await server.credential(reader).getToken(`https://vault.localhost:${server.port}/.default`)).token;
    const response = await server.request('POST', clockUrl(), { token: readerToken, body: { advanceSeconds: DAY } });
    assert.equal(response.status, 403);
  });
});

describe('without --dev-clock', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.dispose());

  it('has no clock control at all', async () => {
    const token = await server.adminToken();
    const response = await server.request('POST', `${server.vaultUrl()}/_coffer/dev/clock?api-version=7.5`, { token, body: { advanceSeconds: 86_400 } });
    assert.equal(response.status, 404);
    assert.doesNotMatch(server.output(), /DEVELOPMENT CLOCK/);
  });
});
