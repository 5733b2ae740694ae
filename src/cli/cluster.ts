// Runs N server processes on one port with node:cluster. The primary initializes the data directory once,
// runs the scheduled jobs and supervises the workers; each worker serves HTTPS. A worker that dies is replaced;
// a stop signal drains every worker (in-flight requests finish) before the primary exits.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** Forks `count` workers and resolves once every one is listening; rejects if one exits before that. */
export async function startWorkers(opts: { count: number; logger: Logger }): Promise<{ stop(signal: NodeJS.Signals): Promise<void> }> {
  let stopping = false;
  const live = new Set<Worker>();

  const fork = () =>
    new Promise<Worker>((resolve, reject) => {
      const worker = cluster.fork();
      live.add(worker);
      worker.once('listening', () => resolve(worker));
      worker.once('exit', (code, signal) => {
        live.delete(worker);
        reject(new Error(`a server worker exited before it was ready (code ${code ?? signal})`));
        if (stopping || !started) return;
        opts.logger.error({ pid: worker.process.pid, code, signal }, 'server worker died; starting a replacement');
        setTimeout(() => void fork().catch((error: unknown) => opts.logger.error({ err: error }, 'replacement worker failed')), 1000).unref();
      });
    });

  let started = false;
  try {
    await Promise.all(Array.from({ length: opts.count }, fork));
  } catch (error) {
    stopping = true;
    for (const worker of live) worker.kill('SIGTERM');
    throw error;
  }
  started = true;

  return {
    async stop(signal) {
      stopping = true;
      const exits = [...live].map((worker) => new Promise<void>((resolve) => (worker.isDead() ? resolve() : worker.once('exit', () => resolve()))));
      // SIGINT from a terminal reaches the workers by itself; SIGTERM to the primary is passed on.
      for (const worker of live) if (!worker.isDead()) worker.process.kill(signal);
      await Promise.all(exits);
    },
  };
}
