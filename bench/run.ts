// `npm run bench`: starts a production-configured Coffer on a fresh data dir, fills a vault, and loads it
// with wrk against a node:https baseline in interleaved rounds; writes bench/results/. Flags: bench/options.ts.
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { measureCertificateAssembly } from './certificate-assembly.js';
import { certificateDriver } from './certificate-driver.js';
import { cleanupNow, installCleanupHandlers, trackChild, trackDir } from './cleanup.js';
import { measureDbSize, pgDbSize } from './db-size.js';
import { fillOverHttp } from './fill.js';
import { RAW_OPS, type RawOpName } from './crypto-ops.js';
import { fmt, interleave, median, summarize, type LoadShape, type Target } from './measure.js';
import { parseOptions, usage, type BenchOptions } from './options.js';
import { machineFacts, treeRssKiB } from './proc.js';
import { checkTargets, toMarkdown, toSvg, type BenchResult, type ScaleResult, type ScenarioResult } from './report.js';
import { connectBenchPostgres, redactUrl, type BenchPostgres } from './postgres.js';
import { API, SECRET_VALUE, deepToken, scenarios, scriptFor, secretName, type Scenario, type ScenarioContext } from './scenarios.js';
import {
  getToken, liveServers, readCredentials, repoRoot, request, snapshotBuild, startBaseline, startCoffer, startCryptoBaseline, type CryptoBaseline, type Server,
} from './servers.js';
import { freePort } from '../test/support/start-server.js';
import { runStoreComparison } from './store-comparison.js';
import { findWrk, runWrk } from './wrk.js';

const log = (message: string) => console.log(`bench: ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  let opts: BenchOptions;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  installCleanupHandlers();
  if (opts.scale !== undefined && opts.store.kind === 'postgres') {
    process.stderr.write('bench: --scale writes its vault straight into SQLite; it does not combine with --store postgres\n');
    process.exit(2);
  }
  const selected = selectScenarios(opts);
  const wrk = findWrk();
  const startedAt = new Date();
  const loadAverageAtStart = machineFacts().loadAverage;
  if (Number(loadAverageAtStart.split(' ')[0]) > os.availableParallelism() / 2) {
    log(`WARNING: the machine is busy (load average ${loadAverageAtStart}); figures will be noisy — see "other load" per run`);
  }
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-bench-'));
  trackDir(workDir);
  const dataDir = path.join(workDir, 'data');
  const port = opts.port ?? (await freePort());
  const entry = snapshotBuild(workDir);

  // --store postgres: a fresh database for the run (and, for the comparison, two more), dropped at the end.
  let postgres: BenchPostgres | undefined;
  let database: { name: string; url: string } | undefined;
  if (opts.store.kind === 'postgres') {
    postgres = await connectBenchPostgres(opts.store.serverUrl);
    database = await postgres.createDatabase();
    log(`PostgreSQL store: database ${database.name} on ${redactUrl(opts.store.serverUrl).replace(/\/[^/]*$/, '')} (dropped at the end)`);
  }
  const storeArgs = database === undefined || postgres === undefined ? {} : { store: database.url, dbPids: () => postgres.backendPids(database.name) };

  log(`starting Coffer on port ${port} with --workers ${opts.workers} (data dir ${dataDir}${database ? `, store ${database.name}` : ''})`);
  let coffer = await startCoffer({ label: 'coffer', entry, dataDir, port, workers: opts.workers, ...storeArgs });
  const workers = coffer.workers;
  const workersFlag = coffer.workersFlag;
  if (!workersFlag) log('the server does not know --workers yet: running 1 process, and the baseline with 1 worker too');
  let token = await getToken(port, dataDir);
  const { ca } = await readCredentials(dataDir);

  log(`filling the default vault with ${fmt(opts.secrets)} secrets over HTTPS`);
  const fillStart = performance.now();
  const versions = await fillOverHttp(port, ca, token, opts.secrets);
  const fill = { secrets: opts.secrets, seconds: (performance.now() - fillStart) / 1000 };
  log(`filled in ${fill.seconds.toFixed(1)} s (${fmt(opts.secrets / fill.seconds)} PUT/s)`);

  await coffer.stop();
  const db = postgres && database ? pgDbSize(await postgres.sizes(database.name), opts.secrets) : measureDbSize(dataDir, opts.secrets);
  coffer = await startCoffer({ label: 'coffer', entry, dataDir, port, workers, noWorkersFlag: !workersFlag, ...storeArgs });
  log(`cold start on the filled data dir: ${Math.round(coffer.startMs)} ms; database ${fmt(db.fileBytesPerSecret)} bytes per secret`);
  await sleep(1000);
  const idleKiB = treeRssKiB(coffer.pid);
  token = await getToken(port, dataDir);

  const shape: LoadShape = { wrk, workDir, connections: opts.connections, duration: opts.duration, warmup: opts.warmup, rounds: opts.rounds };
  // The admin commands open the same store as the server: COFFER_STORE_URL (or none: SQLite in the data dir).
  const cliEnv = Object.fromEntries(Object.entries({ ...process.env, COFFER_STORE_URL: database?.url }).filter(([, value]) => value !== undefined));
  const cli = async (...args: string[]) => JSON.parse(execFileSync(process.execPath, [entry, ...args, '--data-dir', dataDir], { encoding: 'utf8', env: cliEnv })) as unknown;
  const tokenFor = (client: { clientId: string; clientSecret: string }) => getToken(port, dataDir, client);
  const ctx: ScenarioContext = { port, token, ca, secretCount: opts.secrets, value: SECRET_VALUE, deepSkipToken: deepToken(opts.secrets), versions, cli, tokenFor };
  const results: ScenarioResult[] = [];
  for (const scenario of selected) {
    results.push(await runScenario(scenario, ctx, coffer, dataDir, workers, shape, opts));
  }
  const afterLoadKiB = Math.max(0, ...results.map((r) => r.coffer.rssKiB));

  const scale = opts.scale === undefined ? undefined : await runScale(opts.scale, entry, workDir, coffer, ctx, workers, workersFlag, shape);
  const coldStartMs = coffer.startMs;
  await coffer.stop();

  const storeComparison =
    postgres === undefined || !opts.storeComparison
      ? undefined
      : await runStoreComparison({ entry, workDir, postgres, workers, noWorkersFlag: !workersFlag, secrets: opts.secrets, shape });
  await postgres?.close();

  const partial: Omit<BenchResult, 'targets'> = {
    date: startedAt.toISOString(),
    machine: { nproc: os.availableParallelism(), cpuModel: machineFacts().cpuModel, node: process.version, wrk: wrkVersion(wrk), loadAverageAtStart, loadAverageAtEnd: machineFacts().loadAverage },
    config: {
      workersRequested: opts.workers, workers, connections: opts.connections, durationSeconds: opts.duration, warmupSeconds: opts.warmup,
      rounds: opts.rounds, secrets: opts.secrets, wrkThreads: 1, quick: opts.quick,
      ...(results.some((r) => r.baselineKind === 'node:crypto') ? { cryptoThreads: opts.cryptoThreads } : {}),
      store: opts.store.kind === 'postgres' && database ? { kind: 'postgres', server: redactUrl(opts.store.serverUrl).replace(/\/[^/]*$/, '/'), database: database.name } : { kind: 'sqlite' },
    },
    fill,
    coldStartMs,
    rss: { idleKiB, afterLoadKiB },
    db,
    scenarios: results,
    ...(scale === undefined ? {} : { scale }),
    ...(storeComparison === undefined ? {} : { storeComparison }),
  };
  const result: BenchResult = { ...partial, targets: checkTargets(partial) };
  await writeResults(result);
  printSummary(result);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * --scenario names (with * wildcards) in the order given; by default the non-opt-in scenarios, the key group only with
 * --keys or --quick, the certificate group only with --certificates or --quick.
 */
function selectScenarios(opts: BenchOptions): Scenario[] {
  const groupSelected = (s: Scenario) =>
    s.group === undefined || opts.quick || (s.group === 'keys' && opts.keys) || (s.group === 'certificates' && opts.certificates);
  if (opts.scenarios === undefined) return scenarios.filter((s) => !s.optIn && groupSelected(s));
  const selected: Scenario[] = [];
  for (const pattern of opts.scenarios) {
    const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
    const found = scenarios.filter((s) => re.test(s.name));
    if (found.length === 0) throw new Error(`unknown scenario '${pattern}'; known: ${scenarios.map((s) => s.name).join(', ')}`);
    for (const scenario of found) if (!selected.includes(scenario)) selected.push(scenario);
  }
  return selected;
}

async function runScenario(scenario: Scenario, ctx: ScenarioContext, coffer: Server, dataDir: string, workers: number, shape: LoadShape, opts: BenchOptions): Promise<ScenarioResult> {
  log(`scenario ${scenario.name}: ${scenario.description}`);
  const cryptoThreads = opts.cryptoThreads;
  if (scenario.certificate !== undefined) return runCertificateScenario(scenario, scenario.certificate, ctx, coffer, shape, opts);
  const setup = await scenario.setup?.(ctx);
  if (setup) ctx = { ...ctx, ...setup };
  // An inspecting warm-up on Coffer checks every answer is 2xx and measures the body the baseline must send.
  const probe = await runWrk({
    wrk: shape.wrk, scriptFile: path.join(shape.workDir, `${scenario.name}-probe.lua`), script: scriptFor(scenario, ctx, true),
    port: coffer.port, connections: shape.connections, seconds: Math.max(1, shape.warmup), inspect: true,
  });
  if ((probe.inspectedNon2xx ?? 0) > 0) log(`WARNING: ${probe.inspectedNon2xx} non-2xx answers from Coffer in the ${scenario.name} probe`);
  const bodyBytes = probe.bodyBytes ?? 0;
  if (scenario.rawCrypto !== undefined) return runCryptoScenario(scenario, scenario.rawCrypto, ctx, coffer, shape, cryptoThreads, probe.reqPerSec, bodyBytes);
  log(`${scenario.name}: probe ${fmt(probe.reqPerSec)} req/s, ${bodyBytes}-byte bodies; starting the baseline with ${workers} worker(s)`);
  const baseline = await startBaseline({ dataDir, port: await freePort(), workers, bodyBytes });
  try {
    const targets: Target[] = [
      { label: 'baseline', server: baseline, script: scriptFor(scenario, ctx) },
      { label: 'coffer', server: coffer, script: scriptFor(scenario, ctx) },
    ];
    const runs = await interleave(scenario.name, targets, shape);
    const baselineRuns = runs.get('baseline')!;
    const cofferRuns = runs.get('coffer')!;
    const summary = { baseline: summarize(baselineRuns), coffer: summarize(cofferRuns) };
    const ratio = summary.coffer.reqPerSec / summary.baseline.reqPerSec;
    const cpuRatio = summary.baseline.serverCpuUsPerReq / summary.coffer.serverCpuUsPerReq;
    log(`${scenario.name}: Coffer ${fmt(summary.coffer.reqPerSec)} req/s = ${(ratio * 100).toFixed(1)}% of baseline ${fmt(summary.baseline.reqPerSec)}; p99 ${summary.coffer.p99Ms.toFixed(2)} ms; per CPU ${(cpuRatio * 100).toFixed(1)}%`);
    return {
      name: scenario.name, description: scenario.description, baselineKind: 'https', bodyBytes, ...summary, ratio, cpuRatio,
      ...(scenario.target === undefined ? {} : { target: scenario.target }),
      ...(scenario.relativeTarget === undefined ? {} : { relativeTarget: scenario.relativeTarget }),
      runs: { baseline: baselineRuns, coffer: cofferRuns },
    };
  } finally {
    await baseline.stop();
  }
}

/**
 * A key scenario: the baseline is the raw node:crypto operation on `cryptoThreads` threads (bench/crypto-baseline.ts),
 * interleaved with Coffer's rounds like the node:https baseline; an optional reference operation runs in the same rounds.
 */
async function runCryptoScenario(
  scenario: Scenario, op: RawOpName, ctx: ScenarioContext, coffer: Server, shape: LoadShape, cryptoThreads: number, probeReqPerSec: number, bodyBytes: number,
): Promise<ScenarioResult> {
  log(`${scenario.name}: probe ${fmt(probeReqPerSec)} req/s, ${bodyBytes}-byte bodies; starting raw node:crypto ${op} on ${cryptoThreads} thread(s)`);
  const started: CryptoBaseline[] = [];
  try {
    const raw = await startCryptoBaseline({ op, threads: cryptoThreads });
    started.push(raw);
    const reference = scenario.rawReference === undefined ? undefined : await startCryptoBaseline({ op: scenario.rawReference, threads: cryptoThreads });
    if (reference) started.push(reference);
    const targets: Target[] = [
      { label: 'node:crypto', crypto: raw },
      { label: 'coffer', server: coffer, script: scriptFor(scenario, ctx) },
      ...(reference ? [{ label: 'reference', crypto: reference }] : []),
    ];
    const runs = await interleave(scenario.name, targets, shape);
    const baselineRuns = runs.get('node:crypto')!;
    const cofferRuns = runs.get('coffer')!;
    const summary = { baseline: summarize(baselineRuns), coffer: summarize(cofferRuns) };
    const ratio = summary.coffer.reqPerSec / summary.baseline.reqPerSec;
    const cpuRatio = summary.baseline.serverCpuUsPerReq / summary.coffer.serverCpuUsPerReq;
    log(
      `${scenario.name}: Coffer ${fmt(summary.coffer.reqPerSec)} req/s = ${(ratio * 100).toFixed(1)}% of raw node:crypto ${fmt(summary.baseline.reqPerSec)} ops/s; ` +
        `p99 ${summary.coffer.p99Ms.toFixed(2)} ms; CPU ${summary.coffer.serverCpuUsPerReq.toFixed(0)} µs/req vs ${summary.baseline.serverCpuUsPerReq.toFixed(1)} µs/op`,
    );
    const referenceRuns = runs.get('reference');
    const referenceSummary = referenceRuns === undefined ? undefined : summarize(referenceRuns);
    return {
      name: scenario.name, description: scenario.description, baselineKind: 'node:crypto', bodyBytes, ...summary, ratio, cpuRatio,
      crypto: {
        op, threads: cryptoThreads, description: RAW_OPS[op].description,
        ...(referenceSummary && scenario.rawReference !== undefined
          ? { reference: { op: scenario.rawReference, description: RAW_OPS[scenario.rawReference].description, summary: referenceSummary, ratio: summary.coffer.reqPerSec / referenceSummary.reqPerSec } }
          : {}),
      },
      runs: { baseline: baselineRuns, coffer: cofferRuns, ...(referenceRuns === undefined ? {} : { reference: referenceRuns }) },
    };
  } finally {
    for (const baseline of started) await baseline.stop();
  }
}

/**
 * The certificate scenario: the certificate driver (not wrk) against Coffer, interleaved with the raw node:crypto
 * operation on `cryptoThreads` threads; before the rounds, one certificate is created and inspected end to end, and
 * Coffer's certificate assembly without key generation is timed once for the report.
 */
async function runCertificateScenario(
  scenario: Scenario, spec: NonNullable<Scenario['certificate']>, ctx: ScenarioContext, coffer: Server, shape: LoadShape, opts: BenchOptions,
): Promise<ScenarioResult> {
  const op = scenario.rawCrypto;
  if (op === undefined) throw new Error(`scenario ${scenario.name}: a certificate scenario needs rawCrypto`);
  const body = JSON.stringify(spec.body);
  const check = await checkCertificateCreation(ctx, spec, body);
  log(`${scenario.name}: check: ${check.detail}`);
  const assembly = await measureCertificateAssembly(spec.subject, spec.keySize);
  log(`${scenario.name}: Coffer's certificate assembly without key generation (CSR, X.509, PKCS#12): ${assembly.cpuMsPerCertificate.toFixed(1)} CPU ms per certificate`);
  const certificateShape: LoadShape = { ...shape, duration: opts.certificateDuration };
  log(
    `${scenario.name}: ${opts.certificateClients} clients polling every ${opts.certificatePollMs} ms, ${certificateShape.duration} s runs; ` +
      `starting raw node:crypto ${op} on ${opts.cryptoThreads} thread(s)`,
  );
  const driver = certificateDriver({ port: ctx.port, ca: ctx.ca, token: ctx.token, clients: opts.certificateClients, pollMs: opts.certificatePollMs, body, api: API });
  const raw = await startCryptoBaseline({ op, threads: opts.cryptoThreads });
  try {
    const runs = await interleave(scenario.name, [
      { label: 'node:crypto', crypto: raw },
      { label: 'coffer', server: coffer, driver },
    ], certificateShape);
    const baselineRuns = runs.get('node:crypto')!;
    const cofferRuns = runs.get('coffer')!;
    const summary = { baseline: summarize(baselineRuns), coffer: summarize(cofferRuns) };
    const ratio = summary.coffer.reqPerSec / summary.baseline.reqPerSec;
    const cpuRatio = summary.baseline.serverCpuUsPerReq / summary.coffer.serverCpuUsPerReq;
    // Sampling noise: a rate counted over n certificates whose work varies with coefficient of variation cv (RSA key
    // generation's, measured on the raw side) is off by about cv/√n (1 σ); the ratio compounds both sides'.
    const cv = summary.baseline.opCv ?? Number.NaN;
    const completedPerRun = summary.coffer.certificates?.completedPerRun ?? summary.coffer.reqPerSec * certificateShape.duration;
    const rawOpsPerRun = median(baselineRuns.map((run) => run.requests));
    const noise = { coffer: cv / Math.sqrt(completedPerRun), raw: cv / Math.sqrt(rawOpsPerRun), ratio: cv * Math.sqrt(1 / completedPerRun + 1 / rawOpsPerRun) };
    log(
      `${scenario.name}: Coffer ${summary.coffer.reqPerSec.toFixed(2)} certificates/s = ${(ratio * 100).toFixed(1)}% (±${(noise.ratio * 100).toFixed(0)}% sampling noise per run) ` +
        `of raw node:crypto ${summary.baseline.reqPerSec.toFixed(2)} ops/s; create→completed p50 ${summary.coffer.p50Ms.toFixed(0)} ms, p99 ${summary.coffer.p99Ms.toFixed(0)} ms; ` +
        `CPU ${(summary.coffer.serverCpuUsPerReq / 1000).toFixed(1)} ms/certificate vs ${(summary.baseline.serverCpuUsPerReq / 1000).toFixed(1)} ms/op`,
    );
    return {
      name: scenario.name, description: scenario.description, baselineKind: 'node:crypto', bodyBytes: check.bodyBytes, ...summary, ratio, cpuRatio,
      crypto: { op, threads: opts.cryptoThreads, description: RAW_OPS[op].description },
      certificates: {
        clients: opts.certificateClients, pollMs: opts.certificatePollMs, durationSeconds: certificateShape.duration, warmupSeconds: certificateShape.warmup,
        policy: spec.body, check: check.detail, completedPerRun, rawOpsPerRun, keygenCv: cv, noise, assembly,
      },
      runs: { baseline: baselineRuns, coffer: cofferRuns },
    };
  } finally {
    driver.close();
    await raw.stop();
  }
}

/**
 * One certificate end to end before the rounds: the create answers 202 inProgress, the operation completes, and the
 * certificate is RSA of the policy's size, self-signed (issuer = subject, signature verifies with its own key).
 */
async function checkCertificateCreation(ctx: ScenarioContext, spec: NonNullable<Scenario['certificate']>, body: string): Promise<{ detail: string; bodyBytes: number }> {
  const name = `cert-check-${Date.now().toString(36)}`;
  const call = (method: string, pathname: string, requestBody?: string) =>
    request(ctx.port, method, `${pathname}?${API}`, { ca: ctx.ca, token: ctx.token, ...(requestBody === undefined ? {} : { body: requestBody }) });
  const started = performance.now();
  const created = await call('POST', `/certificates/${name}/create`, body);
  const operation = JSON.parse(created.body) as { status?: string };
  if (created.status !== 202 || operation.status !== 'inProgress') throw new Error(`certificate check: create answered ${created.status}: ${created.body.slice(0, 300)}`);
  const createdMs = performance.now() - started;
  let polls = 0;
  for (;;) {
    await sleep(20);
    polls++;
    const pending = await call('GET', `/certificates/${name}/pending`);
    const status = (JSON.parse(pending.body) as { status?: string }).status;
    if (pending.status === 200 && status === 'completed') break;
    if (pending.status !== 200 || status !== 'inProgress' || performance.now() - started > 60_000) {
      throw new Error(`certificate check: GET pending answered ${pending.status}: ${pending.body.slice(0, 300)}`);
    }
  }
  const completedMs = performance.now() - started;
  const got = await call('GET', `/certificates/${name}`);
  const cer = (JSON.parse(got.body) as { cer?: string }).cer;
  if (got.status !== 200 || cer === undefined) throw new Error(`certificate check: GET certificate answered ${got.status}: ${got.body.slice(0, 300)}`);
  const cert = new X509Certificate(Buffer.from(cer, 'base64'));
  const bits = cert.publicKey.asymmetricKeyDetails?.modulusLength;
  const subjectOk = cert.subject.split('\n').join(', ') === spec.subject;
  if (cert.publicKey.asymmetricKeyType !== 'rsa' || bits !== spec.keySize || cert.subject !== cert.issuer || !cert.verify(cert.publicKey) || !subjectOk) {
    throw new Error(`certificate check: unexpected certificate: ${cert.publicKey.asymmetricKeyType} ${bits} bits, subject ${cert.subject}, issuer ${cert.issuer}`);
  }
  return {
    detail: `202 inProgress in ${createdMs.toFixed(0)} ms, completed after ${completedMs.toFixed(0)} ms (${polls} poll${polls === 1 ? '' : 's'}); RSA-${bits}, subject = issuer = ${spec.subject}, signature verified with its own key`,
    bodyBytes: Buffer.byteLength(created.body),
  };
}

/** --scale: a second data dir with N secrets written straight into SQLite, compared with the small vault. */
async function runScale(count: number, entry: string, workDir: string, small: Server, smallCtx: ScenarioContext, workers: number, workersFlag: boolean, shape: LoadShape): Promise<ScaleResult> {
  const dataDir = path.join(workDir, 'scale');
  const port = await freePort();
  log(`scale: initializing a second data dir (${dataDir})`);
  const init = await startCoffer({ label: 'coffer-scale', entry, dataDir, port, workers, noWorkersFlag: !workersFlag });
  await init.stop();

  log(`scale: writing ${fmt(count)} sealed secrets directly into SQLite`);
  const fillStart = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench', 'scale-fill.ts'), '--data-dir', dataDir, '--count', String(count)], { cwd: repoRoot, stdio: 'inherit' });
    trackChild(child);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`scale fill exited with ${code}`))));
  });
  const fillSeconds = (performance.now() - fillStart) / 1000;
  const db = measureDbSize(dataDir, count);

  const large = await startCoffer({ label: 'coffer-scale', entry, dataDir, port, workers, noWorkersFlag: !workersFlag });
  log(`scale: cold start with ${fmt(count)} secrets: ${Math.round(large.startMs)} ms; ${fmt(db.fileBytesPerSecret)} bytes per secret`);
  try {
    await sleep(1000);
    const rssIdleKiB = treeRssKiB(large.pid);
    const { ca } = await readCredentials(dataDir);
    const largeCtx: ScenarioContext = { ...smallCtx, port, token: await getToken(port, dataDir), ca, secretCount: count, value: SECRET_VALUE, deepSkipToken: deepToken(count) };
    await checkDeepPage(largeCtx);
    const byName = (name: string) => scenarios.find((s) => s.name === name)!;

    log(`scale: secret-get on ${fmt(smallCtx.secretCount)} vs ${fmt(count)} secrets, interleaved`);
    const get = await interleave('scale-get', [
      { label: 'small', server: small, script: scriptFor(byName('secret-get'), smallCtx) },
      { label: 'large', server: large, script: scriptFor(byName('secret-get'), largeCtx) },
    ], shape);
    log('scale: list pages: first page of both vaults, and a page 90% into the large one');
    const list = await interleave('scale-list', [
      { label: 'small-start', server: small, script: scriptFor(byName('secret-list'), smallCtx) },
      { label: 'large-start', server: large, script: scriptFor(byName('secret-list'), largeCtx) },
      { label: 'large-deep', server: large, script: scriptFor(byName('secret-list-deep'), largeCtx) },
    ], shape);
    const getSummary = { small: summarize(get.get('small')!), large: summarize(get.get('large')!) };
    return {
      secrets: count, fillSeconds, db, coldStartMs: large.startMs, rssIdleKiB,
      get: { ...getSummary, ratio: getSummary.large.reqPerSec / getSummary.small.reqPerSec },
      list: { smallStart: summarize(list.get('small-start')!), largeStart: summarize(list.get('large-start')!), largeDeep: summarize(list.get('large-deep')!) },
    };
  } finally {
    await large.stop();
  }
}

/** The deep page must really start 90% in: its first item follows the token's position. */
async function checkDeepPage(ctx: ScenarioContext): Promise<void> {
  const res = await request(ctx.port, 'GET', `/secrets?api-version=7.5&maxresults=25&$skiptoken=${ctx.deepSkipToken}`, { ca: ctx.ca, token: ctx.token });
  const page = JSON.parse(res.body) as { value?: Array<{ id: string }>; nextLink?: string | null };
  const expected = secretName(Math.floor(ctx.secretCount * 0.9) + 1);
  if (res.status !== 200 || !page.value?.[0]?.id.endsWith(`/secrets/${expected}`)) {
    throw new Error(`deep list page did not start at ${expected}: ${res.status} ${res.body.slice(0, 300)}`);
  }
}

function wrkVersion(wrk: string): string {
  try {
    execFileSync(wrk, ['--version'], { encoding: 'utf8' });
  } catch (error) {
    // wrk --version prints its banner and exits 1
    const out = String((error as { stdout?: string }).stdout ?? '');
    return /^wrk \S+/.exec(out)?.[0] ?? 'wrk';
  }
  return 'wrk';
}

async function writeResults(result: BenchResult): Promise<void> {
  const dir = path.join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(path.join(dir, 'latest.json'), json);
  await writeFile(path.join(dir, `${result.date.replace(/:/g, '-').replace(/\..+$/, '')}.json`), json);
  await writeFile(path.join(dir, 'latest.md'), toMarkdown(result));
  await writeFile(path.join(dir, 'latest.svg'), toSvg(result));
  log(`wrote bench/results/latest.{json,md,svg} and a timestamped copy`);
}

function printSummary(result: BenchResult): void {
  console.log(`\n${toMarkdown(result).split('\n## Machine')[0]}`);
}

main()
  .then(() => {
    cleanupNow();
    process.exit(0);
  })
  .catch((error: unknown) => {
    process.stderr.write(`bench: failed: ${(error as Error)?.stack ?? String(error)}\n`);
    for (const server of liveServers()) {
      const tail = server.output().trim().split('\n').slice(-20).join('\n');
      if (tail !== '') process.stderr.write(`--- last output of ${server.label} (pid ${server.pid}) ---\n${tail}\n`);
    }
    cleanupNow();
    process.exit(1);
  });
