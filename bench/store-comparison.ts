// --store postgres: the store comparison. A few cheap secret scenarios on (a) SQLite, one node; (b) PostgreSQL, one
// node; (c) PostgreSQL, two nodes sharing one database with the load split between them (one wrk process per node,
// like a load balancer that spreads connections evenly); the same number of server processes in all three. Each
// configuration gets a fresh store filled the same way; the rounds interleave a, b, c, a, b, c…, and every figure is
// reported as a ratio to (a) in the same run.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fillOverHttp } from './fill.js';
import { fmt, interleave, summarize, type LoadShape, type RunRecord, type Target } from './measure.js';
import { redactUrl, type BenchPostgres } from './postgres.js';
import { machineFacts } from './proc.js';
import type { StoreComparisonResult, StoreConfigKey } from './report.js';
import { SECRET_VALUE, deepToken, scenarios, scriptFor, secretName, type ScenarioContext } from './scenarios.js';
import { getToken, readCredentials, request, startCoffer, type Server } from './servers.js';
import { freePort } from '../test/support/start-server.js';
import { runWrk } from './wrk.js';

const log = (message: string) => console.log(`bench: store comparison: ${message}`);

/** The scenarios compared (cheap, no setup of their own). */
export const COMPARISON_SCENARIOS = ['secret-get-version', 'secret-get', 'secret-set', 'secret-list'];

interface Configuration {
  key: StoreConfigKey;
  label: string;
  nodes: Server[];
  ctx: ScenarioContext;
}

export async function runStoreComparison(opts: {
  entry: string; workDir: string; postgres: BenchPostgres; workers: number; noWorkersFlag: boolean; secrets: number; shape: LoadShape;
}): Promise<StoreComparisonResult> {
  const processes = opts.workers;
  const perNode = Math.max(1, Math.floor(processes / 2));
  const loadAverageAtStart = machineFacts().loadAverage;
  const started: Server[] = [];
  const start = async (label: string, args: Omit<Parameters<typeof startCoffer>[0], 'label' | 'entry'>) => {
    const server = await startCoffer({ ...args, label, entry: opts.entry, noWorkersFlag: opts.noWorkersFlag });
    started.push(server);
    return server;
  };
  const noSetup = () => Promise.reject(new Error('the store comparison runs scenarios without setup'));
  const filled = async (label: string, node: Server, dataDir: string, publicPort: number): Promise<ScenarioContext> => {
    const token = await getToken(publicPort, dataDir);
    const { ca } = await readCredentials(dataDir);
    const fillStart = performance.now();
    const versions = await fillOverHttp(node.port, ca, token, opts.secrets);
    log(`${label}: filled ${fmt(opts.secrets)} secrets in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);
    return { port: publicPort, token, ca, secretCount: opts.secrets, value: SECRET_VALUE, deepSkipToken: deepToken(opts.secrets), versions, cli: noSetup, tokenFor: noSetup };
  };
  try {
    // (a) SQLite, one node.
    const sqliteDir = path.join(opts.workDir, 'compare-sqlite');
    const sqlitePort = await freePort();
    log(`(a) SQLite, one node, --workers ${processes}, port ${sqlitePort}`);
    const sqlite = await start('coffer-sqlite', { dataDir: sqliteDir, port: sqlitePort, workers: processes });
    const a: Configuration = { key: 'sqlite', label: 'SQLite, 1 node', nodes: [sqlite], ctx: await filled('(a)', sqlite, sqliteDir, sqlitePort) };

    // (b) PostgreSQL, one node.
    const oneDb = await opts.postgres.createDatabase('_1node');
    const oneDir = path.join(opts.workDir, 'compare-postgres-1');
    const onePort = await freePort();
    log(`(b) PostgreSQL, one node, --workers ${processes}, port ${onePort}, database ${oneDb.name}`);
    const one = await start('coffer-pg', {
      dataDir: oneDir, port: onePort, workers: processes, store: oneDb.url, dbPids: () => opts.postgres.backendPids(oneDb.name),
    });
    const b: Configuration = { key: 'postgres', label: 'PostgreSQL, 1 node', nodes: [one], ctx: await filled('(b)', one, oneDir, onePort) };

    // (c) PostgreSQL, two nodes on one database: the second has the first's master key and TLS files, and both take
    // the first's port as --public-port (token audiences, vault URLs), as behind a load balancer listening there.
    const twoDb = await opts.postgres.createDatabase('_2nodes');
    const firstDir = path.join(opts.workDir, 'compare-postgres-2a');
    const secondDir = path.join(opts.workDir, 'compare-postgres-2b');
    const firstPort = await freePort();
    const secondPort = await freePort();
    const dbPids = () => opts.postgres.backendPids(twoDb.name);
    log(`(c) PostgreSQL, two nodes, --workers ${perNode} each, ports ${firstPort} and ${secondPort} (public port ${firstPort}), database ${twoDb.name}`);
    const first = await start('coffer-pg-node1', {
      dataDir: firstDir, port: firstPort, workers: perNode, store: twoDb.url, args: ['--public-port', String(firstPort)], dbPids,
    });
    const tls = path.join(firstDir, 'tls');
    const second = await start('coffer-pg-node2', {
      dataDir: secondDir, port: secondPort, workers: perNode, store: twoDb.url, dbPids,
      args: [
        '--public-port', String(firstPort),
        '--tls-cert', path.join(tls, 'server.pem'), '--tls-key', path.join(tls, 'server-key.pem'), '--tls-ca', path.join(tls, 'ca.pem'),
      ],
      env: { COFFER_MASTER_KEY: (await readFile(path.join(firstDir, 'master.key'), 'utf8')).trim() },
      caFile: path.join(tls, 'ca.pem'),
    });
    const c: Configuration = { key: 'postgres-2-nodes', label: 'PostgreSQL, 2 nodes', nodes: [first, second], ctx: await filled('(c)', first, firstDir, firstPort) };
    await checkSecondNode(c.ctx, second.port);

    const configurations = [a, b, c];
    const results: StoreComparisonResult['scenarios'] = [];
    for (const name of COMPARISON_SCENARIOS) {
      const scenario = scenarios.find((s) => s.name === name);
      if (scenario === undefined) throw new Error(`store comparison: no scenario ${name}`);
      log(`${name}: ${scenario.description}`);
      // An inspecting run on every node first: all answers must be 2xx (the second node with the first's token).
      for (const config of configurations) {
        for (const [i, node] of config.nodes.entries()) {
          const probe = await runWrk({
            wrk: opts.shape.wrk, scriptFile: path.join(opts.workDir, `compare-${name}-${config.key}-${i + 1}-probe.lua`), script: scriptFor(scenario, config.ctx, true),
            port: node.port, connections: Math.max(1, Math.floor(opts.shape.connections / config.nodes.length)), seconds: Math.max(1, opts.shape.warmup), inspect: true,
          });
          if ((probe.inspectedNon2xx ?? 0) > 0 || probe.errors > 0) {
            log(`WARNING: ${name} probe on ${config.label}, node ${i + 1}: ${probe.inspectedNon2xx ?? 0} non-2xx answers, ${probe.errors} errors of ${probe.requests}`);
          }
        }
      }
      const targets: Target[] = configurations.map((config) =>
        config.nodes.length === 1
          ? { label: config.key, server: config.nodes[0]!, script: scriptFor(scenario, config.ctx) }
          : { label: config.key, parts: config.nodes.map((server) => ({ server, script: scriptFor(scenario, config.ctx) })) },
      );
      const runs = await interleave(`compare-${name}`, targets, opts.shape);
      const get = (key: StoreConfigKey) => runs.get(key)!;
      const summaries = { sqlite: summarize(get('sqlite')), postgres: summarize(get('postgres')), 'postgres-2-nodes': summarize(get('postgres-2-nodes')) };
      const ratioOf = (key: StoreConfigKey) => summaries[key].reqPerSec / summaries.sqlite.reqPerSec;
      const cpuRatioOf = (key: StoreConfigKey) => summaries.sqlite.serverCpuUsPerReq / summaries[key].serverCpuUsPerReq;
      const roundRatios = (key: StoreConfigKey) => perRound(get('sqlite'), get(key));
      const entry = {
        name, description: scenario.description, summaries,
        ratio: { postgres: ratioOf('postgres'), 'postgres-2-nodes': ratioOf('postgres-2-nodes') },
        roundRatios: { postgres: roundRatios('postgres'), 'postgres-2-nodes': roundRatios('postgres-2-nodes') },
        cpuRatio: { postgres: cpuRatioOf('postgres'), 'postgres-2-nodes': cpuRatioOf('postgres-2-nodes') },
        runs: { sqlite: get('sqlite'), postgres: get('postgres'), 'postgres-2-nodes': get('postgres-2-nodes') },
      };
      results.push(entry);
      log(
        `${name}: SQLite ${fmt(summaries.sqlite.reqPerSec)} req/s; PostgreSQL 1 node ×${entry.ratio.postgres.toFixed(2)}, 2 nodes ×${entry.ratio['postgres-2-nodes'].toFixed(2)} ` +
          `(CPU µs/req ${summaries.sqlite.serverCpuUsPerReq.toFixed(0)} / ${summaries.postgres.serverCpuUsPerReq.toFixed(0)} / ${summaries['postgres-2-nodes'].serverCpuUsPerReq.toFixed(0)})`,
      );
    }
    const result: StoreComparisonResult = {
      processes, perNodeWorkers: perNode, oneNodeWorkers: processes,
      configurations: configurations.map((config) => ({ key: config.key, label: config.label, nodes: config.nodes.length, workersPerNode: config.nodes[0]!.workers })),
      connections: opts.shape.connections, durationSeconds: opts.shape.duration, warmupSeconds: opts.shape.warmup, rounds: opts.shape.rounds, secrets: opts.secrets,
      postgresServer: redactUrl(opts.postgres.serverUrl),
      loadAverageAtStart, loadAverageAtEnd: machineFacts().loadAverage,
      scenarios: results,
    };
    printComparison(result);
    return result;
  } finally {
    for (const server of started.reverse()) await server.stop();
  }
}

/** Each round's ratio (that round's run of `key` ÷ that round's SQLite run): their spread is the run's noise. */
function perRound(sqlite: RunRecord[], other: RunRecord[]): number[] {
  return other.map((run) => {
    const base = sqlite.find((candidate) => candidate.round === run.round);
    return base === undefined || base.reqPerSec === 0 ? Number.NaN : run.reqPerSec / base.reqPerSec;
  });
}

/**
 * The second node serves the vault the first one filled, with the first's token and Host (the public port): a
 * secret written through node 1 reads back through node 2, and a new version written through node 2 is what
 * node 1 answers next (the caches follow the other node).
 */
async function checkSecondNode(ctx: ScenarioContext, secondPort: number): Promise<void> {
  const host = `localhost:${ctx.port}`;
  const name = secretName(1);
  const read = await request(secondPort, 'GET', `/secrets/${name}?api-version=7.5`, { ca: ctx.ca, token: ctx.token, host });
  const readValue = read.status === 200 ? (JSON.parse(read.body) as { value?: string }).value : undefined;
  if (readValue !== SECRET_VALUE) throw new Error(`store comparison: node 2 answered GET ${name} with ${read.status}: ${read.body.slice(0, 300)}`);
  const value = `${SECRET_VALUE}-node2`;
  const written = await request(secondPort, 'PUT', `/secrets/${name}?api-version=7.5`, { ca: ctx.ca, token: ctx.token, host, body: JSON.stringify({ value }) });
  if (written.status !== 200) throw new Error(`store comparison: node 2 answered PUT ${name} with ${written.status}: ${written.body.slice(0, 300)}`);
  const back = await request(ctx.port, 'GET', `/secrets/${name}?api-version=7.5`, { ca: ctx.ca, token: ctx.token });
  const backValue = back.status === 200 ? (JSON.parse(back.body) as { value?: string }).value : undefined;
  if (backValue !== value) throw new Error(`store comparison: node 1 did not see node 2's write of ${name}: ${back.status} ${back.body.slice(0, 300)}`);
  log('(c) node 2 accepts node 1\'s token and reads its secrets; node 1 sees node 2\'s write at once');
}

/** The short table on stdout. */
export function printComparison(r: StoreComparisonResult): void {
  const range = (values: number[]) => {
    const finite = values.filter(Number.isFinite);
    return finite.length < 2 ? '' : ` (${Math.min(...finite).toFixed(2)}–${Math.max(...finite).toFixed(2)})`;
  };
  const lines = [
    '',
    `Store comparison: req/s as a ratio to SQLite, one node (${r.processes} serving processes in each configuration: one node --workers ${r.oneNodeWorkers}, ` +
      `two nodes --workers ${r.perNodeWorkers} each); medians of ${r.rounds} interleaved round(s), per-round range in parentheses; load average ${r.loadAverageAtStart} → ${r.loadAverageAtEnd}`,
    `${'scenario'.padEnd(20)} ${'SQLite req/s'.padStart(13)}  ${'PostgreSQL, 1 node'.padEnd(22)}  ${'PostgreSQL, 2 nodes'.padEnd(22)}  CPU µs/req (a / b / c)`,
  ];
  for (const s of r.scenarios) {
    lines.push(
      `${s.name.padEnd(20)} ${fmt(s.summaries.sqlite.reqPerSec).padStart(13)}  ${`${s.ratio.postgres.toFixed(2)}${range(s.roundRatios.postgres)}`.padEnd(22)}  ` +
        `${`${s.ratio['postgres-2-nodes'].toFixed(2)}${range(s.roundRatios['postgres-2-nodes'])}`.padEnd(22)}  ` +
        `${s.summaries.sqlite.serverCpuUsPerReq.toFixed(0)} / ${s.summaries.postgres.serverCpuUsPerReq.toFixed(0)} / ${s.summaries['postgres-2-nodes'].serverCpuUsPerReq.toFixed(0)}`,
    );
  }
  console.log(`${lines.join('\n')}\n`);
}
