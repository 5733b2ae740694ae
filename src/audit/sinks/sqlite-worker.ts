// The audit sink for the embedded SQLite store: batches go to a worker thread that owns a second connection to
// the same database file (see sqlite-worker-thread.ts), so the event loop never waits on an audit fsync.
// A batch is acknowledged only after its transaction has committed with synchronous=FULL.
import { auditEventJson, vaultNameOf } from '../audit-event.js';
import type { AuditSink } from '../audit-log.js';
import { startModuleThread } from '../../threads.js';
import type { AuditRow, WorkerReply, WorkerRequest } from './sqlite-worker-thread.js';

export function createSqliteWorkerSink(opts: { file: string }): AuditSink {
  const worker = startModuleThread(import.meta.url, 'sqlite-worker-thread', { workerData: { file: opts.file } });
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;

  worker.on('message', (reply: WorkerReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error === undefined) waiter?.resolve();
    else waiter?.reject(new Error(`audit database write failed: ${reply.error}`));
  });
  // A dead worker fails every waiting and later batch: audit is fail-closed.
  const fail = (error: Error) => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  // A thread's error arrives cloned, not as an Error instance: keep only its message.
  worker.on('error', (error: unknown) => fail(new Error(`the audit database worker failed: ${(error as { message?: string })?.message ?? String(error)}`)));
  worker.on('exit', (code) => fail(new Error(`the audit database worker exited (code ${code})`)));

  function send(message: Omit<WorkerRequest, 'id'>): Promise<void> {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  }

  return {
    name: 'sqlite-worker',
    async writeBatch(events) {
      if (events.length === 0) return;
      const rows: AuditRow[] = events.map((event) => ({
        time: event.time,
        vaultName: vaultNameOf(event),
        operationName: event.operationName,
        httpStatus: event.properties.httpStatusCode,
        callerOid: event.identity?.claim['oid'] ?? null,
        record: auditEventJson(event),
      }));
      await send({ rows });
    },
    async close() {
      if (!failure) await send({ close: true });
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
