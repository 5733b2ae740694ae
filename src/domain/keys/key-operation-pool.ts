// A small pool of worker threads for the key operations that would otherwise hold the event loop for a
// millisecond or more (key-operations.ts isCpuHeavy): with one thread per core, a process signs on every core
// while its event loop keeps serving reads (performance-facts.md §2.3).
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CofferError } from '../../errors.js';
import { startModuleThread } from '../../threads.js';
import type { KeyOperationOutcome, KeyOperationRequest } from './key-operations.js';
import type { ThreadReply, ThreadRequest } from './key-operation-thread.js';

interface Pending {
  resolve(outcome: KeyOperationOutcome): void;
  reject(error: Error): void;
}

interface PoolThread {
  worker: Worker;
  pending: Map<number, Pending>;
}

export interface KeyOperationPool {
  run(cacheKey: string, material: Buffer, request: KeyOperationRequest): Promise<KeyOperationOutcome>;
  close(): Promise<void>;
}

export function createKeyOperationPool(opts: { threads?: number } = {}): KeyOperationPool {
  const size = Math.max(1, opts.threads ?? availableParallelism());
  const threads: Array<PoolThread | undefined> = new Array(size).fill(undefined);
  let nextId = 1;
  let closed = false;

  function start(slot: number): PoolThread {
    const thread: PoolThread = { worker: startModuleThread(import.meta.url, 'key-operation-thread'), pending: new Map() };
    thread.worker.unref(); // an idle pool never keeps the process alive
    thread.worker.on('message', (reply: ThreadReply) => {
      const pending = thread.pending.get(reply.id);
      if (!pending) return;
      thread.pending.delete(reply.id);
      if (thread.pending.size === 0) thread.worker.unref();
      if ('outcome' in reply) pending.resolve(outcomeBuffers(reply.outcome));
      else if ('internal' in reply.error) pending.reject(new Error('A key operation failed in the key-operation thread.'));
      else pending.reject(new CofferError(reply.error.status, reply.error.code, reply.error.message, reply.error.innerCode === undefined ? {} : { innerCode: reply.error.innerCode }));
    });
    // A thread that dies fails what it held; the next request starts a new one in its slot.
    const fail = (error: Error) => {
      if (threads[slot] === thread) threads[slot] = undefined;
      for (const pending of thread.pending.values()) pending.reject(error);
      thread.pending.clear();
    };
    thread.worker.on('error', fail);
    thread.worker.on('exit', () => fail(new Error('The key-operation thread stopped.')));
    threads[slot] = thread;
    return thread;
  }

  /** The thread with the fewest operations in flight. */
  function pick(): PoolThread {
    let best: PoolThread | undefined;
    for (let slot = 0; slot < size; slot++) {
      const thread = threads[slot] ?? start(slot);
      if (best === undefined || thread.pending.size < best.pending.size) best = thread;
      if (best.pending.size === 0) break;
    }
    return best!;
  }

  return {
    run(cacheKey, material, request) {
      if (closed) return Promise.reject(new Error('The key-operation pool is closed.'));
      const thread = pick();
      const id = nextId++;
      return new Promise<KeyOperationOutcome>((resolve, reject) => {
        thread.pending.set(id, { resolve, reject });
        thread.worker.ref(); // work in flight keeps the process alive until it answers
        const message: ThreadRequest = { id, cacheKey, material, request };
        thread.worker.postMessage(message);
      });
    },
    async close() {
      closed = true;
      await Promise.all(threads.map((thread) => thread?.worker.terminate()));
    },
  };
}

function outcomeBuffers(outcome: KeyOperationOutcome): KeyOperationOutcome {
  if ('valid' in outcome) return outcome;
  const asBuffer = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return {
    result: asBuffer(outcome.result)!,
    ...(outcome.iv && { iv: asBuffer(outcome.iv)! }),
    ...(outcome.tag && { tag: asBuffer(outcome.tag)! }),
    ...(outcome.aad && { aad: asBuffer(outcome.aad)! }),
  };
}
