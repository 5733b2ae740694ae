// Starts a real Coffer server as a child process (the way users run it) on a free port with a fresh data
// directory, and gives tests what admin-credentials.json holds plus clients that trust its CA properly.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import dns from 'node:dns';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ClientSecretCredential } from '@azure/identity';
import { CertificateClient } from '@azure/keyvault-certificates';
import { CryptographyClient, KeyClient, type KeyVaultKey } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';
import type { AdminCredentials } from '../../src/bootstrap.js';
import { createTestDatabase, testPostgresUrl } from '../../src/store/test-store.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const execFileAsync = promisify(execFile);
/** The server as users run it: the esbuild output of src/, which `npm test` (test/run-tests.ts) builds first. */
export const serverEntry = path.join(repoRoot, 'dist', 'main.js');


export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface TestServer {
  port: number;
  /** The server's own process (the cluster primary when it runs several workers). */
  pid(): number;
  dataDir: string;
  credentials: AdminCredentials;
  ca: string;
  /** An agent that trusts the server's CA and resolves *.localhost to loopback (Node does not, here). */
  agent: https.Agent;
  /** Everything the server printed, for assertions about its output. */
  output(): string;
  /** URL of a named vault on this server: https://NAME.vault.localhost:PORT */
  vaultUrl(name?: string): string;
  credential(opts?: { clientId?: string; clientSecret?: string }): ClientSecretCredential;
  secretClient(opts?: { vault?: string; clientId?: string; clientSecret?: string; serviceVersion?: string }): SecretClient;
  keyClient(opts?: { vault?: string; serviceVersion?: string }): KeyClient;
  certificateClient(opts?: { vault?: string; serviceVersion?: string }): CertificateClient;
  /** A CryptographyClient for a key id (remote only) or a KeyVaultKey (local public-key operations where it can). */
  cryptographyClient(key: string | KeyVaultKey, opts?: { vault?: string }): CryptographyClient;
  /** Runs `coffer <args>` against this server's data directory and parses its JSON output. */
  cli(...args: string[]): Promise<unknown>;
  /**
   * Raw HTTPS request. An object body is sent as JSON (with content-type); a string or Buffer is sent byte for
   * byte with only the headers given. `headers.host` overrides the Host header; `servername` the TLS SNI name.
   */
  request(method: string, url: string, opts?: { body?: unknown; headers?: Record<string, string>; token?: string; servername?: string }): Promise<RawResponse>;
  /** An admin access token for the vault audience. */
  adminToken(): Promise<string>;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** Starts the server again on the same data directory and port. */
  restart(extraEnv?: Record<string, string>): Promise<void>;
  /** stop() and remove the data directory. */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Maps every *.localhost name to 127.0.0.1, honouring `all` as Node 20 calls it (azure-sdk-auth-facts.md §5). */
export function loopbackLookup(hostname: string, options: dns.LookupOptions, callback: (...args: any[]) => void): void {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  dns.lookup(hostname, options, callback);
}

export async function startServer(opts: {
  args?: string[];
  env?: Record<string, string>;
  dataDir?: string;
  /** 'sqlite': the data directory's own database even when COFFER_TEST_POSTGRES is set; or a postgres:// URL (not dropped by dispose()). */
  store?: string;
  /** The administrator's credentials when another node sharing the store created them (its data directory holds the file). */
  credentials?: AdminCredentials;
} = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'coffer-test-')));
  const port = await freePort();
  // With COFFER_TEST_POSTGRES set, each server gets a PostgreSQL database of its own, dropped by dispose().
  const database = testPostgresUrl === undefined || opts.store !== undefined ? undefined : await createTestDatabase();
  const storeUrl = opts.store === undefined ? database?.url : opts.store === 'sqlite' ? undefined : opts.store;
  const storeArgs = storeUrl === undefined ? [] : ['--store', storeUrl];
  const storeEnv: Record<string, string> = storeUrl === undefined ? {} : { COFFER_STORE_URL: storeUrl };
  let child: ChildProcess | undefined;
  let output = '';

  async function launch(extraEnv: Record<string, string> = {}): Promise<void> {
    output = '';
    child = spawn(process.execPath, ['--enable-source-maps', serverEntry, 'serve', '--data-dir', dataDir, '--port', String(port), '--purge-interval', '1', ...storeArgs, ...(opts.args ?? [])], {
      cwd: repoRoot,
      env: { ...process.env, COFFER_LOG_LEVEL: 'warn', ...opts.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`server exited with ${code} before it was ready:\n${output}`))));
    let waiting = true;
    const ready = (async () => {
      // Stops polling once the race is decided either way, or it would keep the test process alive for ever.
      while (waiting) {
        if (output.includes('Coffer is serving')) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`server not ready after 60 s:\n${output}`)), 60_000).unref());
    try {
      await Promise.race([ready, exited, timeout]);
    } finally {
      waiting = false;
    }
  }

  await launch();
  const credentials = opts.credentials ?? (JSON.parse(await readFile(path.join(dataDir, 'admin-credentials.json'), 'utf8')) as AdminCredentials);
  const ca = await readFile(credentials.caCertPath, 'utf8');
  const agent = new https.Agent({ ca, lookup: loopbackLookup as any, keepAlive: true });

  const clientOptions = (o: { vault?: string; serviceVersion?: string }): any => ({
    // The default vault at https://localhost:PORT can never pass the SDK's resource check (facts §1);
    // named vaults at NAME.vault.localhost do, so they keep the check on.
    disableChallengeResourceVerification: o.vault === undefined,
    agent,
    ...(o.serviceVersion === undefined ? {} : { serviceVersion: o.serviceVersion }),
    retryOptions: { maxRetries: 0 },
  });

  const server: TestServer = {
    port,
    pid: () => child!.pid!,
    dataDir,
    credentials,
    ca,
    agent,
    output: () => output,
    vaultUrl: (name) => (name === undefined ? credentials.vaultUrl : `https://${name}.vault.localhost:${port}`),
    credential: (o = {}) =>
      new ClientSecretCredential(credentials.tenantId, o.clientId ?? credentials.clientId, o.clientSecret ?? credentials.clientSecret, {
        authorityHost: credentials.authorityHost,
        disableInstanceDiscovery: true,
        tlsOptions: { ca },
      } as any),
    secretClient: (o = {}) => new SecretClient(server.vaultUrl(o.vault), server.credential(o), clientOptions(o)),
    keyClient: (o = {}) => new KeyClient(server.vaultUrl(o.vault), server.credential(), clientOptions(o)),
    certificateClient: (o = {}) => new CertificateClient(server.vaultUrl(o.vault), server.credential(), clientOptions(o)),
    cryptographyClient: (key, o = {}) => new CryptographyClient(key as any, server.credential(), clientOptions(o)),
    async cli(...args) {
      const { stdout } = await execFileAsync(process.execPath, [serverEntry, ...args, '--data-dir', dataDir], {
        cwd: repoRoot,
        env: { ...process.env, ...storeEnv, ...opts.env },
      });
      return JSON.parse(stdout);
    },
    request: (method, target, o = {}) =>
      new Promise((resolve, reject) => {
        // The path is sent exactly as given (no URL normalisation), so tests can send what a URL parser would mend.
        const match = /^https:\/\/(\[[^\]]+\]|[^/:]+)(?::(\d+))?(\/.*)?$/.exec(target);
        if (!match) throw new Error(`not an https URL: ${target}`);
        const isRaw = typeof o.body === 'string' || Buffer.isBuffer(o.body);
        const body = o.body === undefined ? undefined : isRaw ? (o.body as string | Buffer) : JSON.stringify(o.body);
        // A body is always framed with content-length: Node would otherwise send GET/DELETE bodies unframed.
        const headers: Record<string, string> = {
          ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
          ...(body !== undefined && !isRaw ? { 'content-type': 'application/json' } : {}),
          ...o.headers,
        };
        if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
        const host = match[1]!.replace(/^\[|\]$/g, '');
        const options = { host, port: Number(match[2] ?? 443), path: match[3] ?? '/', method, agent, headers, ...(o.servername === undefined ? {} : { servername: o.servername }) };
        const req = https.request(options, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            let json: unknown;
            try {
              json = text === '' ? undefined : JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
        });
        req.on('error', reject);
        req.end(body);
      }),
    async adminToken() {
      const token = await server.credential().getToken(`https://vault.localhost:${port}/.default`);
      return token.token;
    },
    async stop() {
      const running = child;
      // A process killed by a signal (a test's SIGKILL) has no exit code but is gone all the same.
      if (!running || running.exitCode !== null || running.signalCode !== null) return running?.exitCode ?? null;
      const exit = new Promise<number | null>((resolve) => running.once('exit', (code) => resolve(code)));
      running.kill('SIGTERM');
      return exit;
    },
    async restart(extraEnv) {
      await server.stop();
      await launch(extraEnv);
    },
    async dispose() {
      agent.destroy();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
      await database?.drop();
    },
  };
  return server;
}

export function uniqueName(prefix = 's'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
