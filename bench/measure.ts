// Interleaved measurement: for each round, each target gets an unmeasured warm-up run and then a measured
// run (wrk against a server, a raw-crypto baseline running its operation, or the certificate driver against a
// server), with the target's process tree CPU (from /proc) read around it. Medians over the valid runs.
import path from 'node:path';
import type { CertificateDriver, CertificateRunStats } from './certificate-driver.js';
import { cpuMicros, machineBusyMicros, treeCpuMicros, treeRssKiB } from './proc.js';
import type { CryptoBaseline, Server } from './servers.js';
import { runWrk, type WrkResult } from './wrk.js';

/** A server loaded by wrk. */
export interface WrkTarget {
  label: string;
  server: Server;
  /** The wrk script for this target (scripts differ only in token and secret count). */
  script: string;
}

/**
 * Several nodes loaded at once, one wrk process per node (the shape of a load balancer that spreads connections
 * evenly): the connections are split between them, requests and req/s are summed, CPU is summed over the nodes'
 * process trees; p50 is the request-weighted mean of the wrk processes' p50s, p99 and max the highest.
 */
export interface MultiWrkTarget {
  label: string;
  parts: Array<{ server: Server; script: string }>;
}

/** A raw-crypto baseline (bench/crypto-baseline.ts): its "requests" are operations, with no wrk. */
export interface CryptoTarget {
  label: string;
  crypto: CryptoBaseline;
}

/**
 * A server loaded by the certificate driver (bench/certificate-driver.ts) instead of wrk: its "requests" are completed
 * certificates. Its load goes on from the warm-up run into the measured one; after the measured run's CPU is read,
 * the driver settles (finishes the certificates in flight) outside the window.
 */
export interface DriverTarget {
  label: string;
  server: Server;
  driver: CertificateDriver;
}

export type Target = WrkTarget | MultiWrkTarget | CryptoTarget | DriverTarget;

export interface RunRecord extends WrkResult {
  round: number;
  serverCpuUsPerReq: number;
  wrkCpuUsPerReq: number;
  /** Server cores busy on average during the run. */
  serverCores: number;
  /** Cores used by everything else on the machine (neither the server nor wrk) during the run: noise. */
  otherCores: number;
  rssKiB: number;
  /** --store postgres: the part of serverCpuUsPerReq spent in PostgreSQL backends of the target's database. */
  dbCpuUsPerReq?: number;
  errorRate: number;
  /** False when more than 1% of requests failed (error or non-2xx). */
  valid: boolean;
  /** Raw-crypto runs: coefficient of variation (σ ÷ mean) of the time of one operation. */
  opCv?: number;
  /** Certificate-driver runs. */
  certificates?: CertificateRunStats;
}

export interface Summary {
  runs: number;
  validRuns: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuUsPerReq: number;
  /** --store postgres: the PostgreSQL backends' part of serverCpuUsPerReq (median). */
  dbCpuUsPerReq?: number;
  wrkCpuUsPerReq: number;
  serverCores: number;
  otherCores: number;
  errors: number;
  non2xx: number;
  rssKiB: number;
  /** Raw-crypto runs: median coefficient of variation of one operation's time. */
  opCv?: number;
  /** Certificate-driver runs: medians. */
  certificates?: { pollsPerCertificate: number; createP50Ms: number; createP99Ms: number; completedPerRun: number };
}

export interface LoadShape {
  wrk: string;
  workDir: string;
  connections: number;
  duration: number;
  warmup: number;
  rounds: number;
}

export async function interleave(name: string, targets: Target[], shape: LoadShape): Promise<Map<string, RunRecord[]>> {
  const records = new Map<string, RunRecord[]>(targets.map((target) => [target.label, []]));
  for (let round = 1; round <= shape.rounds; round++) {
    for (const target of targets) {
      const { pids, run } = runner(name, target, shape);
      if (shape.warmup > 0) await run(shape.warmup);
      const dbPids = await databasePids(target);
      const treesCpu = () => pids.reduce((sum, pid) => sum + treeCpuMicros(pid), 0);
      const dbBefore = dbPids === undefined ? undefined : dbCpu(dbPids);
      const cpuBefore = treesCpu();
      const busyBefore = machineBusyMicros();
      const result = await run(shape.duration);
      const busyAfter = machineBusyMicros();
      const cofferUs = treesCpu() - cpuBefore;
      const dbUs = dbBefore === undefined ? undefined : dbCpuSince(dbBefore);
      const cpuUs = cofferUs + (dbUs ?? 0);
      const otherUs = busyAfter - busyBefore - cpuUs - result.wrkCpuUs;
      const record = toRecord(round, result, cpuUs, otherUs, pids.reduce((sum, pid) => sum + treeRssKiB(pid), 0), dbUs);
      records.get(target.label)!.push(record);
      if ('driver' in target) await target.driver.settle();
      console.log(
        'driver' in target
          ? `  ${name} round ${round}/${shape.rounds} ${target.label.padEnd(12)} ${record.reqPerSec.toFixed(2).padStart(7)} certificates/s (${record.requests} in ${(record.durationUs / 1e6).toFixed(0)} s)  ` +
              `create→completed p50 ${(record.p50Us / 1000).toFixed(0)} ms  p99 ${(record.p99Us / 1000).toFixed(0)} ms  ` +
              `server ${(record.serverCpuUsPerReq / 1000).toFixed(1)} CPU ms/certificate (${record.serverCores.toFixed(2)} cores)  ` +
              `driver ${(record.wrkCpuUsPerReq / 1000).toFixed(1)} ms/certificate  ${record.certificates?.pollsPerCertificate.toFixed(1)} polls/certificate  other load ${record.otherCores.toFixed(2)} cores` +
              (record.errors > 0 ? `  errors ${record.errors} (HTTP ≥ 300: ${record.non2xx})` : '') +
              (record.valid ? '' : '  INVALID (>1% errors)')
          : 'crypto' in target
          ? `  ${name} round ${round}/${shape.rounds} ${target.label.padEnd(12)} ${(record.reqPerSec < 100 ? record.reqPerSec.toFixed(2) : fmt(record.reqPerSec)).padStart(7)} ops/s  ` +
              `one op p50 ${duration(record.p50Us)}  p99 ${duration(record.p99Us)}  ` +
              `${duration(record.serverCpuUsPerReq)} CPU/op (${record.serverCores.toFixed(2)} cores, ${target.crypto.threads} threads)  other load ${record.otherCores.toFixed(2)} cores` +
              (record.opCv !== undefined && record.reqPerSec < 100 ? `  σ/mean of one op ${record.opCv.toFixed(2)}` : '')
          : `  ${name} round ${round}/${shape.rounds} ${target.label.padEnd(12)} ${fmt(record.reqPerSec).padStart(7)} req/s  ` +
              `p50 ${(record.p50Us / 1000).toFixed(2)} ms  p99 ${(record.p99Us / 1000).toFixed(2)} ms  ` +
              `server ${record.serverCpuUsPerReq.toFixed(0)} µs/req${record.dbCpuUsPerReq === undefined ? '' : ` (PostgreSQL ${record.dbCpuUsPerReq.toFixed(0)})`} (${record.serverCores.toFixed(2)} cores)  wrk ${record.wrkCpuUsPerReq.toFixed(0)} µs/req  other load ${record.otherCores.toFixed(2)} cores` +
              (record.errors > 0 ? `  errors ${record.errors} (non-2xx ${record.non2xx})` : '') +
              (record.valid ? '' : '  INVALID (>1% errors)'),
      );
    }
  }
  return records;
}

type RunResult = WrkResult & Pick<RunRecord, 'opCv' | 'certificates'>;

/**
 * The PostgreSQL backends serving the target's database (Server.dbPids, --store postgres), whose CPU is the server's
 * too; undefined on SQLite. Asked for right before each measured run (after its warm-up, so the pools' connections
 * exist); a backend that comes or goes during the run is not counted.
 */
async function databasePids(target: Target): Promise<number[] | undefined> {
  const servers = 'parts' in target ? target.parts.map((part) => part.server) : 'server' in target ? [target.server] : [];
  const lists = await Promise.all(servers.map((server) => server.dbPids?.()));
  if (lists.every((list) => list === undefined)) return undefined;
  return [...new Set(lists.flatMap((list) => list ?? []))];
}

/** CPU of each PostgreSQL backend now (a backend gone since it was listed reads as 0). */
function dbCpu(pids: number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, cpuMicros(pid)]));
}

/** CPU the backends read by dbCpu used since, counting only those still there (a reused pid could only go up). */
function dbCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, startUs] of before) {
    const nowUs = cpuMicros(pid);
    if (nowUs >= startUs) total += nowUs - startUs;
  }
  return total;
}

/**
 * The processes whose trees' CPU counts, and a run of `seconds` as a WrkResult (a crypto run: operations, no wrk; a
 * driver run: completed certificates, with the driver's CPU in place of wrk's; several nodes: their wrk runs merged).
 */
function runner(name: string, target: Target, shape: LoadShape): { pids: number[]; run(seconds: number): Promise<RunResult> } {
  if ('driver' in target) return { pids: [target.server.pid], run: (seconds) => target.driver.run(seconds) };
  if ('parts' in target) {
    const n = target.parts.length;
    const parts = target.parts.map((part, i) => ({
      wrk: shape.wrk, scriptFile: path.join(shape.workDir, `${name}-${target.label}-${i + 1}.lua`), script: part.script, port: part.server.port,
      // Connections split as evenly as they go, the same total as a single node gets.
      connections: Math.max(1, Math.floor(shape.connections / n) + (i < shape.connections % n ? 1 : 0)),
    }));
    return {
      pids: target.parts.map((part) => part.server.pid),
      run: async (seconds) => mergeWrk(await Promise.all(parts.map((part) => runWrk({ ...part, seconds })))),
    };
  }
  if ('crypto' in target) {
    const { crypto } = target;
    return {
      pids: [crypto.pid],
      async run(seconds) {
        const r = await crypto.run(seconds);
        return {
          requests: r.ops, durationUs: r.durationUs, reqPerSec: r.opsPerSec, p50Us: r.p50Us, p90Us: r.p90Us, p99Us: r.p99Us, maxUs: r.maxUs, errors: 0, non2xx: 0, wrkCpuUs: 0,
          ...(r.meanUs !== undefined && r.stdUs !== undefined && r.meanUs > 0 ? { opCv: r.stdUs / r.meanUs } : {}),
        };
      },
    };
  }
  const scriptFile = path.join(shape.workDir, `${name}-${target.label}.lua`);
  const common = { wrk: shape.wrk, scriptFile, script: target.script, port: target.server.port, connections: shape.connections };
  return { pids: [target.server.pid], run: (seconds) => runWrk({ ...common, seconds }) };
}

/** Simultaneous wrk runs against several nodes as one: see MultiWrkTarget. */
function mergeWrk(results: WrkResult[]): WrkResult {
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  const sum = (pick: (r: WrkResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const highest = (pick: (r: WrkResult) => number) => Math.max(...results.map(pick));
  return {
    requests,
    durationUs: highest((r) => r.durationUs),
    reqPerSec: sum((r) => r.reqPerSec),
    p50Us: requests > 0 ? sum((r) => r.p50Us * r.requests) / requests : highest((r) => r.p50Us),
    p90Us: highest((r) => r.p90Us),
    p99Us: highest((r) => r.p99Us),
    maxUs: highest((r) => r.maxUs),
    errors: sum((r) => r.errors),
    non2xx: sum((r) => r.non2xx),
    wrkCpuUs: sum((r) => r.wrkCpuUs),
  };
}

function toRecord(round: number, result: RunResult, serverCpuUs: number, otherCpuUs: number, rssKiB: number, dbCpuUs?: number): RunRecord {
  const requests = Math.max(1, result.requests);
  const errorRate = result.errors / requests;
  return {
    ...result,
    round,
    serverCpuUsPerReq: serverCpuUs / requests,
    ...(dbCpuUs === undefined ? {} : { dbCpuUsPerReq: dbCpuUs / requests }),
    wrkCpuUsPerReq: result.wrkCpuUs / requests,
    serverCores: serverCpuUs / Math.max(1, result.durationUs),
    otherCores: Math.max(0, otherCpuUs) / Math.max(1, result.durationUs),
    rssKiB,
    errorRate,
    valid: errorRate <= 0.01,
  };
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Medians over the valid runs (over all runs if none is valid, so the figures still show). */
export function summarize(runs: RunRecord[]): Summary {
  const valid = runs.filter((run) => run.valid);
  const use = valid.length > 0 ? valid : runs;
  const med = (pick: (run: RunRecord) => number) => median(use.map(pick));
  return {
    runs: runs.length,
    validRuns: valid.length,
    reqPerSec: med((run) => run.reqPerSec),
    p50Ms: med((run) => run.p50Us) / 1000,
    p99Ms: med((run) => run.p99Us) / 1000,
    serverCpuUsPerReq: med((run) => run.serverCpuUsPerReq),
    ...(use.every((run) => run.dbCpuUsPerReq !== undefined) ? { dbCpuUsPerReq: med((run) => run.dbCpuUsPerReq!) } : {}),
    wrkCpuUsPerReq: med((run) => run.wrkCpuUsPerReq),
    serverCores: med((run) => run.serverCores),
    otherCores: med((run) => run.otherCores),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    rssKiB: Math.max(...runs.map((run) => run.rssKiB)),
    ...(use.every((run) => run.opCv !== undefined && Number.isFinite(run.opCv)) ? { opCv: med((run) => run.opCv!) } : {}),
    ...(use.every((run) => run.certificates !== undefined)
      ? {
          certificates: {
            pollsPerCertificate: med((run) => run.certificates!.pollsPerCertificate),
            createP50Ms: med((run) => run.certificates!.createP50Us) / 1000,
            createP99Ms: med((run) => run.certificates!.createP99Us) / 1000,
            completedPerRun: med((run) => run.requests),
          },
        }
      : {}),
  };
}

/** µs below 10 ms (one decimal), ms above. */
const duration = (us: number) => (us < 10_000 ? `${us.toFixed(1)} µs` : `${(us / 1000).toFixed(1)} ms`);

export const fmt = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
