// The key scenarios' baseline: one raw node:crypto operation (bench/crypto-ops.ts) in a tight loop on N worker
// threads, one per core, with nothing around it. A separate process, so its CPU is read from /proc like a server's.
// Usage: node --import tsx bench/crypto-baseline.ts --op NAME --threads N
// It prints "@@READY" once every thread has checked its operation's output, then answers each stdin line
// "run SECONDS" with "@@RUN {json}": operations, wall time, and per-operation time percentiles over all threads.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { startModuleThread } from '../src/threads.js';
import { isRawOp, RAW_OPS, type CryptoRun } from './crypto-ops.js';
import type { ThreadResult } from './crypto-baseline-thread.js';

const { values } = parseArgs({ options: { op: { type: 'string' }, threads: { type: 'string', default: '2' } } });
const op = values.op ?? '';
if (!isRawOp(op)) {
  process.stderr.write(`crypto-baseline: unknown --op '${op}'; known: ${Object.keys(RAW_OPS).join(', ')}\n`);
  process.exit(2);
}
const count = Math.max(1, Number(values.threads));
const prepared = RAW_OPS[op].prepare();
const threads: Worker[] = [];
await Promise.all(
  Array.from({ length: count }, () => {
    const worker = startModuleThread(import.meta.url, 'crypto-baseline-thread', { workerData: { op, prepared } });
    threads.push(worker);
    return new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve()); // { ready: true } after its self-check
      worker.once('error', reject);
    });
  }),
);
process.stdout.write('@@READY\n');

async function run(seconds: number): Promise<CryptoRun> {
  const results = await Promise.all(
    threads.map(
      (worker) =>
        new Promise<ThreadResult>((resolve, reject) => {
          const fail = (error: Error) => reject(error);
          worker.once('error', fail);
          worker.once('message', (result: ThreadResult) => {
            worker.off('error', fail);
            resolve(result);
          });
          worker.postMessage({ seconds });
        }),
    ),
  );
  const ops = results.reduce((sum, r) => sum + r.ops, 0);
  // Percentiles over every operation of every thread.
  const all = new Float32Array(ops);
  let at = 0;
  for (const r of results) {
    all.set(r.samplesUs, at);
    at += r.samplesUs.length;
  }
  all.sort();
  const pct = (p: number) => (ops === 0 ? Number.NaN : all[Math.min(ops - 1, Math.floor((p / 100) * ops))]!);
  let sum = 0;
  let squares = 0;
  for (const value of all) {
    sum += value;
    squares += value * value;
  }
  const meanUs = ops === 0 ? Number.NaN : sum / ops;
  return {
    ops,
    durationUs: Math.max(...results.map((r) => r.elapsedMs)) * 1000,
    opsPerSec: results.reduce((sum, r) => sum + (r.elapsedMs > 0 ? (r.ops * 1000) / r.elapsedMs : 0), 0),
    p50Us: pct(50),
    p90Us: pct(90),
    p99Us: pct(99),
    maxUs: ops === 0 ? Number.NaN : all[ops - 1]!,
    meanUs,
    stdUs: ops < 2 ? Number.NaN : Math.sqrt(Math.max(0, (squares - ops * meanUs * meanUs) / (ops - 1))),
  };
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const match = /^run (\d+(?:\.\d+)?)$/.exec(line.trim());
  if (!match) continue;
  process.stdout.write(`@@RUN ${JSON.stringify(await run(Number(match[1])))}\n`);
}
// stdin closed: the benchmark is done with this baseline.
await Promise.all(threads.map((worker) => worker.terminate()));
process.exit(0);
