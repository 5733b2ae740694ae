// Starts and stops the servers under test (Coffer and the node:https baseline) and talks to them over
// loopback: health polling, tokens, filling a vault.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { trackGroup } from './cleanup.js';
import type { AdminCredentials } from '../src/bootstrap.js';
import type { CryptoRun, RawOpName } from './crypto-ops.js';

export const repoRoot = path.resolve(import.meta.dirname, '..');

export interface Server {
  label: string;
  port: number;
  /** The primary process; workers are its descendants. */
  pid: number;
  /** Worker processes actually running (1 when the server has no --workers option). */
  workers: number;
  /** Spawn → first 200 from /healthz, in milliseconds. */
  startMs: number;
  /** --store postgres: the PostgreSQL backends serving its database (their CPU counts as the server's; measure.ts). */
  dbPids?: () => Promise<number[]>;
  output(): string;
  stop(): Promise<void>;
}



export interface Response {
  status: number;
  body: string;
}

/** One HTTPS request to 127.0.0.1:port, Host localhost:port, verified against the server's CA. */
export function request(
  port: number,
  method: string,
  pathname: string,
  opts: { ca: string; agent?: https.Agent; token?: string; body?: string; contentType?: string; host?: string },
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: opts.host ?? `localhost:${port}` };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(opts.body));
    }
    const req = https.request(
      { host: '127.0.0.1', port, path: pathname, method, headers, ca: opts.ca, servername: 'localhost', agent: opts.agent ?? false, timeout: 30_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${pathname} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

const live = new Set<Server>();
/** Servers started and not yet stopped, to show their output when the benchmark fails. */
export const liveServers = (): Server[] => [...live];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Spawns a server in its own process group (so its workers can be stopped together) and waits until /healthz
 * answers 200. `caFile` may not exist yet (a fresh Coffer writes it while starting).
 */
async function launch(label: string, port: number, args: string[], caFile: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; startMs: number; output: () => string }> {
  const started = performance.now();
  // An entry set to undefined in `env` removes the variable.
  const merged = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined));
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: merged, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const untrack = trackGroup(child.pid!);
  child.once('exit', untrack);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new ServerExited(label, code, output))));
  exited.catch(() => {});
  const ready = (async () => {
    for (;;) {
      if (child.exitCode !== null) return;
      const ca = await readFile(caFile, 'utf8').catch(() => undefined);
      if (ca !== undefined) {
        const res = await request(port, 'GET', '/healthz', { ca }).catch(() => undefined);
        if (res?.status === 200) return;
      }
      await sleep(15);
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} not ready after 120 s:\n${output}`)), 120_000);
  });
  try {
    await Promise.race([ready, exited, timeout]);
    if (child.exitCode !== null) await exited;
  } finally {
    clearTimeout(timer);
  }
  return { child, startMs: performance.now() - started, output: () => output };
}

export class ServerExited extends Error {
  constructor(
    label: string,
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`${label} exited with ${code} before it was ready:\n${output}`);
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exit, new Promise<void>((resolve) => (timer = setTimeout(resolve, 15_000)))]);
    clearTimeout(timer);
    // Cluster workers normally exit with the primary; make sure none is left behind.
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  };
}

/**
 * Copies the build (dist/) next to the benchmark's data so a rebuild in the work tree during the run (another
 * `npm test`, `npm run bench` or `node scripts/build.mjs`, which deletes dist/ and writes it anew) cannot pull files
 * from under the server; node_modules is linked so imports still resolve. A rebuild can also be under way while we
 * copy: the copy is kept only when dist/ held the three entry points, unchanged (size and mtime of every file)
 * from before the copy to after it, and the copy matches; otherwise it waits and tries again.
 * Returns the entry point to run.
 */
export function snapshotBuild(workDir: string): string {
  const dist = path.join(repoRoot, 'dist');
  const target = path.join(workDir, 'dist');
  const entries = ['main.js', 'sqlite-worker-thread.js', 'key-operation-thread.js'];
  const listing = (dir: string): string | undefined => {
    try {
      const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
      if (!entries.every((entry) => files.includes(entry))) return undefined;
      return files.map((file) => {
        const stat = statSync(path.join(dir, file));
        return `${file} ${stat.isFile() ? stat.size : 'dir'} ${dir === dist ? stat.mtimeMs : ''}`;
      }).join('\n');
    } catch {
      return undefined; // a file vanished while we looked: a rebuild is running
    }
  };
  const sizes = (text: string | undefined) => text?.replace(/ [\d.]*$/gm, '');
  for (let attempt = 1; ; attempt++) {
    const before = listing(dist);
    if (before !== undefined) {
      rmSync(target, { recursive: true, force: true });
      try {
        cpSync(dist, target, { recursive: true });
      } catch {
        // dist/ changed while we copied; the comparison below fails and we retry
      }
      if (listing(dist) === before && sizes(listing(target)) === sizes(before)) break;
    }
    if (attempt === 20) throw new Error(`${dist} is missing or keeps changing (is another build running?); run node scripts/build.mjs and try again`);
    sleepSync(500);
  }
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(workDir, 'node_modules'));
  return path.join(target, 'main.js');
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Starts `coffer serve` (production defaults: HTTPS, auth, audit) with --workers, or without it if unsupported.
 * `store`: a PostgreSQL URL (--store), else SQLite in the data dir. `args`/`env`: more flags and environment (a
 * second node's --public-port, --tls-*, COFFER_MASTER_KEY). `caFile`: the CA to trust while polling /healthz
 * (default <dataDir>/tls/ca.pem, which a fresh node writes).
 */
export async function startCoffer(opts: {
  label: string; entry: string; dataDir: string; port: number; workers: number; noWorkersFlag?: boolean;
  store?: string; args?: string[]; env?: NodeJS.ProcessEnv; caFile?: string; dbPids?: () => Promise<number[]>;
}): Promise<Server & { workersFlag: boolean }> {
  const base = [
    opts.entry, 'serve', '--data-dir', opts.dataDir, '--port', String(opts.port), '--log-level', 'warn',
    ...(opts.store === undefined ? [] : ['--store', opts.store]), ...(opts.args ?? []),
  ];
  const caFile = opts.caFile ?? path.join(opts.dataDir, 'tls', 'ca.pem');
  // The bench passes the store explicitly; a COFFER_STORE_URL in the caller's environment must not override SQLite.
  const env: NodeJS.ProcessEnv = { COFFER_STORE_URL: undefined, ...opts.env };
  let workersFlag = !opts.noWorkersFlag;
  let launched;
  try {
    launched = await launch(opts.label, opts.port, workersFlag ? [...base, '--workers', String(opts.workers)] : base, caFile, env);
  } catch (error) {
    if (!(workersFlag && error instanceof ServerExited && /unknown option/i.test(error.output))) throw error;
    workersFlag = false;
    launched = await launch(opts.label, opts.port, base, caFile, env);
  }
  const { child, startMs, output } = launched;
  const workers = workersFlag ? opts.workers : 1;
  const server: Server = { label: opts.label, port: opts.port, pid: child.pid!, workers, startMs, output, stop: stopper(child), ...(opts.dbPids ? { dbPids: opts.dbPids } : {}) };
  return { ...register(server), workersFlag };
}

/** Starts bench/baseline-server.ts: node:https, same certificate, same worker count, a fixed body of `bodyBytes`. */
export async function startBaseline(opts: { dataDir: string; port: number; workers: number; bodyBytes: number }): Promise<Server> {
  const tls = path.join(opts.dataDir, 'tls');
  const args = [
    '--import', 'tsx', path.join(repoRoot, 'bench', 'baseline-server.ts'),
    '--port', String(opts.port), '--workers', String(opts.workers), '--body-bytes', String(opts.bodyBytes),
    '--cert', path.join(tls, 'server.pem'), '--key', path.join(tls, 'server-key.pem'),
  ];
  const { child, startMs, output } = await launch('baseline', opts.port, args, path.join(tls, 'ca.pem'));
  return register({ label: 'baseline', port: opts.port, pid: child.pid!, workers: opts.workers, startMs, output, stop: stopper(child) });
}

/** bench/crypto-baseline.ts: a raw node:crypto operation on `threads` worker threads, run on demand. */
export interface CryptoBaseline extends Server {
  op: RawOpName;
  threads: number;
  /** Runs the operation back to back on every thread for `seconds`. */
  run(seconds: number): Promise<CryptoRun>;
}

/**
 * Starts the raw-crypto baseline process for one operation and waits until every thread has checked its
 * output. It is a Server (port 0, `workers` = threads) only so that failures show its output like a server's.
 */
export async function startCryptoBaseline(opts: { op: RawOpName; threads: number }): Promise<CryptoBaseline> {
  const started = performance.now();
  const args = ['--import', 'tsx', path.join(repoRoot, 'bench', 'crypto-baseline.ts'), '--op', opts.op, '--threads', String(opts.threads)];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const untrack = trackGroup(child.pid!);
  child.once('exit', untrack);
  const label = `raw ${opts.op}`;
  let output = '';
  let pending: { resolve(line: string): void; reject(error: Error): void; prefix: string } | undefined;
  let buffered = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    buffered += text;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (pending && line.startsWith(pending.prefix)) {
        const { resolve } = pending;
        pending = undefined;
        resolve(line);
      }
    }
  });
  child.once('exit', (code) => pending?.reject(new Error(`${label} exited with ${code}:\n${output}`)));
  const next = (prefix: string) => new Promise<string>((resolve, reject) => (pending = { resolve, reject, prefix }));
  await next('@@READY');
  const baseline: CryptoBaseline = {
    label,
    port: 0,
    pid: child.pid!,
    workers: opts.threads,
    startMs: performance.now() - started,
    output: () => output,
    op: opts.op,
    threads: opts.threads,
    async run(seconds) {
      const line = next('@@RUN ');
      child.stdin!.write(`run ${seconds}\n`);
      return JSON.parse((await line).slice('@@RUN '.length)) as CryptoRun;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin!.end(); // it exits when its stdin closes
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exit, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    },
  };
  register(baseline);
  return baseline;
}

function register<S extends Server>(server: S): S {
  live.add(server);
  const stop = server.stop;
  server.stop = async () => {
    await stop();
    live.delete(server);
  };
  return server;
}

export async function readCredentials(dataDir: string): Promise<{ credentials: AdminCredentials; ca: string }> {
  const credentials = JSON.parse(await readFile(path.join(dataDir, 'admin-credentials.json'), 'utf8')) as AdminCredentials;
  return { credentials, ca: await readFile(credentials.caCertPath, 'utf8') };
}

/** A client-credentials access token for the vault audience (valid for an hour). */
export async function getToken(port: number, dataDir: string, client?: { clientId: string; clientSecret: string }): Promise<string> {
  const { credentials, ca } = await readCredentials(dataDir);
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: client?.clientId ?? credentials.clientId,
    client_secret: client?.clientSecret ?? credentials.clientSecret,
    scope: `https://vault.localhost:${port}/.default`,
  }).toString();
  const res = await request(port, 'POST', `/${credentials.tenantId}/oauth2/v2.0/token`, { ca, body: form, contentType: 'application/x-www-form-urlencoded' });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.body}`);
  return (JSON.parse(res.body) as { access_token: string }).access_token;
}

/** Runs `task(i)` for i in [0, count) with `concurrency` in flight. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(runners);
}
