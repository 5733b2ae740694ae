// Command-line flags of `npm run bench`, with --quick's smaller defaults.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_POSTGRES_SERVER } from './postgres.js';

/** Where Coffer keeps its data: SQLite in the data dir, or fresh databases on a PostgreSQL server. */
export type BenchStore = { kind: 'sqlite' } | { kind: 'postgres'; serverUrl: string };

export interface BenchOptions {
  quick: boolean;
  workers: number;
  connections: number;
  /** Seconds of each measured run, and of the unmeasured warm-up run before it. */
  duration: number;
  warmup: number;
  rounds: number;
  secrets: number;
  scenarios: string[] | undefined;
  /** Also run the key scenarios (group 'keys'); --quick runs them anyway. */
  keys: boolean;
  /** Also run the certificate scenario (group 'certificates'); --quick runs it anyway. */
  certificates: boolean;
  /** Threads of the raw-crypto baseline of the key and certificate scenarios (default: the number of cores). */
  cryptoThreads: number;
  /** The certificate scenario's concurrent clients, seconds per measured run, and poll interval of each operation. */
  certificateClients: number;
  certificateDuration: number;
  certificatePollMs: number;
  port: number | undefined;
  scale: number | undefined;
  store: BenchStore;
  /** With a PostgreSQL store: also compare SQLite, PostgreSQL and two PostgreSQL nodes (on by default). */
  storeComparison: boolean;
}

export const usage = `Usage: npm run bench -- [options]
  --quick              smoke run: 1 round, 3 s runs, 1 s warm-up, 200 secrets, key and certificate scenarios included
                       (~3 minutes)
  --workers N          server processes, for Coffer and the baseline (default: ${os.availableParallelism()} = cores)
  --connections C      wrk connections (default 32)
  --duration S         seconds per measured run (default 8)
  --warmup S           seconds of the unmeasured run before each measured one (default 2)
  --rounds R           interleaved baseline/Coffer rounds per scenario (default 3); medians are reported
  --secrets N          secrets in the benchmarked vault (default 1000)
  --scenario NAME      run only these scenarios (repeatable, or a comma list; * matches any text: 'key-*')
  --keys               also run the key scenarios (sign, wrap/unwrap, encrypt/decrypt against raw node:crypto;
                       about 9 more minutes at the default length)
  --certificates       also run the certificate scenario (RSA-2048 self-signed certificates created per second
                       against raw node:crypto key generation + signature; about 2.5 more minutes)
  --certificate-clients N      concurrent clients creating certificates (default: ${2 * os.availableParallelism()} = 2 × cores)
  --certificate-duration S     seconds per measured certificate run (default 20; --quick: 4): RSA key generation
                       time varies a lot, so a run needs ~100 certificates for a rate within ±5–10%
  --certificate-poll-ms MS     interval between polls of a pending certificate (default 50)
  --crypto-threads N   threads of the raw node:crypto baseline of the key and certificate scenarios
                       (default: ${os.availableParallelism()} = cores)
  --port P             Coffer's port (default: a free one)
  --scale N            also build an N-secret vault (e.g. 1000000) and compare GET, list paging, cold start
                       (SQLite only)
  --store postgres     run Coffer on PostgreSQL instead of SQLite: a fresh database coffer_bench_<random> on
                       ${DEFAULT_POSTGRES_SERVER.replace(/\/[^/]*$/, '')} (or --store postgres://USER@HOST:PORT/DB: that server; DB is
                       only where the bench connects to create its own), dropped at the end, also on Ctrl-C.
                       Then also a store comparison, interleaved: secret-get-version, secret-get, secret-set,
                       secret-list on (a) SQLite, one node, --workers W; (b) PostgreSQL, one node, --workers W;
                       (c) PostgreSQL, two nodes sharing the database, --workers W/2 each, load split between them
                       (W = --workers); each as a ratio to (a). Adds about 6 minutes at the default length
  --no-store-comparison  with --store postgres: skip that comparison
`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      workers: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      secrets: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      keys: { type: 'boolean', default: false },
      certificates: { type: 'boolean', default: false },
      'certificate-clients': { type: 'string' },
      'certificate-duration': { type: 'string' },
      'certificate-poll-ms': { type: 'string' },
      'crypto-threads': { type: 'string' },
      port: { type: 'string' },
      scale: { type: 'string' },
      store: { type: 'string' },
      'no-store-comparison': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const int = (name: string, raw: string | undefined, fallback: number, min = 1): number => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}; got '${raw}'`);
    return value;
  };
  const scenarios = values.scenario?.flatMap((entry) => entry.split(',')).map((name) => name.trim()).filter((name) => name !== '');
  return {
    quick,
    workers: int('workers', values.workers, os.availableParallelism()),
    connections: int('connections', values.connections, 32),
    duration: int('duration', values.duration, quick ? 3 : 8),
    warmup: int('warmup', values.warmup, quick ? 1 : 2),
    rounds: int('rounds', values.rounds, quick ? 1 : 3),
    secrets: int('secrets', values.secrets, quick ? 200 : 1000),
    scenarios: scenarios === undefined || scenarios.length === 0 ? undefined : scenarios,
    keys: values.keys ?? false,
    certificates: values.certificates ?? false,
    cryptoThreads: int('crypto-threads', values['crypto-threads'], os.availableParallelism()),
    certificateClients: int('certificate-clients', values['certificate-clients'], 2 * os.availableParallelism()),
    certificateDuration: int('certificate-duration', values['certificate-duration'], quick ? 4 : 20),
    certificatePollMs: int('certificate-poll-ms', values['certificate-poll-ms'], 50),
    port: values.port === undefined ? undefined : int('port', values.port, 0),
    scale: values.scale === undefined ? undefined : int('scale', values.scale, 0, 1000),
    store: parseStore(values.store),
    storeComparison: !(values['no-store-comparison'] ?? false),
  };
}

function parseStore(raw: string | undefined): BenchStore {
  if (raw === undefined || raw === 'sqlite') return { kind: 'sqlite' };
  if (raw === 'postgres' || raw === 'postgresql') return { kind: 'postgres', serverUrl: DEFAULT_POSTGRES_SERVER };
  if (/^postgres(ql)?:\/\//.test(raw)) {
    try {
      new URL(raw);
    } catch {
      throw new Error(`--store: not a URL: '${raw}'`);
    }
    return { kind: 'postgres', serverUrl: raw };
  }
  throw new Error(`--store must be sqlite, postgres or postgres://USER@HOST:PORT/DB; got '${raw}'`);
}
