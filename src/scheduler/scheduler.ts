// Runs periodic jobs on an interval, one run at a time per job, and stops cleanly. A failed run is logged and
// retried at the next tick; it never stops the server.
import type { Logger } from 'pino';

export interface Job {
  name: string;
  intervalSeconds: number;
  run(): Promise<unknown>;
}

export function startScheduler(deps: { jobs: Job[]; logger: Logger }): { stop(): Promise<void> } {
  const running = new Map<string, Promise<unknown>>();
  const timers = deps.jobs.map((job) => {
    const tick = () => {
      if (running.has(job.name)) return;
      const run = job
        .run()
        .then((result) => deps.logger.debug({ job: job.name, result }, 'scheduled job finished'))
        .catch((error: unknown) => deps.logger.error({ err: error, job: job.name }, 'scheduled job failed'))
        .finally(() => running.delete(job.name));
      running.set(job.name, run);
    };
    setImmediate(tick);
    const timer = setInterval(tick, job.intervalSeconds * 1000);
    timer.unref();
    return timer;
  });
  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled(running.values());
    },
  };
}
