// The benchmark's results: their shape, the target checks of issue 3, and the three renderings written to
// bench/results/ (JSON, a Markdown table, an SVG bar chart drawn by hand).
import type { AssemblyResult } from './certificate-assembly.js';
import type { DbSize } from './db-size.js';
import { fmt, type RunRecord, type Summary } from './measure.js';

export interface ScenarioResult {
  name: string;
  description: string;
  /**
   * What `baseline` is: 'https' — bench/baseline-server.ts under the same wrk load (req/s); 'node:crypto' — the key
   * scenarios' raw operation on `crypto.threads` threads, no HTTP (its "req/s" are operations/s, its CPU µs/req
   * CPU µs per operation, its p50/p99 the time of one operation). Absent in results older than the key scenarios: 'https'.
   */
  baselineKind?: 'https' | 'node:crypto';
  /** Size of Coffer's response body, which the https baseline answers with. */
  bodyBytes: number;
  baseline: Summary;
  coffer: Summary;
  /** Coffer req/s ÷ baseline req/s (medians). */
  ratio: number;
  /** Baseline CPU µs/req ÷ Coffer CPU µs/req: the same ratio per CPU second, robust to CPU taken by other load. */
  cpuRatio: number;
  /** node:crypto baselines: the raw operation, and an optional reference operation measured in the same rounds. */
  crypto?: {
    op: string;
    threads: number;
    description: string;
    reference?: { op: string; description: string; summary: Summary; ratio: number };
  };
  /**
   * The certificate scenario (load from bench/certificate-driver.ts, not wrk): Coffer's "req/s" are completed
   * certificates/s, its p50/p99 create → completed latency, its CPU µs/req CPU per certificate (create, polls and the
   * background issuance), its wrk CPU the driver's; the baseline is `crypto`'s raw operation.
   */
  certificates?: {
    clients: number;
    pollMs: number;
    durationSeconds: number;
    warmupSeconds: number;
    /** The CreateCertificate body. */
    policy: object;
    /** What the end-to-end check before the rounds found. */
    check: string;
    /** Medians over runs: certificates completed in a Coffer run, raw operations in a raw run. */
    completedPerRun: number;
    rawOpsPerRun: number;
    /** Coefficient of variation of one raw operation's time (RSA key generation's spread). */
    keygenCv: number;
    /** Estimated relative sampling error (1 σ) of one run's rate, cv/√n, and of the ratio. */
    noise: { coffer: number; raw: number; ratio: number };
    /** Coffer's certificate code without key generation, timed once in the benchmark process. */
    assembly?: AssemblyResult;
  };
  target?: { minRatio: number; maxP99Ms?: number };
  relativeTarget?: { scenario: string; minRatio: number };
  runs: { baseline: RunRecord[]; coffer: RunRecord[]; reference?: RunRecord[] };
}

/** Scenarios whose baseline is raw node:crypto: the key operations and the certificate scenario. */
const isCrypto = (s: ScenarioResult) => s.baselineKind === 'node:crypto';
const isCertificate = (s: ScenarioResult) => s.certificates !== undefined;
const isKeyOperation = (s: ScenarioResult) => isCrypto(s) && !isCertificate(s);

export interface ScaleResult {
  secrets: number;
  fillSeconds: number;
  db: DbSize;
  coldStartMs: number;
  rssIdleKiB: number;
  /** secret-get on the large vault against the benchmark's small vault, interleaved. */
  get: { small: Summary; large: Summary; ratio: number };
  /** First list page on the small and large vaults, and a page 90% into the large vault. */
  list: { smallStart: Summary; largeStart: Summary; largeDeep: Summary };
}

export type StoreConfigKey = 'sqlite' | 'postgres' | 'postgres-2-nodes';

/**
 * --store postgres: a few secret scenarios on (a) SQLite, one node, (b) PostgreSQL, one node, (c) PostgreSQL, two
 * nodes on one database with the load split between them; interleaved rounds, ratios to (a).
 */
export interface StoreComparisonResult {
  /** Server processes in every configuration: one node with `oneNodeWorkers`, or two with `perNodeWorkers` each. */
  processes: number;
  oneNodeWorkers: number;
  perNodeWorkers: number;
  configurations: Array<{ key: StoreConfigKey; label: string; nodes: number; workersPerNode: number }>;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  secrets: number;
  /** The PostgreSQL server (password redacted). */
  postgresServer: string;
  loadAverageAtStart: string;
  loadAverageAtEnd: string;
  scenarios: Array<{
    name: string;
    description: string;
    summaries: Record<StoreConfigKey, Summary>;
    /** req/s ÷ SQLite's req/s (medians). */
    ratio: Record<Exclude<StoreConfigKey, 'sqlite'>, number>;
    /** The same ratio within each interleaved round: its spread shows the run's noise. */
    roundRatios: Record<Exclude<StoreConfigKey, 'sqlite'>, number[]>;
    /** SQLite's CPU µs/req ÷ this configuration's (PostgreSQL backends' CPU included): above 1 = cheaper than SQLite. */
    cpuRatio: Record<Exclude<StoreConfigKey, 'sqlite'>, number>;
    runs: Record<StoreConfigKey, RunRecord[]>;
  }>;
}

export interface TargetCheck {
  name: string;
  pass: boolean;
  detail: string;
}

export interface BenchResult {
  date: string;
  machine: { nproc: number; cpuModel: string; node: string; wrk: string; loadAverageAtStart: string; loadAverageAtEnd: string };
  config: {
    workersRequested: number; workers: number; connections: number; durationSeconds: number; warmupSeconds: number; rounds: number; secrets: number; wrkThreads: number; quick: boolean;
    /** Threads of the raw node:crypto baseline, when key scenarios ran. */
    cryptoThreads?: number;
    /** Where Coffer's data lived: SQLite in the data dir (also when absent), or a fresh database on this PostgreSQL server. */
    store?: { kind: 'sqlite' } | { kind: 'postgres'; server: string; database: string };
  };
  fill: { secrets: number; seconds: number };
  coldStartMs: number;
  rss: { idleKiB: number; afterLoadKiB: number };
  db: DbSize;
  scenarios: ScenarioResult[];
  scale?: ScaleResult;
  storeComparison?: StoreComparisonResult;
  targets: TargetCheck[];
}

export function checkTargets(result: Omit<BenchResult, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const scenario of result.scenarios) {
    if (!scenario.target) continue;
    const { minRatio, maxP99Ms } = scenario.target;
    const valid = scenario.coffer.validRuns > 0 && scenario.baseline.validRuns > 0;
    const ratioOk = scenario.ratio >= minRatio;
    const p99Ok = maxP99Ms === undefined || scenario.coffer.p99Ms <= maxP99Ms;
    checks.push({
      name: `${scenario.name} ≥ ${minRatio * 100}% of baseline${maxP99Ms === undefined ? '' : `, p99 ≤ ${maxP99Ms} ms`}`,
      pass: valid && ratioOk && p99Ok,
      detail:
        `${pct(scenario.ratio)} of baseline (${fmt(scenario.coffer.reqPerSec)} vs ${fmt(scenario.baseline.reqPerSec)} req/s)` +
        (maxP99Ms === undefined ? '' : `, p99 ${scenario.coffer.p99Ms.toFixed(2)} ms`) +
        (valid ? '' : ', no valid run (>1% errors)'),
    });
  }
  for (const scenario of result.scenarios) {
    const relative = scenario.relativeTarget;
    if (!relative) continue;
    const other = result.scenarios.find((candidate) => candidate.name === relative.scenario);
    const share = other ? scenario.ratio / other.ratio : Number.NaN;
    checks.push({
      name: `${scenario.name} ≥ ${relative.minRatio * 100}% of ${relative.scenario} (same run)`,
      pass: other !== undefined && share >= relative.minRatio,
      detail: other === undefined ? `${relative.scenario} was not run` : `${pct(share)} (${fmt(scenario.coffer.reqPerSec)} vs ${fmt(other.coffer.reqPerSec)} req/s)`,
    });
  }
  checks.push({ name: 'cold start < 1.5 s', pass: result.coldStartMs < 1500, detail: `${Math.round(result.coldStartMs)} ms with ${fmt(result.config.secrets)} secrets` });
  const scale = result.scale;
  if (scale) {
    checks.push({
      name: `${fmt(scale.secrets)} secrets: GET within 10% of ${fmt(result.config.secrets)}`,
      pass: scale.get.ratio >= 0.9,
      detail: `${pct(scale.get.ratio)} (${fmt(scale.get.large.reqPerSec)} vs ${fmt(scale.get.small.reqPerSec)} req/s)`,
    });
    const deep = scale.list.largeDeep.reqPerSec / scale.list.largeStart.reqPerSec;
    const sizes = scale.list.largeStart.reqPerSec / scale.list.smallStart.reqPerSec;
    checks.push({
      name: 'list page time independent of vault size and depth (within 10%)',
      pass: deep >= 0.9 && sizes >= 0.9,
      detail: `deep/start ${pct(deep)}, large/small ${pct(sizes)}; p50 ${scale.list.smallStart.p50Ms.toFixed(2)} / ${scale.list.largeStart.p50Ms.toFixed(2)} / ${scale.list.largeDeep.p50Ms.toFixed(2)} ms`,
    });
    checks.push({ name: `cold start < 1.5 s with ${fmt(scale.secrets)} secrets`, pass: scale.coldStartMs < 1500, detail: `${Math.round(scale.coldStartMs)} ms` });
  }
  return checks;
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

export function toMarkdown(r: BenchResult): string {
  const c = r.config;
  const https = r.scenarios.filter((s) => !isCrypto(s));
  const lines = [
    `# Coffer benchmark — ${r.date}`,
    '',
    `${c.workers} worker${c.workers === 1 ? '' : 's'} (requested ${c.workersRequested}) for Coffer and the baseline · ${c.connections} connections · ` +
      `${c.durationSeconds} s runs after ${c.warmupSeconds} s warm-up · ${c.rounds} interleaved round${c.rounds === 1 ? '' : 's'}, medians · ` +
      `wrk -t${c.wrkThreads} on the same box · ${fmt(c.secrets)} secrets of 40 bytes${c.quick ? ' · **--quick** (smoke run, not for comparison)' : ''}` +
      (c.store?.kind === 'postgres'
        ? ` · **store: PostgreSQL** (database ${c.store.database} on ${c.store.server}, this machine; Coffer’s CPU µs/req includes the PostgreSQL backends serving it)`
        : ' · store: SQLite'),
    '',
    ...secretTableMarkdown(https),
    `- Cold start (spawn → /healthz 200) on the filled data dir: **${Math.round(r.coldStartMs)} ms**`,
    `- Server RSS (all processes): ${mib(r.rss.idleKiB)} idle, ${mib(r.rss.afterLoadKiB)} right after load (peak over runs)`,
    r.db.kind === 'postgres'
      ? `- Database (PostgreSQL, pg_database_size after the fill): ${fmt(r.db.fileBytes)} bytes, ${fmt(r.db.fileBytesPerSecret)} bytes per secret` +
        ` (secret tables with indexes and TOAST: ${fmt(r.db.secretTablesBytesPerSecret ?? Number.NaN)} bytes per secret; the rest is PostgreSQL's catalog of a fresh database (~7.5 MB), principals, metadata and the audit records of the fill, which live in the shared store on PostgreSQL)`
      : `- Database: ${fmt(r.db.fileBytes)} bytes, ${fmt(r.db.fileBytesPerSecret)} bytes per secret` +
        (r.db.secretTablesBytesPerSecret === undefined ? '' : ` (secret tables and indexes: ${fmt(r.db.secretTablesBytesPerSecret)} bytes per secret; the rest is free pages, principals and metadata; audit records live in audit.db)`),
    `- Fill over HTTP: ${fmt(r.fill.secrets)} secrets in ${r.fill.seconds.toFixed(1)} s`,
  ];
  const keys = r.scenarios.filter(isKeyOperation);
  if (keys.length > 0) lines.push('', ...keyOperationsMarkdown(r, keys));
  const certificates = r.scenarios.filter(isCertificate);
  if (certificates.length > 0) lines.push('', ...certificatesMarkdown(r, certificates));
  if (r.scale) {
    const s = r.scale;
    lines.push(
      '',
      `## Scale: ${fmt(s.secrets)} secrets`,
      '',
      '| measurement | req/s | p50 ms | p99 ms | CPU µs/req |',
      '|---|---:|---:|---:|---:|',
      row(`secret-get, ${fmt(c.secrets)}-secret vault`, s.get.small),
      row(`secret-get, ${fmt(s.secrets)}-secret vault`, s.get.large),
      row(`list first page, ${fmt(c.secrets)}-secret vault`, s.list.smallStart),
      row(`list first page, ${fmt(s.secrets)}-secret vault`, s.list.largeStart),
      row(`list page 90% in ($skiptoken), ${fmt(s.secrets)}-secret vault`, s.list.largeDeep),
      '',
      `- GET ratio large/small: **${pct(s.get.ratio)}**`,
      `- Fill (direct SQLite, real envelope): ${s.fillSeconds.toFixed(1)} s · cold start **${Math.round(s.coldStartMs)} ms** · idle RSS ${mib(s.rssIdleKiB)}`,
      `- Database: ${fmt(s.db.fileBytes)} bytes, **${fmt(s.db.fileBytesPerSecret)} bytes per secret**` +
        (s.db.secretTablesBytesPerSecret === undefined ? '' : ` (secret tables and indexes ${fmt(s.db.secretTablesBytesPerSecret)})`),
    );
  }
  if (r.storeComparison) lines.push('', ...storeComparisonMarkdown(r.storeComparison));
  lines.push('', '## Targets (issue 3)', '', ...r.targets.map((t) => `- ${t.pass ? 'PASS' : 'FAIL'} ${t.name}: ${t.detail}`));
  const m = r.machine;
  lines.push(
    '',
    '## Machine',
    '',
    `${m.nproc} CPUs (${m.cpuModel}) · Node ${m.node} · ${m.wrk} · load average ${m.loadAverageAtStart} at start, ${m.loadAverageAtEnd} at end`,
    '',
    'The baseline is `bench/baseline-server.ts`: node:https with the same certificate and worker count, answering a fixed body of the same size as Coffer’s response in that scenario. ' +
      'CPU µs/req is the CPU time (user + system, from /proc) of all server processes during the measured run divided by its requests; ' +
      '“ratio per CPU” compares those (baseline ÷ Coffer), which stays stable when other load on the box steals CPU and req/s swing. ' +
      '“Other load” is CPU used on the box by neither the servers nor wrk during Coffer’s runs (from /proc/stat): above ~0.2 cores the figures are disturbed. ' +
      'Runs with more than 1% errors (including HTTP status ≥ 400) are invalid and left out of the medians.',
    '',
  );
  if (keys.length > 0) {
    lines.push(
      'The key operations’ baseline is `bench/crypto-baseline.ts`: the same operation in raw node:crypto (same key type and size, same input) run back to back on ' +
        `${r.config.cryptoThreads ?? keys[0]!.crypto?.threads ?? '?'} worker threads, one per core, with no HTTP, measured in the same run and interleaved with Coffer’s rounds (raw, Coffer, raw, Coffer…, each after its own warm-up). ` +
        'It is the most this machine can do of that operation: the ratio is the share of it that Coffer delivers over authenticated HTTPS with audit, while wrk shares the box. ' +
        'Its CPU µs/op is the baseline process’s CPU per operation; “ratio per CPU” (raw CPU µs/op ÷ Coffer CPU µs/req) is the share of Coffer’s CPU per request that is the operation itself, ' +
        'and “non-crypto CPU” the rest (HTTP, TLS, JSON, auth, the key’s read and unsealing, audit, the hand-off to a key-operation thread).',
      '',
    );
  }
  if (certificates.length > 0) {
    lines.push(
      'The certificate scenario is driven by `bench/certificate-driver.ts` in the benchmark process, not wrk: each client creates a certificate under a fresh name and polls its operation until it completes, then starts the next. ' +
        'Its baseline is the same `bench/crypto-baseline.ts` process running RSA-2048 key generation plus one signature back to back on one thread per core, interleaved the same way. ' +
        'Coffer’s CPU per certificate is its process tree’s CPU during the measured run ÷ certificates completed in it (the create, its polls and the background issuance all count); the driver’s own CPU is reported like wrk’s and left out of “other load”.',
      '',
    );
  }
  return lines.join('\n');
}

/** The certificate scenario's table: completed certificates/s end to end against raw key generation + signature. */
function certificatesMarkdown(r: BenchResult, certificates: ScenarioResult[]): string[] {
  const threads = r.config.cryptoThreads ?? certificates[0]!.crypto?.threads ?? 0;
  const ms = (us: number) => (us / 1000).toFixed(1);
  const lines = [
    `## Certificate creation vs raw node:crypto (${threads} thread${threads === 1 ? '' : 's'})`,
    '',
    '| scenario | raw node:crypto ops/s | Coffer certificates/s | ratio (± sampling noise per run) | Coffer create→completed p50 / p99 ms | Coffer create→202 p50 / p99 ms | raw op p50 / p99 ms | ' +
      'Coffer CPU ms/certificate | raw CPU ms/op | ratio per CPU | CPU beyond the raw op, ms/certificate | driver CPU ms/certificate | polls/certificate | certificates per run (Coffer / raw) | other load, cores (Coffer / raw) | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...certificates.map((s) => {
      const c = s.certificates!;
      const driver = s.coffer.certificates;
      return (
        `| ${s.name} | ${s.baseline.reqPerSec.toFixed(2)} | ${s.coffer.reqPerSec.toFixed(2)} | **${pct(s.ratio)}** (±${pct(c.noise.ratio)}) | ${s.coffer.p50Ms.toFixed(0)} / ${s.coffer.p99Ms.toFixed(0)} | ` +
        `${driver ? `${driver.createP50Ms.toFixed(0)} / ${driver.createP99Ms.toFixed(0)}` : 'n/a'} | ${s.baseline.p50Ms.toFixed(0)} / ${s.baseline.p99Ms.toFixed(0)} | ` +
        `${ms(s.coffer.serverCpuUsPerReq)} | ${ms(s.baseline.serverCpuUsPerReq)} | ${pct(s.cpuRatio)} | ${ms(s.coffer.serverCpuUsPerReq - s.baseline.serverCpuUsPerReq)} | ` +
        `${ms(s.coffer.wrkCpuUsPerReq)} | ${driver ? driver.pollsPerCertificate.toFixed(1) : 'n/a'} | ${fmt(c.completedPerRun)} / ${fmt(c.rawOpsPerRun)} | ` +
        `${s.coffer.otherCores.toFixed(2)} / ${s.baseline.otherCores.toFixed(2)} | ${s.coffer.errors}${s.coffer.validRuns < s.coffer.runs ? ` (${s.coffer.runs - s.coffer.validRuns} invalid runs)` : ''} |`
      );
    }),
    '',
  ];
  for (const s of certificates) {
    const c = s.certificates!;
    lines.push(
      `- ${s.name}: \`POST /certificates/{fresh name}/create\` with \`${JSON.stringify(c.policy)}\`, then \`GET …/pending\` every ${c.pollMs} ms until \`completed\`; ` +
        `${c.clients} closed-loop clients, ${c.durationSeconds} s measured runs after ${c.warmupSeconds} s warm-up (the load goes on from the warm-up into the measured run, and the certificates in flight at its end are finished outside it). ` +
        'A certificate counts when its completion is seen in the window; its latency runs from sending the create to seeing `completed` (so up to one poll interval late). ' +
        'Coffer answers the create with 202 only after generating the key (hence the create→202 column), and issues the certificate in the background.',
      `- Check before the rounds: ${c.check}.`,
      `- Raw operation (bench/crypto-ops.ts): ${s.crypto?.description ?? '?'}. Its op p50/p99 is the time of one key generation + signature on an unqueued thread; Coffer’s latency includes queueing behind the other clients’ certificates.`,
      `- Sampling noise: RSA key generation time varies from one key to the next (σ/mean ${Number.isFinite(c.keygenCv) ? c.keygenCv.toFixed(2) : 'n/a'} on the raw side), so a rate counted over n certificates is only known to about σ/mean ÷ √n: ` +
        `±${pct(c.noise.coffer)} for a Coffer run (${fmt(c.completedPerRun)} certificates), ±${pct(c.noise.raw)} for a raw run (${fmt(c.rawOpsPerRun)} operations), ±${pct(c.noise.ratio)} for the ratio of one round (1 σ; the median of ${r.config.rounds} round${r.config.rounds === 1 ? '' : 's'} is somewhat tighter). ` +
        'CPU per certificate carries the same noise. Differences within it are not findings; lengthen --certificate-duration or add --rounds to shrink it.',
    );
    const cofferCpuMs = s.coffer.serverCpuUsPerReq / 1000;
    const rawCpuMs = s.baseline.serverCpuUsPerReq / 1000;
    const nonCryptoMs = cofferCpuMs - rawCpuMs;
    const nonCryptoNoiseMs = Math.hypot(cofferCpuMs * c.noise.coffer, rawCpuMs * c.noise.raw);
    const polls = s.coffer.certificates ? s.coffer.certificates.pollsPerCertificate.toFixed(1) : '?';
    let where =
      `- CPU beyond the raw operation (Coffer’s CPU per certificate − the raw operation’s): **${nonCryptoMs.toFixed(1).replace('-', '−')} ms ± ${nonCryptoNoiseMs.toFixed(1)} ms** (sampling noise, 1 σ per round).`;
    if (c.assembly) {
      const a = c.assembly;
      const rest = nonCryptoMs - a.cpuMsPerCertificate;
      where +=
        ` Coffer’s certificate assembly besides the key, timed once outside the rounds (${a.description}), is **${a.cpuMsPerCertificate.toFixed(1)} ms**: ` +
        `CSR ${a.parts.csr.toFixed(1)}, self-signed certificate ${a.parts.certificate.toFixed(1)}, reading it back ${a.parts.inspect.toFixed(1)}, PKCS#12 ${a.parts.pkcs12.toFixed(1)} ` +
        '(a second RSA signature, the PKCS#12’s two PBKDF2-HMAC-SHA256 derivations of 2,048 iterations, and @peculiar/x509 and pkijs around them). ' +
        `The remaining ${rest.toFixed(1).replace('-', '−')} ms ± ${nonCryptoNoiseMs.toFixed(1)} ms is HTTP and TLS for the create and its ${polls} polls, JSON, auth, sealing the key and the secret, the SQLite transactions, audit and GC` +
        (Math.abs(rest) > 2 * nonCryptoNoiseMs ? '.' : ': within 2 σ of zero, so not resolved at this sample size.');
    }
    lines.push(where);
  }
  return lines;
}

/** --store postgres: SQLite vs PostgreSQL, one node and two, as ratios to SQLite on one node. */
function storeComparisonMarkdown(sc: StoreComparisonResult): string[] {
  const range = (values: number[]) => {
    const finite = values.filter(Number.isFinite);
    return finite.length < 2 ? '' : ` (${Math.min(...finite).toFixed(2)}–${Math.max(...finite).toFixed(2)})`;
  };
  const cpu = (summary: Summary) => `${summary.serverCpuUsPerReq.toFixed(0)}${summary.dbCpuUsPerReq === undefined ? '' : ` (${summary.dbCpuUsPerReq.toFixed(0)})`}`;
  const keys: StoreConfigKey[] = ['sqlite', 'postgres', 'postgres-2-nodes'];
  const errors = (s: StoreComparisonResult['scenarios'][number]) =>
    keys.map((key) => `${s.summaries[key].errors}${s.summaries[key].validRuns < s.summaries[key].runs ? '*' : ''}`).join(' / ');
  return [
    '## Store comparison: SQLite vs PostgreSQL, one node and two',
    '',
    `(a) SQLite, one node, \`--workers ${sc.oneNodeWorkers}\` · (b) PostgreSQL, one node, \`--workers ${sc.oneNodeWorkers}\` · (c) PostgreSQL, two nodes on one database, \`--workers ${sc.perNodeWorkers}\` each ` +
      `(the second with the first’s master key and TLS files, both with the first’s port as \`--public-port\`). **${sc.processes} Coffer processes serving requests in each configuration**` +
      `${sc.processes === sc.perNodeWorkers * 2 ? '' : ` (two nodes: ${sc.perNodeWorkers * 2}, the fewest two nodes can have)`}` +
      `${sc.oneNodeWorkers > 1 ? ` (a one-node server with \`--workers ${sc.oneNodeWorkers}\` also has its cluster primary, which holds the listening socket and runs the scheduled jobs and is otherwise idle; with \`--workers 1\` one process does all of it; every process’s CPU is counted)` : ''}` +
      `, on the same machine; PostgreSQL (${sc.postgresServer}) runs on the same machine. ` +
      `Each configuration has a fresh store with the same ${fmt(sc.secrets)} secrets. Load: ${sc.connections} wrk connections in all three; for (c) two wrk processes at once, one per node’s port, ` +
      `${Math.floor(sc.connections / 2)} connections each, their req/s summed. ${sc.rounds} interleaved round${sc.rounds === 1 ? '' : 's'} (a, b, c, a, b, c…) of ${sc.durationSeconds} s after ${sc.warmupSeconds} s warm-up; medians. ` +
      `Load average ${sc.loadAverageAtStart} before, ${sc.loadAverageAtEnd} after.`,
    '',
    '| scenario | (a) SQLite, 1 node req/s | (b) PostgreSQL, 1 node ÷ (a) | (c) PostgreSQL, 2 nodes ÷ (a) | CPU µs/req a / b / c (of which PostgreSQL) | per CPU b, c ÷ a | p50 ms a / b / c | p99 ms a / b / c | other load, cores a / b / c | errors a / b / c |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...sc.scenarios.map((s) => {
      const [a, b, c] = keys.map((key) => s.summaries[key]) as [Summary, Summary, Summary];
      return (
        `| ${s.name} | ${fmt(a.reqPerSec)} | **${s.ratio.postgres.toFixed(2)}**${range(s.roundRatios.postgres)} | **${s.ratio['postgres-2-nodes'].toFixed(2)}**${range(s.roundRatios['postgres-2-nodes'])} | ` +
        `${cpu(a)} / ${cpu(b)} / ${cpu(c)} | ${s.cpuRatio.postgres.toFixed(2)}, ${s.cpuRatio['postgres-2-nodes'].toFixed(2)} | ` +
        `${a.p50Ms.toFixed(2)} / ${b.p50Ms.toFixed(2)} / ${c.p50Ms.toFixed(2)} | ${a.p99Ms.toFixed(2)} / ${b.p99Ms.toFixed(2)} / ${c.p99Ms.toFixed(2)} | ` +
        `${a.otherCores.toFixed(2)} / ${b.otherCores.toFixed(2)} / ${c.otherCores.toFixed(2)} | ${errors(s)} |`
      );
    }),
    '',
    'Ratios are medians of req/s ÷ (a)’s median; in parentheses the range of the same ratio within each round (a round’s runs are seconds apart), ' +
      'the run’s own measure of noise: differences inside it are not findings. “Per CPU” is (a)’s CPU µs/req ÷ the configuration’s (above 1: cheaper than SQLite). ' +
      'CPU µs/req counts every Coffer process and, for PostgreSQL, the backends connected to that configuration’s database (from pg_stat_activity and /proc, in parentheses); ' +
      'PostgreSQL’s shared processes (WAL writer, checkpointer, autovacuum) are not included and show up in “other load” with the rest of the machine. ' +
      'For (c), p50 is the request-weighted mean of the two wrk processes’ p50s and p99 the higher of the two. Errors: a * marks a configuration with invalid runs (>1% errors).',
  ];
}

/** The node:https-baseline scenarios' table (nothing when a run had none), followed by a blank line. */
function secretTableMarkdown(https: ScenarioResult[]): string[] {
  if (https.length === 0) return [];
  return [
    '| scenario | baseline req/s | Coffer req/s | ratio | Coffer p50 / p99 ms | baseline p50 / p99 ms | Coffer CPU µs/req | baseline CPU µs/req | ratio per CPU | wrk CPU µs/req (Coffer) | other load, cores | body bytes | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...https.map(
      (s) =>
        `| ${s.name} | ${fmt(s.baseline.reqPerSec)} | ${fmt(s.coffer.reqPerSec)} | **${pct(s.ratio)}** | ${s.coffer.p50Ms.toFixed(2)} / ${s.coffer.p99Ms.toFixed(2)} | ` +
        `${s.baseline.p50Ms.toFixed(2)} / ${s.baseline.p99Ms.toFixed(2)} | ${s.coffer.serverCpuUsPerReq.toFixed(0)} | ${s.baseline.serverCpuUsPerReq.toFixed(0)} | ${pct(s.cpuRatio)} | ` +
        `${s.coffer.wrkCpuUsPerReq.toFixed(0)} | ${s.coffer.otherCores.toFixed(2)} | ${s.bodyBytes} | ${s.coffer.errors}${s.coffer.validRuns < s.coffer.runs ? ` (${s.coffer.runs - s.coffer.validRuns} invalid runs)` : ''} |`,
    ),
    '',
  ];
}

/** The key scenarios' table: Coffer against the raw node:crypto rate of the same operation. */
function keyOperationsMarkdown(r: BenchResult, keys: ScenarioResult[]): string[] {
  const threads = r.config.cryptoThreads ?? keys[0]!.crypto?.threads ?? 0;
  const lines = [
    `## Key operations vs raw node:crypto (${threads} thread${threads === 1 ? '' : 's'})`,
    '',
    '| scenario | raw node:crypto ops/s | Coffer req/s | ratio | Coffer p50 / p99 ms | raw op p50 / p99 µs | Coffer CPU µs/req | raw CPU µs/op | ratio per CPU | non-crypto CPU µs/req | wrk CPU µs/req | other load, cores (Coffer / raw) | body bytes | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...keys.map(
      (s) =>
        `| ${s.name} | ${fmt(s.baseline.reqPerSec)} | ${fmt(s.coffer.reqPerSec)} | **${pct(s.ratio)}** | ${s.coffer.p50Ms.toFixed(2)} / ${s.coffer.p99Ms.toFixed(2)} | ` +
        `${us(s.baseline.p50Ms)} / ${us(s.baseline.p99Ms)} | ${s.coffer.serverCpuUsPerReq.toFixed(0)} | ${cpuUs(s.baseline.serverCpuUsPerReq)} | ${pct(s.cpuRatio)} | ` +
        `${nonCryptoCell(s)} | ${s.coffer.wrkCpuUsPerReq.toFixed(0)} | ${s.coffer.otherCores.toFixed(2)} / ${s.baseline.otherCores.toFixed(2)} | ${s.bodyBytes} | ` +
        `${s.coffer.errors}${s.coffer.validRuns < s.coffer.runs ? ` (${s.coffer.runs - s.coffer.validRuns} invalid runs)` : ''} |`,
    ),
    '',
    'Raw operations (bench/crypto-ops.ts):',
    '',
    ...keys.map((s) => `- ${s.name}: ${s.crypto?.description ?? '?'}`),
  ];
  for (const s of keys) {
    const ref = s.crypto?.reference;
    if (!ref) continue;
    lines.push(
      `- ${s.name}, reference measured in the same rounds: ${ref.description}: **${fmt(ref.summary.reqPerSec)} ops/s** (${cpuUs(ref.summary.serverCpuUsPerReq)} CPU µs/op, one op p50 ${us(ref.summary.p50Ms)} µs); ` +
        `Coffer’s ${fmt(s.coffer.reqPerSec)} req/s are **${pct(ref.ratio)}** of it, and its CPU per operation is ${pct(ref.summary.serverCpuUsPerReq / s.coffer.serverCpuUsPerReq)} of Coffer’s per request ` +
        '(† the non-crypto CPU of this row is Coffer’s minus this reference’s)',
    );
  }
  return lines;
}

/**
 * Coffer's CPU per request minus the CPU of the operation it performs: the raw node:crypto one, or the reference
 * operation where one was measured (ES256: Coffer signs with @noble/curves, not node:crypto), marked †.
 */
function nonCryptoCell(s: ScenarioResult): string {
  const reference = s.crypto?.reference;
  const operationUs = reference?.summary.serverCpuUsPerReq ?? s.baseline.serverCpuUsPerReq;
  return `${(s.coffer.serverCpuUsPerReq - operationUs).toFixed(0)}${reference ? ' †' : ''}`;
}

/** A Summary's ms figure of a raw operation, in µs. */
const us = (ms: number) => (ms * 1000 < 100 ? (ms * 1000).toFixed(1) : (ms * 1000).toFixed(0));
const cpuUs = (value: number) => (value < 100 ? value.toFixed(1) : value.toFixed(0));

function row(label: string, s: Summary): string {
  return `| ${label} | ${fmt(s.reqPerSec)} | ${s.p50Ms.toFixed(2)} | ${s.p99Ms.toFixed(2)} | ${s.serverCpuUsPerReq.toFixed(0)} |`;
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Horizontal bars. Secret scenarios: req/s and p99 latency, node:https baseline and Coffer. Key scenarios (if any):
 * throughput and CPU per operation against raw node:crypto, on log scales (raw AES runs ~100× Coffer's rate).
 */
export function toSvg(r: BenchResult): string {
  const https = r.scenarios.filter((s) => !isCrypto(s));
  const keys = r.scenarios.filter(isCrypto); // key operations and the certificate scenario, against raw node:crypto
  const hasCertificates = keys.some(isCertificate);
  const labelWidth = Math.max(140, 30 + 7.5 * Math.max(0, ...r.scenarios.map((s) => s.name.length)));
  const barArea = 560;
  const width = Math.round(labelWidth + barArea + (hasCertificates ? 340 : keys.length > 0 ? 290 : 250));
  const barHeight = 18;
  const groupGap = 16;
  const colors = { baseline: '#9aa5b1', coffer: '#2f6fdf', crypto: '#e08a2c' };
  const parts: string[] = [];
  let y = 30;
  const legend = (entries: Array<[string, string]>, top: number) => {
    let x = width - 20 - entries.reduce((sum, [label]) => sum + 30 + 7 * label.length, 0);
    for (const [label, color] of entries) {
      parts.push(`<rect x="${x.toFixed(0)}" y="${top - 11}" width="12" height="12" fill="${color}"/><text x="${(x + 18).toFixed(0)}" y="${top}" font-size="12">${esc(label)}</text>`);
      x += 30 + 7 * label.length;
    }
  };
  const onlyCertificates = hasCertificates && !keys.some(isKeyOperation);
  const title =
    keys.length === 0
      ? 'Coffer vs node:https baseline'
      : https.length > 0
        ? 'Coffer vs node:https and raw node:crypto baselines'
        : `Coffer ${onlyCertificates ? 'certificate creation' : hasCertificates ? 'key and certificate operations' : 'key operations'} vs raw node:crypto`;
  const certificateRuns = keys.find(isCertificate)?.certificates;
  parts.push(
    `<text x="20" y="${y}" font-size="18" font-weight="bold">${title} — ${esc(r.date.slice(0, 16).replace('T', ' '))} UTC</text>`,
    `<text x="20" y="${y + 20}" font-size="12" fill="#555">${r.config.workers} worker(s), ${r.config.connections} connections, medians of ${r.config.rounds} interleaved round(s) of ${r.config.durationSeconds} s${certificateRuns ? ` (certificates: ${certificateRuns.durationSeconds} s, ${certificateRuns.clients} clients)` : ''}; ${esc(r.machine.cpuModel)}, ${r.machine.nproc} CPUs</text>`,
  );
  y += 50;

  type Series = { label: string; color: string; value: (s: ScenarioResult) => number; unit: (v: number) => string };
  const panel = (title: string, list: ScenarioResult[], series: Series[], note: (s: ScenarioResult) => string, log: boolean) => {
    parts.push(`<text x="20" y="${y}" font-size="15" font-weight="bold">${esc(title)}</text>`);
    // The legend goes right of the title, or on a line of its own when both would not fit (~8.5 px per bold character).
    const legendWidth = series.reduce((sum, item) => sum + 30 + 7 * item.label.length, 0);
    if (20 + 8.5 * title.length + 20 + legendWidth > width - 20) y += 18;
    legend(series.map((item) => [item.label, item.color]), y);
    y += 12;
    const values = list.flatMap((s) => series.map((item) => item.value(s))).filter((v) => Number.isFinite(v) && v > 0);
    const max = Math.max(1e-9, ...values);
    const lo = log ? Math.min(max, ...values) / 2 : 0; // the shortest bar still shows
    const hi = log ? max * 1.6 : max; // room for the longest bar's label
    const scale = (v: number) => (log ? (Math.log10(v / lo) / Math.log10(hi / lo)) * barArea : (v / hi) * barArea);
    const groupHeight = series.length * (barHeight + 2) - 2;
    if (log) {
      const bottom = y + list.length * (groupHeight + groupGap) - groupGap;
      for (let tick = 10 ** Math.ceil(Math.log10(lo)); tick <= hi; tick *= 10) {
        const x = labelWidth + scale(tick);
        parts.push(
          `<line x1="${x.toFixed(1)}" y1="${y - 2}" x2="${x.toFixed(1)}" y2="${bottom + 2}" stroke="#ddd"/>`,
          `<text x="${x.toFixed(1)}" y="${bottom + 14}" font-size="10" fill="#777" text-anchor="middle">${esc(fmt(tick))}</text>`,
        );
      }
    }
    for (const s of list) {
      parts.push(`<text x="20" y="${y + groupHeight / 2 + 4}" font-size="13">${esc(s.name)}</text>`);
      series.forEach((item, i) => {
        const v = item.value(s);
        const w = Number.isFinite(v) && v > 0 ? Math.max(1, scale(v)) : 0;
        const top = y + i * (barHeight + 2);
        parts.push(
          `<rect x="${labelWidth}" y="${top}" width="${w.toFixed(1)}" height="${barHeight}" fill="${item.color}"/>`,
          `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${top + 13}" font-size="12">${esc(item.unit(v))}</text>`,
        );
      });
      parts.push(`<text x="${labelWidth + barArea + 90}" y="${y + groupHeight / 2 + 4}" font-size="12" fill="#333">${esc(note(s))}</text>`);
      y += groupHeight + groupGap;
    }
    y += log ? 34 : 20;
  };

  if (https.length > 0) {
    const pair = (value: (summary: Summary) => number, unit: (v: number) => string): Series[] => [
      { label: 'baseline', color: colors.baseline, value: (s) => value(s.baseline), unit },
      { label: 'Coffer', color: colors.coffer, value: (s) => value(s.coffer), unit },
    ];
    panel('Throughput (req/s, higher is better)', https, pair((s) => s.reqPerSec, fmt), (s) => `${pct(s.ratio)} of baseline`, false);
    panel('p99 latency (ms, lower is better)', https, pair((s) => s.p99Ms, (v) => `${v.toFixed(2)} ms`), (s) => `Coffer p50 ${s.coffer.p50Ms.toFixed(2)} ms`, false);
  }
  if (keys.length > 0) {
    const threads = r.config.cryptoThreads ?? keys[0]!.crypto?.threads ?? 0;
    const raw = `raw node:crypto (${threads} threads)`;
    const what = hasCertificates ? (keys.some(isKeyOperation) ? 'Key and certificate operations' : 'Certificate creation') : 'Key operations';
    const rate = (v: number) => (v < 100 ? v.toFixed(1) : fmt(v));
    const cpuTime = (v: number) => (v >= 10_000 ? `${fmt(v / 1000)} ms` : `${cpuUs(v)} µs`);
    panel(
      `${what}: throughput (log scale, higher is better)`,
      keys,
      [
        { label: `${raw}, ops/s`, color: colors.crypto, value: (s) => s.baseline.reqPerSec, unit: rate },
        { label: onlyCertificates ? 'Coffer, certificates/s' : hasCertificates ? 'Coffer, req/s or certificates/s' : 'Coffer, req/s', color: colors.coffer, value: (s) => s.coffer.reqPerSec, unit: rate },
      ],
      (s) => `${pct(s.ratio)}${s.certificates ? ` (±${(s.certificates.noise.ratio * 100).toFixed(0)}%)` : ''} of raw; p99 ${s.coffer.p99Ms.toFixed(0)} ms`,
      true,
    );
    panel(
      `${what}: CPU per operation (log scale, lower is better)`,
      keys,
      [
        { label: `${raw}, per op`, color: colors.crypto, value: (s) => s.baseline.serverCpuUsPerReq, unit: cpuTime },
        { label: onlyCertificates ? 'Coffer, per certificate' : hasCertificates ? 'Coffer, per request or certificate' : 'Coffer, per request', color: colors.coffer, value: (s) => s.coffer.serverCpuUsPerReq, unit: cpuTime },
      ],
      (s) => {
        // ES256: the operation Coffer performs is the reference (@noble/curves), not node:crypto's.
        const reference = s.crypto?.reference;
        return reference ? `noble op = ${pct(reference.summary.serverCpuUsPerReq / s.coffer.serverCpuUsPerReq)} of CPU` : `operation = ${pct(s.cpuRatio)} of CPU`;
      },
      true,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
}
