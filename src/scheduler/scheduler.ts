// Runs periodic jobs on an interval, one run at a time per job, and stops cleanly. A failed run is logged and
// retried at the next tick; it never stops the server.
import type { Logger } from 'pino';
import { soleLeader, type Leadership } from './leadership.js';

export interface Job {
  name: string;
  intervalSeconds: number;
  run(): Promise<unknown>;
}

/** With several nodes, only the elected one runs jobs (leadership.ts); it runs every job at once when elected. */
export function startScheduler(deps: { jobs: Job[]; logger: Logger; leadership?: Leadership }): { stop(): Promise<void> } {
  const leadership = deps.leadership ?? soleLeader;
  const running = new Map<string, Promise<unknown>>();
  const ticks: Array<() => void> = [];
  const timers = deps.jobs.map((job) => {
    const tick = () => {
      if (running.has(job.name) || !leadership.isLeader()) return;
      const run = job
        .run()
        .then((result) => deps.logger.debug({ job: job.name, result }, 'scheduled job finished'))
        .catch((error: unknown) => deps.logger.error({ err: error, job: job.name }, 'scheduled job failed'))
        .finally(() => running.delete(job.name));
      running.set(job.name, run);
    };
    ticks.push(tick);
    setImmediate(tick);
    const timer = setInterval(tick, job.intervalSeconds * 1000);
    timer.unref();
    return timer;
  });
  leadership.onElected(() => ticks.forEach((tick) => tick()));
  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      // Jobs finish before the lock is let go, so the next leader never overlaps this one's last run.
      await Promise.allSettled(running.values());
      await leadership.stop();
    },
  };
}
