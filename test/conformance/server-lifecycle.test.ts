// The server as a process: what first start creates, what a restart keeps, how it stops, how it takes the
// user's own certificate, and how it reports a bad command line.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import { connect as netConnect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { systemClock } from '../../src/clock.js';
import { options, type OptionSpec } from '../../src/config/schema.js';
import { ensureTlsMaterial } from '../../src/tls/certificates.js';
import { serverStore, type ServerStore } from '../support/server-store.js';
import { loopbackLookup, serverEntry, startServer, uniqueName, type TestServer } from '../support/start-server.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const execFileAsync = promisify(execFile);
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Runs `coffer <args>` and returns its exit code and output, whatever the code. */
async function coffer(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [serverEntry, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}


/**
 * Connects with full verification, trusting only `ca` (or Node's default store when none is given): the
 * certificate the server presented, or why the client refused the handshake.
 */
function presentedCertificate(port: number, servername: string, ca: string | undefined): Promise<{ cert: X509Certificate | undefined; authorized: boolean; error: string | undefined }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, ...(ca === undefined ? {} : { ca }) }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      resolve({ cert, authorized: socket.authorized, error: undefined });
    });
    socket.once('error', (error) => resolve({ cert: undefined, authorized: false, error: String(error) }));
  });
}

/** True once nothing accepts connections on the port: the server has begun to shut down. */
async function waitUntilRefused(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = netConnect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface HeldRequest {
  /** Resolves once the server has read the request line and headers (it answered 100 Continue). */
  accepted: Promise<void>;
  /** Sends the body. */
  finish(): void;
  response: Promise<{ status: number; text: string }>;
}

/** A PUT whose body is held back until finish(): a request the server has accepted but not yet answered. */
function heldPut(server: TestServer, url: string, token: string, body: unknown): HeldRequest {
  const payload = JSON.stringify(body);
  const agent = new https.Agent({ ca: server.ca, lookup: loopbackLookup as any, keepAlive: false });
  let accept!: () => void;
  const accepted = new Promise<void>((resolve) => (accept = resolve));
  const req = https.request(url, {
    method: 'PUT',
    agent,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
      expect: '100-continue',
    },
  });
  req.on('continue', accept);
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  return { accepted, finish: () => req.end(payload), response };
}

describe('coffer serve: first start in an empty data directory', () => {
  let server: TestServer;
  let store: ServerStore;
  before(async () => {
    store = await serverStore();
    server = await startServer(store.startOptions);
  });
  after(async () => {
    await server?.dispose();
    await store?.dispose();
  });

  it('writes admin-credentials.json (mode 0600) with exactly the six connection fields', async () => {
    const file = path.join(server.dataDir, 'admin-credentials.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const credentials = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(credentials).sort(), ['authorityHost', 'caCertPath', 'clientId', 'clientSecret', 'tenantId', 'vaultUrl']);
    assert.match(String(credentials.tenantId), uuid);
    assert.match(String(credentials.clientId), uuid);
    assert.equal(typeof credentials.clientSecret, 'string');
    assert.ok(String(credentials.clientSecret).length >= 32);
    assert.equal(credentials.vaultUrl, `https://localhost:${server.port}`);
    assert.equal(credentials.authorityHost, `https://localhost:${server.port}`);
    const caCertPath = String(credentials.caCertPath);
    assert.ok(path.isAbsolute(caCertPath), caCertPath);
    assert.ok(new X509Certificate(await readFile(caCertPath)).ca, 'caCertPath is a CA certificate');
  });

  it('creates the master key file with mode 0600, and keeps every private file from other users', async () => {
    const masterKey = path.join(server.dataDir, 'master.key');
    assert.equal((await stat(masterKey)).mode & 0o777, 0o600);
    assert.equal(Buffer.from((await readFile(masterKey, 'utf8')).trim(), 'base64').length, 32);
    // On PostgreSQL the store and the audit records are in the database, not in files here.
    const databases = store.postgres ? [] : ['coffer.db', 'audit.db'];
    for (const file of [...databases, 'admin-credentials.json', 'tls/ca-key.pem', 'tls/server-key.pem']) {
      assert.equal((await stat(path.join(server.dataDir, file))).mode & 0o077, 0, `${file} is readable by others`);
    }
    for (const dir of ['tls', 'audit']) {
      assert.equal((await stat(path.join(server.dataDir, dir))).mode & 0o077, 0, `${dir}/ is open to others`);
    }
  });

  it('stores the tenant, the default vault and the administrator principal', async () => {
    const db = store.open(server.dataDir);
    const tenant = await db.selectFrom('server_meta').select('value').where('key', '=', 'tenant_id').executeTakeFirstOrThrow();
    assert.equal(tenant.value, server.credentials.tenantId);
    const vaults = await db.selectFrom('vaults').select('name').execute();
    assert.deepEqual(vaults.map((vault) => vault.name), ['default']);
    const admin = await db.selectFrom('principals').selectAll().where('app_id', '=', server.credentials.clientId).executeTakeFirstOrThrow();
    assert.equal(admin.is_admin, 1);
    assert.equal(admin.tenant_id, server.credentials.tenantId);
    const credential = await db.selectFrom('credentials').select('secret_hash').where('principal_id', '=', admin.id).executeTakeFirstOrThrow();
    assert.ok(!credential.secret_hash.includes(server.credentials.clientSecret));
  });

  it('serves a certificate that chains to ca.pem and names localhost, *.vault.localhost, 127.0.0.1 and ::1', async () => {
    const ca = new X509Certificate(await readFile(server.credentials.caCertPath));
    assert.equal(ca.ca, true);
    assert.ok(ca.verify(ca.publicKey), 'the CA is self-signed');
    for (const servername of ['localhost', 'payroll.vault.localhost']) {
      const { cert, authorized, error } = await presentedCertificate(server.port, servername, server.ca);
      assert.ok(cert && authorized, `${servername}: ${error}`);
      assert.equal(cert.ca, false);
      assert.ok(cert.checkIssued(ca), 'issued by ca.pem');
      assert.ok(cert.verify(ca.publicKey), 'signed by ca.pem');
      assert.equal(cert.checkHost('localhost'), 'localhost');
      assert.ok(cert.checkHost('payroll.vault.localhost'));
      assert.ok(cert.checkHost('default.vault.localhost'));
      assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
      assert.equal(cert.checkIP('::1'), '::1');
      assert.match(cert.subjectAltName ?? '', /DNS:\*\.vault\.localhost/);
      assert.equal(cert.checkHost('example.com'), undefined);
      assert.ok(Date.parse(cert.validTo) > Date.now() + 30 * 86_400_000);
      assert.equal(cert.fingerprint256, new X509Certificate(await readFile(path.join(server.dataDir, 'tls', 'server.pem'))).fingerprint256);
    }
  });

  it('is refused by a client that does not trust the local CA', async () => {
    const { authorized } = await presentedCertificate(server.port, 'localhost', undefined);
    assert.equal(authorized, false);
  });

  it('answers GET /healthz with 200 without authentication', async () => {
    const response = await server.request('GET', `https://localhost:${server.port}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { status: 'ok' });
  });

  it('prints where the vault, the credentials and the CA are', () => {
    assert.match(server.output(), new RegExp(`Coffer is serving Azure Key Vault at https://localhost:${server.port}`));
    assert.ok(server.output().includes(path.join(server.dataDir, 'admin-credentials.json')));
    assert.ok(server.output().includes(server.credentials.caCertPath));
    assert.ok(!server.output().includes(server.credentials.clientSecret));
  });
});

describe('coffer serve: restart on the same data directory', () => {
  let server: TestServer;
  let store: ServerStore;
  before(async () => {
    store = await serverStore();
    server = await startServer(store.startOptions);
  });
  after(async () => {
    await server?.dispose();
    await store?.dispose();
  });

  it('keeps secrets, vaults, principals, the tenant, the CA and the administrator credentials', async () => {
    const name = uniqueName('kept');
    await server.secretClient().setSecret(name, 'survives restarts');
    await server.cli('vault', 'create', 'keeper');
    await server.secretClient({ vault: 'keeper' }).setSecret(name, 'in a named vault');
    const reader = (await server.cli('principal', 'create', 'restart-reader')) as { clientId: string; clientSecret: string };
    const tokenBefore = await server.adminToken();
    const read = async (file: string) => readFile(path.join(server.dataDir, file), 'utf8');
    const before = {
      credentials: await read('admin-credentials.json'),
      ca: await read('tls/ca.pem'),
      masterKey: await read('master.key'),
      serverCert: (await presentedCertificate(server.port, 'localhost', server.ca)).cert?.fingerprint256,
    };

    assert.match(before.serverCert ?? '', /^[0-9A-F:]{95}$/, 'the certificate served before the restart');
    await server.restart();

    assert.equal(await read('admin-credentials.json'), before.credentials);
    assert.equal(await read('tls/ca.pem'), before.ca);
    assert.equal(await read('master.key'), before.masterKey);
    assert.equal((await presentedCertificate(server.port, 'localhost', server.ca)).cert?.fingerprint256, before.serverCert);
    // The same credentials get new tokens, and tokens issued before the restart are still good.
    const credentials = JSON.parse(before.credentials) as TestServer['credentials'];
    const credential = new ClientSecretCredential(credentials.tenantId, credentials.clientId, credentials.clientSecret, {
      authorityHost: credentials.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: server.ca },
    } as any);
    const token = await credential.getToken(`https://vault.localhost:${server.port}/.default`);
    assert.ok(token.token);
    for (const bearer of [token.token, tokenBefore]) {
      const response = await server.request('GET', `${server.vaultUrl()}/secrets/${name}?api-version=7.5`, { token: bearer });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.value, 'survives restarts');
    }
    assert.equal((await server.secretClient({ vault: 'keeper' }).getSecret(name)).value, 'in a named vault');
    await server.credential({ clientId: reader.clientId, clientSecret: reader.clientSecret }).getToken(`https://vault.localhost:${server.port}/.default`);
    const db = store.open(server.dataDir);
    assert.equal((await db.selectFrom('server_meta').select('value').where('key', '=', 'tenant_id').executeTakeFirstOrThrow()).value, credentials.tenantId);
    const admins = await db.selectFrom('principals').select((eb) => eb.fn.countAll().as('n')).where('is_admin', '=', 1).executeTakeFirstOrThrow();
    assert.equal(Number(admins.n), 1);
  });
});

describe('coffer serve: stopping', () => {
  let server: TestServer;
  let store: ServerStore;
  before(async () => {
    store = await serverStore();
    server = await startServer(store.startOptions);
  });
  after(async () => {
    await server?.dispose();
    await store?.dispose();
  });

  /** Holds several large PUTs inside the server, runs `signal`, then lets them finish. */
  async function inFlightThrough(signal: () => Promise<number | null>): Promise<Array<{ name: string; value: string }>> {
    const token = await server.adminToken();
    const secrets = Array.from({ length: 4 }, (_, i) => ({ name: uniqueName(`inflight${i}`), value: `${i}-${randomBytes(10_000).toString('hex')}` }));
    const held = secrets.map(({ name, value }) => heldPut(server, `${server.vaultUrl()}/secrets/${name}?api-version=7.5`, token, { value }));
    await Promise.all(held.map((request) => request.accepted));
    const exited = signal();
    await waitUntilRefused(server.port);
    for (const request of held) request.finish();
    const responses = await Promise.all(held.map((request) => request.response));
    for (const response of responses) assert.equal(response.status, 200, response.text.slice(0, 300));
    assert.equal(await exited, 0, server.output());
    return secrets;
  }

  async function assertStoredAndAudited(secrets: Array<{ name: string; value: string }>): Promise<void> {
    const client = server.secretClient();
    for (const { name, value } of secrets) assert.equal((await client.getSecret(name)).value, value);
    const db = store.openAudit(server.dataDir);
    for (const { name } of secrets) {
      const row = await db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('operation_name', '=', 'SecretSet')
        .where('http_status', '=', 200)
        .where('record', 'like', `%/secrets/${name}?%`)
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.n), 1, `the audit record of ${name} was lost at shutdown`);
    }
  }

  it('finishes in-flight requests on SIGTERM, then exits 0', async () => {
    const secrets = await inFlightThrough(() => server.stop());
    await server.restart();
    await assertStoredAndAudited(secrets);
  });

  it('finishes in-flight requests on SIGINT, then exits 0', async () => {
    // The harness stops with SIGTERM; for SIGINT the server runs here, on the same directory and port.
    assert.equal(await server.stop(), 0);
    let output = '';
    const child: ChildProcess = spawn(
      process.execPath,
      [serverEntry, 'serve', '--data-dir', server.dataDir, '--port', String(server.port)],
      { cwd: repoRoot, env: { ...process.env, ...store.env, COFFER_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const deadline = Date.now() + 60_000;
      while (!output.includes('Coffer is serving')) {
        if (child.exitCode !== null || Date.now() > deadline) assert.fail(`the server did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const secrets = await inFlightThrough(async () => {
        child.kill('SIGINT');
        return exit;
      });
      await server.restart();
      await assertStoredAndAudited(secrets);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exit;
    }
  });
});

describe('coffer serve --tls-cert / --tls-key / --tls-ca', () => {
  let server: TestServer;
  let tlsDir: string;
  let material: Awaited<ReturnType<typeof ensureTlsMaterial>>;
  let certPath: string;

  before(async () => {
    tlsDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-own-tls-'));
    material = await ensureTlsMaterial({ dir: tlsDir, dnsSuffix: 'vault.localhost', extraNames: [], clock: systemClock });
    certPath = path.join(tlsDir, 'server.pem');
    server = await startServer({
      args: ['--tls-cert', certPath, '--tls-key', path.join(tlsDir, 'server-key.pem'), '--tls-ca', path.join(tlsDir, 'ca.pem')],
    });
  });
  after(async () => {
    await server?.dispose();
    await rm(tlsDir, { recursive: true, force: true });
  });

  it('serves the given certificate, which clients trusting its CA accept', async () => {
    const { cert, authorized, error } = await presentedCertificate(server.port, 'localhost', material.caCertPem);
    assert.ok(cert && authorized, error);
    assert.equal(cert.fingerprint256, new X509Certificate(material.certPem).fingerprint256);
    const generated = await presentedCertificate(server.port, 'localhost', undefined);
    assert.equal(generated.authorized, false);
  });

  it('names the --tls-ca file as caCertPath, so clients trusting caCertPath connect', async () => {
    assert.equal(server.credentials.caCertPath, path.join(tlsDir, 'ca.pem'));
    assert.equal(server.credentials.vaultUrl, `https://localhost:${server.port}`);
    const client = server.secretClient();
    const name = uniqueName('own');
    await client.setSecret(name, 'trusted through caCertPath');
    assert.equal((await client.getSecret(name)).value, 'trusted through caCertPath');
  });

  it('works with the SDK trusting that CA, on the default and on a named vault', async () => {
    await server.cli('vault', 'create', 'owncert');
    const { tenantId, clientId, clientSecret, authorityHost } = server.credentials;
    const credential = new ClientSecretCredential(tenantId, clientId, clientSecret, {
      authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: material.caCertPem },
    } as any);
    const agent = new https.Agent({ ca: material.caCertPem, lookup: loopbackLookup as any });
    try {
      for (const [vaultUrl, verify] of [
        [server.vaultUrl(), false],
        [server.vaultUrl('owncert'), true],
      ] as const) {
        const client = new SecretClient(vaultUrl, credential, { disableChallengeResourceVerification: !verify, agent, retryOptions: { maxRetries: 0 } } as any);
        const name = uniqueName('own');
        await client.setSecret(name, 'over my certificate');
        assert.equal((await client.getSecret(name)).value, 'over my certificate');
      }
    } finally {
      agent.destroy();
    }
  });
});

describe('coffer serve --help and invalid options', () => {
  it('lists every configuration option with its environment variable', async () => {
    const { code, stdout } = await coffer(['serve', '--help']);
    assert.equal(code, 0);
    for (const spec of Object.values(options) as OptionSpec[]) {
      assert.ok(stdout.includes(`--${spec.flag}`), `--help does not list --${spec.flag}`);
      assert.ok(stdout.includes(spec.env), `--help does not name ${spec.env}`);
    }
    assert.match(stdout, /COFFER_MASTER_KEY/);
  });

  it('refuses --port 70000, naming port, without creating the data directory', async () => {
    const dataDir = path.join(os.tmpdir(), `coffer-never-${randomBytes(6).toString('hex')}`);
    const { code, stdout, stderr } = await coffer(['serve', '--data-dir', dataDir, '--port', '70000']);
    assert.notEqual(code, 0);
    assert.match(stderr, /port/);
    assert.match(stderr, /70000/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'a configuration mistake prints a stack trace');
    assert.doesNotMatch(stdout, /Coffer is serving/);
    await assert.rejects(stat(dataDir), { code: 'ENOENT' });
  });

  it('reports every invalid option of one command line at once', async () => {
    const dataDir = path.join(os.tmpdir(), `coffer-never-${randomBytes(6).toString('hex')}`);
    const { code, stderr } = await coffer(['serve', '--data-dir', dataDir, '--port', 'none', '--purge-interval', '0', '--log-level', 'chatty'], { COFFER_TOKEN_LIFETIME: '1' });
    assert.notEqual(code, 0);
    for (const option of ['port', 'purge-interval', 'log-level', 'token-lifetime']) assert.match(stderr, new RegExp(option));
    await assert.rejects(stat(dataDir), { code: 'ENOENT' });
  });
});
