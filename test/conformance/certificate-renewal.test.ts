// Certificate AutoRenew through CertificateClient: the scheduler renews a certificate when its lifetime action's
// trigger comes, with the development clock moving the server's object time forward instead of the test waiting.
// That it renews once, and the other lifetime-action rules, are pinned on an injected clock by
// src/domain/certificates/certificate-renewal.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WellKnownIssuer, type CertificateClient } from '@azure/keyvault-certificates';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';
import { collect, eventually } from '../support/waiting.js';

const DAY = 86_400;

describe('CertificateClient lifetime actions and retention with the development clock', () => {
  let server: TestServer;
  let client: CertificateClient;
  let token: string;

  before(async () => {
    server = await startServer({ args: ['--dev-clock', '--rotation-interval', '1', '--purge-interval', '1'] });
    client = server.certificateClient();
    token = await server.adminToken();
  });
  after(() => server.dispose());

  it('renews a certificate with AutoRenew at 80% of a one-month validity once 25 days have passed', async () => {
    const name = uniqueName('c');
    const poller = await client.beginCreateCertificate(name, {
      issuerName: WellKnownIssuer.Self,
      subject: 'CN=renewed.example.test',
      validityInMonths: 1,
      lifetimeActions: [{ action: 'AutoRenew', lifetimePercentage: 80 }],
    }, { intervalInMs: 50 } as any);
    const first = await poller.pollUntilDone();
    assert.deepEqual(first.policy?.lifetimeActions, [{ action: 'AutoRenew', lifetimePercentage: 80, daysBeforeExpiry: undefined }]);
    const versions = async () => (await collect(client.listPropertiesOfCertificateVersions(name))).length;
    assert.equal(await versions(), 1);

    const moved = await server.request('POST', `${server.vaultUrl()}/_coffer/dev/clock?api-version=7.5`, { token, body: { advanceSeconds: 25 * DAY } });
    assert.equal(moved.status, 200, moved.text);
    await eventually('the certificate to be renewed', async () => (await versions()) === 2);

    const latest = await client.getCertificate(name);
    assert.notEqual(latest.properties.version, first.properties.version);
    assert.ok(latest.cer && latest.cer.length > 0, 'the renewed version is issued, not pending');
    const firstNotBefore = first.properties.notBefore!.getTime() / 1000;
    const renewedNotBefore = latest.properties.notBefore!.getTime() / 1000;
    assert.ok(renewedNotBefore - firstNotBefore >= 25 * DAY - 60, `issued on the development clock (${renewedNotBefore - firstNotBefore} s later)`);
    assert.equal((await client.getCertificateOperation(name)).getOperationState().certificateOperation?.status, 'completed');
  });

  it('purges a deleted certificate when its retention ends, with its key, secret and policy', async () => {
    const name = uniqueName('r');
    await (await client.beginCreateCertificate(name, { issuerName: 'Self', subject: 'CN=retired.example.test' }, { intervalInMs: 50 } as any)).pollUntilDone();
    await (await client.beginDeleteCertificate(name, { intervalInMs: 50 } as any)).pollUntilDone();
    const moved = await server.request('POST', `${server.vaultUrl()}/_coffer/dev/clock?api-version=7.5`, { token, body: { advanceSeconds: 91 * DAY } });
    assert.equal(moved.status, 200, moved.text);
    const gone = async (path: string) => (await server.request('GET', `${server.vaultUrl()}${path}?api-version=7.5`, { token })).status === 404;
    await eventually('the retention scheduler to purge the certificate', async () => gone(`/deletedcertificates/${name}`));
    assert.ok(await gone(`/deletedkeys/${name}`), 'its key is purged');
    assert.ok(await gone(`/deletedsecrets/${name}`), 'its secret is purged');

    // The name starts fresh: a create without a policy gets the default one, not the purged certificate's.
    const created = await server.request('POST', `${server.vaultUrl()}/certificates/${name}/create?api-version=7.5`, { token, body: {} });
    assert.equal(created.status, 202, created.text);
    await eventually('the new certificate to be issued', async () => (await client.getCertificateOperation(name)).getOperationState().certificateOperation?.status === 'completed');
    assert.equal((await client.getCertificatePolicy(name)).subject, 'cn=MyCert');
  });
});
