// A vault's firewall on the data plane, against a real Coffer started with a trusted reverse proxy (127.0.0.1) and two
// private listeners (127.0.0.2:PORT and a Unix socket). Vaults are configured through @azure/arm-keyvault; requests
// come from the official SecretClient and from raw HTTPS where the test must choose the source address (IPv4 or IPv6,
// directly or through the proxy's X-Forwarded-For) or the listener.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KeyVaultManagementClient, type NetworkRuleSet, type VaultProperties } from '@azure/arm-keyvault';
import { SecretClient } from '@azure/keyvault-secrets';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { freePort, startServer, type RawResponse, type TestServer } from '../support/start-server.js';

const GROUP = 'network-tests';
const VALUE = 'network-rules-value';

function vaultName(): string {
  return `n${randomBytes(5).toString('hex')}`;
}

describe('network rules on the data plane', () => {
  let server: TestServer;
  let socketDir: string;
  let socketPath: string;
  let privatePort: number;
  let client: KeyVaultManagementClient;
  let token: string;
  let trustedService: { clientId: string; clientSecret: string };
  let ordinary: { clientId: string; clientSecret: string };

  /** A vault made through ARM with these network properties, holding secret 's'. */
  async function createVault(properties: Partial<VaultProperties>): Promise<string> {
    const name = vaultName();
    await client.vaults.beginCreateOrUpdateAndWait(GROUP, name, {
      location: 'westus',
      properties: { tenantId: server.credentials.tenantId, sku: { family: 'A', name: 'standard' }, ...properties },
    });
    // Set up through the private listener, which no rule applies to.
    const created = await viaUnixSocket(name, 'PUT', '/secrets/s?api-version=7.5', { value: VALUE });
    assert.equal(created.status, 200, created.text);
    return name;
  }

  const setNetworkAcls = (name: string, networkAcls: NetworkRuleSet, publicNetworkAccess = 'Enabled') =>
    client.vaults.update(GROUP, name, { properties: { networkAcls, publicNetworkAccess } });

  /** GET secret 's' over the public listener from 127.0.0.1 (the trusted proxy), forwarding for `forwardedFor`. */
  const fromProxy = (name: string, forwardedFor?: string, bearer = token) =>
    server.request('GET', `https://${name}.vault.localhost:${server.port}/secrets/s?api-version=7.5`, {
      token: bearer,
      headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    });

  /** GET secret 's' over the public listener from ::1, which is not a trusted proxy. */
  const fromIpv6 = (name: string, forwardedFor?: string) =>
    server.request('GET', `https://[::1]:${server.port}/secrets/s?api-version=7.5`, {
      token,
      servername: `${name}.vault.localhost`,
      headers: { host: `${name}.vault.localhost:${server.port}`, ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }) },
    });

  /** A request through the private Unix-socket listener. */
  function viaUnixSocket(name: string, method: string, pathAndQuery: string, body?: unknown): Promise<RawResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = https.request(
        {
          socketPath,
          method,
          path: pathAndQuery,
          servername: `${name}.vault.localhost`,
          ca: server.ca,
          headers: {
            host: `${name}.vault.localhost`,
            authorization: `Bearer ${token}`,
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json: text === '' ? undefined : JSON.parse(text) }));
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  /** The official SecretClient on the private TCP listener: *.vault.localhost resolved to 127.0.0.2. */
  function privateSecretClient(name: string): SecretClient {
    const agent = new https.Agent({
      ca: server.ca,
      lookup: ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
        options.all ? callback(null, [{ address: '127.0.0.2', family: 4 }]) : callback(null, '127.0.0.2', 4)) as never,
    });
    return new SecretClient(`https://${name}.vault.localhost:${privatePort}`, server.credential(), { agent, retryOptions: { maxRetries: 0 } } as never);
  }

  const credentialOf = (principal: { clientId: string; clientSecret: string }) => server.credential(principal);

  const tokenOf = async (principal: { clientId: string; clientSecret: string }) =>
    (await credentialOf(principal).getToken(`https://vault.localhost:${server.port}/.default`)).token;

  function assertAllowed(response: RawResponse, context: string): void {
    assert.equal(response.status, 200, `${context}: ${response.text}`);
    assert.equal(response.json.value, VALUE, context);
  }

  /** Azure's firewall refusal: 403 Forbidden, inner ForbiddenByFirewall, the message naming the client address. */
  function assertFirewalled(response: RawResponse, clientAddress: string, context: string): void {
    assert.equal(response.status, 403, `${context}: ${response.text}`);
    assert.equal(response.json.error.code, 'Forbidden', context);
    assert.equal(response.json.error.innererror?.code, 'ForbiddenByFirewall', context);
    assert.ok(response.json.error.message.includes(`Client address: ${clientAddress}\r\n`), `${context}: ${response.json.error.message}`);
    assert.equal(response.json.error.message.includes(VALUE), false);
  }

  async function auditRecord(requestId: string): Promise<AuditEvent> {
    const dir = path.join(server.dataDir, 'audit');
    for (const file of await readdir(dir)) {
      for (const line of (await readFile(path.join(dir, file), 'utf8')).split('\n')) {
        if (line.includes(requestId)) return JSON.parse(line) as AuditEvent;
      }
    }
    assert.fail(`no audit record of request ${requestId}`);
  }

  before(async () => {
    socketDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-sock-'));
    socketPath = path.join(socketDir, 'private.sock');
    privatePort = await freePort();
    // '::' (every address, IPv4 as ::ffff:a.b.c.d) so that ::1 reaches it: 'localhost' may resolve to 127.0.0.1 alone.
    server = await startServer({ args: ['--workers', '1', '--host', '::', '--trusted-proxy', '127.0.0.1', '--private-listen', `127.0.0.2:${privatePort}`, socketPath] });
    const subscriptions = await server.request('GET', `https://localhost:${server.port}/subscriptions?api-version=2022-12-01`, {
      token: (await server.credential().getToken(`https://localhost:${server.port}/.default`)).token,
    });
    client = new KeyVaultManagementClient(server.credential(), subscriptions.json.value[0].subscriptionId, {
      endpoint: `https://localhost:${server.port}`,
      tlsOptions: { ca: server.ca },
      retryOptions: { maxRetries: 0 },
    } as never);
    token = await server.adminToken();
    trustedService = (await server.cli('principal', 'create', 'backup-service', '--trusted-service')) as typeof trustedService;
    ordinary = (await server.cli('principal', 'create', 'some-app')) as typeof ordinary;
  });
  after(async () => {
    await server.dispose();
    await rm(socketDir, { recursive: true, force: true });
  });

  it('announces the private listeners at start', () => {
    assert.match(server.output(), new RegExp(`private listener \\(exempt from vault firewalls\\): 127\\.0\\.0\\.2:${privatePort}`));
    assert.match(server.output(), new RegExp(`private listener \\(exempt from vault firewalls\\): unix:${socketPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('lets every address through a vault without network rules', async () => {
    const name = await createVault({});
    assertAllowed(await fromProxy(name), 'direct IPv4');
    assertAllowed(await fromProxy(name, '192.0.2.44'), 'forwarded');
    assertAllowed(await fromIpv6(name), 'direct IPv6');
    assert.equal((await server.secretClient({ vault: name }).getSecret('s')).value, VALUE);
  });

  it('with defaultAction Deny, admits IPv4 addresses and CIDRs in ipRules and refuses the rest, naming the address', async () => {
    const name = await createVault({ networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: [{ value: '203.0.113.7' }, { value: '198.51.100.0/24' }] } });
    assertAllowed(await fromProxy(name, '203.0.113.7'), 'exact address');
    assertAllowed(await fromProxy(name, '198.51.100.1'), 'CIDR, low end');
    assertAllowed(await fromProxy(name, '198.51.100.254'), 'CIDR, high end');
    assertFirewalled(await fromProxy(name, '203.0.113.8'), '203.0.113.8', 'next address');
    assertFirewalled(await fromProxy(name, '198.51.101.1'), '198.51.101.1', 'outside the CIDR');
    assertFirewalled(await fromProxy(name), '127.0.0.1', 'the proxy itself');
    // An IPv4-mapped IPv6 address is the IPv4 address it maps.
    assertAllowed(await fromProxy(name, '::ffff:203.0.113.7'), 'IPv4-mapped');
    // The official client from 127.0.0.1 is refused with Azure's error.
    await assert.rejects(server.secretClient({ vault: name }).getSecret('s'), (error: any) => {
      assert.equal(error.statusCode, 403);
      assert.equal(error.code, 'Forbidden');
      assert.match(error.message, /Client address: 127\.0\.0\.1/);
      return true;
    });
  });

  it('admits IPv6 addresses and CIDRs in ipRules, forwarded or direct', async () => {
    const name = await createVault({ networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '2001:db8:1::/48' }, { value: '2001:db8:ff::9' }] } });
    assertAllowed(await fromProxy(name, '2001:db8:1:abcd::1'), 'in the /48');
    assertAllowed(await fromProxy(name, '2001:DB8:FF:0:0:0:0:9'), 'exact address, other spelling');
    assertFirewalled(await fromProxy(name, '2001:db8:2::1'), '2001:db8:2::1', 'outside the /48');
    assertFirewalled(await fromIpv6(name), '::1', 'direct from ::1');

    await setNetworkAcls(name, { defaultAction: 'Deny', ipRules: [{ value: '::1' }] });
    assertAllowed(await fromIpv6(name), 'direct from ::1 once ::1 is a rule');
  });

  it('believes X-Forwarded-For only from trusted proxies, and only its rightmost untrusted entry', async () => {
    const name = await createVault({ networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '203.0.113.7' }] } });
    // The client prepended an allowed address; the proxy appended the real one, which decides.
    assertFirewalled(await fromProxy(name, '203.0.113.7, 192.0.2.9'), '192.0.2.9', 'spoofed left entry');
    // The proxy's own further hops (trusted) are skipped.
    assertAllowed(await fromProxy(name, '203.0.113.7, 127.0.0.1'), 'through two trusted hops');
    assertAllowed(await fromProxy(name, '203.0.113.7:51234'), 'entry with a port');
    // ::1 is not a trusted proxy: its header is ignored and its own address decides.
    assertFirewalled(await fromIpv6(name, '203.0.113.7'), '::1', 'header from an untrusted peer');
  });

  it('takes rule changes at once', async () => {
    const name = await createVault({ networkAcls: { defaultAction: 'Deny', ipRules: [] } });
    assertFirewalled(await fromProxy(name, '192.0.2.10'), '192.0.2.10', 'before');
    await setNetworkAcls(name, { defaultAction: 'Deny', ipRules: [{ value: '192.0.2.0/28' }] });
    assertAllowed(await fromProxy(name, '192.0.2.10'), 'after adding the CIDR');
    await setNetworkAcls(name, { defaultAction: 'Allow', ipRules: [] });
    assertAllowed(await fromProxy(name, '192.0.2.200'), 'after defaultAction Allow');
    await setNetworkAcls(name, { defaultAction: 'Allow', ipRules: [] }, 'Disabled');
    const disabled = await fromProxy(name, '192.0.2.200');
    assertFirewalled(disabled, '192.0.2.200', 'after publicNetworkAccess Disabled');
    assert.match(disabled.json.error.message, /^Public network access is disabled and request is not from a trusted service nor via an approved private link\./);
  });

  it('exempts the private listeners from publicNetworkAccess Disabled and defaultAction Deny', async () => {
    for (const properties of [{ publicNetworkAccess: 'Disabled' }, { networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: [] } }] satisfies Array<Partial<VaultProperties>>) {
      const name = await createVault(properties);
      assertFirewalled(await fromProxy(name), '127.0.0.1', `public listener, ${JSON.stringify(properties)}`);
      assert.equal((await privateSecretClient(name).getSecret('s')).value, VALUE, 'SecretClient on the private TCP listener');
      assertAllowed(await viaUnixSocket(name, 'GET', '/secrets/s?api-version=7.5'), 'Unix socket');
    }
  });

  it('lets trusted services through when bypass is AzureServices, and only then', async () => {
    const trustedToken = await tokenOf(trustedService);
    const ordinaryToken = await tokenOf(ordinary);
    // Past the firewall, a principal without rights meets authorization (403 ForbiddenByRbac), not the firewall.
    const passedFirewall = (response: RawResponse, context: string) => {
      assert.equal(response.status, 403, `${context}: ${response.text}`);
      assert.equal(response.json.error.innererror?.code, 'ForbiddenByRbac', `${context}: ${response.text}`);
    };

    const bypassing = await createVault({ networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [] } });
    passedFirewall(await fromProxy(bypassing, '192.0.2.1', trustedToken), 'trusted service, bypass AzureServices');
    assertFirewalled(await fromProxy(bypassing, '192.0.2.1', ordinaryToken), '192.0.2.1', 'ordinary principal, bypass AzureServices');

    const strict = await createVault({ networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: [] } });
    assertFirewalled(await fromProxy(strict, '192.0.2.1', trustedToken), '192.0.2.1', 'trusted service, bypass None');

    const closed = await createVault({ publicNetworkAccess: 'Disabled', networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [] } });
    passedFirewall(await fromProxy(closed, '192.0.2.1', trustedToken), 'trusted service, public access disabled');
    assertFirewalled(await fromProxy(closed, '192.0.2.1', ordinaryToken), '192.0.2.1', 'ordinary principal, public access disabled');

    const listed = (await server.cli('principal', 'list')) as Array<{ clientId: string; trustedService: boolean }>;
    assert.equal(listed.find((principal) => principal.clientId === trustedService.clientId)?.trustedService, true);
    assert.equal(listed.find((principal) => principal.clientId === ordinary.clientId)?.trustedService, false);
  });

  it('does not apply a vault firewall to the management API or the token service', async () => {
    const name = await createVault({ publicNetworkAccess: 'Disabled', networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: [] } });
    assertFirewalled(await fromProxy(name), '127.0.0.1', 'data plane');
    // A fresh token from the token service, then the vault read and changed through ARM, all from 127.0.0.1.
    assert.ok((await credentialOf({ clientId: server.credentials.clientId, clientSecret: server.credentials.clientSecret }).getToken(`https://vault.localhost:${server.port}/.default`)).token);
    assert.equal((await client.vaults.get(GROUP, name)).properties.publicNetworkAccess, 'Disabled');
    await setNetworkAcls(name, { defaultAction: 'Allow', ipRules: [] });
    assertAllowed(await fromProxy(name), 'after opening it through ARM');
  });

  it('audits each refusal with the client address and the firewall code', async () => {
    const name = await createVault({ networkAcls: { defaultAction: 'Deny', ipRules: [] } });
    const refused = await fromProxy(name, '198.18.0.33');
    assertFirewalled(refused, '198.18.0.33', 'refused');
    const record = await auditRecord(String(refused.headers['x-ms-request-id']));
    assert.equal(record.resultType, 'Failure');
    assert.equal(record.properties.httpStatusCode, 403);
    assert.equal(record.callerIpAddress, '198.18.0.33');
    assert.equal(record.resultDescription, 'ForbiddenByFirewall');
    assert.equal(record.operationName, 'SecretGet');
  });
});
