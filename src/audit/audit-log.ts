// Group commit for audit records: each caller waits until its record is durable in every sink, while records
// that arrive during a write share the next one. It must never report a record as written before every sink has it.
import type { AuditEvent } from './audit-event.js';

export interface AuditSink {
  readonly name: string;
  /** Resolves only when the events are durable. The log never calls it again before the previous call settles. */
  writeBatch(events: AuditEvent[]): Promise<void>;
  close?(): Promise<void>;
}

export interface AuditLog {
  /** Resolves when the batch holding this event is durable in every sink; rejects with the first sink's error otherwise. */
  record(event: AuditEvent): Promise<void>;
  /** Waits for pending batches, then closes the sinks. */
  close(): Promise<void>;
}

interface Pending {
  event: AuditEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function createAuditLog(deps: { sinks: AuditSink[]; maxBatch?: number }): AuditLog {
  const { sinks } = deps;
  const maxBatch = deps.maxBatch ?? 512;
  // Audit is fail-closed: a log that writes nowhere would let every request through unrecorded.
  if (sinks.length === 0) throw new Error('The audit log needs at least one sink.');
  if (!(maxBatch >= 1)) throw new Error(`maxBatch must be at least 1, not ${maxBatch}.`);

  const queue: Pending[] = [];
  let writing: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  async function writeAll(): Promise<void> {
    // Yield once so records made in the same turn share the first batch; no timer, so a lone record is written at once.
    await Promise.resolve();
    for (;;) {
      const batch = queue.splice(0, maxBatch);
      if (batch.length === 0) {
        // Cleared in the same synchronous step that saw the queue empty, so a record arriving next starts a new writer.
        writing = undefined;
        return;
      }
      await writeBatch(batch);
    }
  }

  async function writeBatch(batch: Pending[]): Promise<void> {
    const events = batch.map((pending) => pending.event);
    // allSettled, not all: the next batch must not start while a sink is still writing this one.
    const results = await Promise.allSettled(sinks.map(async (sink) => sink.writeBatch(events)));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    for (const pending of batch) {
      if (failure) pending.reject(failure.reason);
      else pending.resolve();
    }
  }

  function record(event: AuditEvent): Promise<void> {
    if (closing) return Promise.reject(new Error('The audit log is closed.'));
    return new Promise<void>((resolve, reject) => {
      queue.push({ event, resolve, reject });
      writing ??= writeAll();
    });
  }

  async function closeSinks(): Promise<void> {
    await writing;
    const results = await Promise.allSettled(sinks.map(async (sink) => sink.close?.()));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  return {
    record,
    close: () => (closing ??= closeSinks()),
  };
}
