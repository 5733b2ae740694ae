// A thread of bench/crypto-baseline.ts: builds its raw operation, checks its output once, then on each
// { seconds } message runs it back to back for that long and answers with the count and each operation's time.
import { parentPort, workerData } from 'node:worker_threads';
import { RAW_OPS, type Prepared, type RawOpName } from './crypto-ops.js';

export interface ThreadResult {
  ops: number;
  elapsedMs: number;
  samplesUs: Float32Array;
}

const { op, prepared } = workerData as { op: RawOpName; prepared: Prepared };
const { run, check } = RAW_OPS[op].make(prepared);
check();
parentPort!.postMessage({ ready: true });

parentPort!.on('message', ({ seconds }: { seconds: number }) => {
  let samples = new Float32Array(1 << 16);
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let previous = start;
  while (previous < end) {
    run();
    const now = performance.now();
    if (ops === samples.length) {
      const grown = new Float32Array(samples.length * 2);
      grown.set(samples);
      samples = grown;
    }
    samples[ops++] = (now - previous) * 1000;
    previous = now;
  }
  const result: ThreadResult = { ops, elapsedMs: previous - start, samplesUs: samples.slice(0, ops) };
  parentPort!.postMessage(result, [result.samplesUs.buffer as ArrayBuffer]);
});
