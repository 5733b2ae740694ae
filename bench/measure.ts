// Interleaved measurement: for each round, each target gets an unmeasured warm-up run and then a measured
// wrk run, with the server tree's CPU (from /proc) read around it. Medians over the valid runs.
import path from 'node:path';
import { machineBusyMicros, treeCpuMicros, treeRssKiB } from './proc.js';
import type { Server } from './servers.js';
import { runWrk, type WrkResult } from './wrk.js';

export interface Target {
  label: string;
  server: Server;
  /** The wrk script for this target (scripts differ only in token and secret count). */
  script: string;
}

export interface RunRecord extends WrkResult {
  round: number;
  serverCpuUsPerReq: number;
  wrkCpuUsPerReq: number;
  /** Server cores busy on average during the run. */
  serverCores: number;
  /** Cores used by everything else on the machine (neither the server nor wrk) during the run: noise. */
  otherCores: number;
  rssKiB: number;
  errorRate: number;
  /** False when more than 1% of requests failed (error or non-2xx). */
  valid: boolean;
}

export interface Summary {
  runs: number;
  validRuns: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuUsPerReq: number;
  wrkCpuUsPerReq: number;
  serverCores: number;
  otherCores: number;
  errors: number;
  non2xx: number;
  rssKiB: number;
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
      const scriptFile = path.join(shape.workDir, `${name}-${target.label}.lua`);
      const common = { wrk: shape.wrk, scriptFile, script: target.script, port: target.server.port, connections: shape.connections };
      if (shape.warmup > 0) await runWrk({ ...common, seconds: shape.warmup });
      const cpuBefore = treeCpuMicros(target.server.pid);
      const busyBefore = machineBusyMicros();
      const result = await runWrk({ ...common, seconds: shape.duration });
      const cpuUs = treeCpuMicros(target.server.pid) - cpuBefore;
      const otherUs = machineBusyMicros() - busyBefore - cpuUs - result.wrkCpuUs;
      const record = toRecord(round, result, cpuUs, otherUs, treeRssKiB(target.server.pid));
      records.get(target.label)!.push(record);
      console.log(
        `  ${name} round ${round}/${shape.rounds} ${target.label.padEnd(12)} ${fmt(record.reqPerSec).padStart(7)} req/s  ` +
          `p50 ${(record.p50Us / 1000).toFixed(2)} ms  p99 ${(record.p99Us / 1000).toFixed(2)} ms  ` +
          `server ${record.serverCpuUsPerReq.toFixed(0)} µs/req (${record.serverCores.toFixed(2)} cores)  wrk ${record.wrkCpuUsPerReq.toFixed(0)} µs/req  other load ${record.otherCores.toFixed(2)} cores` +
          (record.errors > 0 ? `  errors ${record.errors} (non-2xx ${record.non2xx})` : '') +
          (record.valid ? '' : '  INVALID (>1% errors)'),
      );
    }
  }
  return records;
}

function toRecord(round: number, result: WrkResult, serverCpuUs: number, otherCpuUs: number, rssKiB: number): RunRecord {
  const requests = Math.max(1, result.requests);
  const errorRate = result.errors / requests;
  return {
    ...result,
    round,
    serverCpuUsPerReq: serverCpuUs / requests,
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
    wrkCpuUsPerReq: med((run) => run.wrkCpuUsPerReq),
    serverCores: med((run) => run.serverCores),
    otherCores: med((run) => run.otherCores),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    rssKiB: Math.max(...runs.map((run) => run.rssKiB)),
  };
}

export const fmt = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
