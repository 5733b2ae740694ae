// Which node runs the scheduled jobs when several share one PostgreSQL database: the one holding a session
// advisory lock. PostgreSQL frees the lock the moment the holder's session ends — at once when its process dies
// (the kernel closes the socket), within about ten seconds when its machine vanishes (the keepalive settings
// below) — and the other nodes try for it every few seconds, so the jobs move to a survivor within seconds.
//
// Holding the lock needs no traffic, so a partitioned holder cannot tell it lost the lock until its connection
// errors. The jobs tolerate that brief overlap: each is a set of conditional updates (purge what is due, rotate
// what is due) that a second runner finds already done.
import pg from 'pg';
import type { Logger } from 'pino';
import { ADVISORY_LOCKS, endQuietly } from '../store/postgres.js';

export interface Leadership {
  isLeader(): boolean;
  /** Called each time this node becomes the leader, so due jobs run at once rather than at the next interval. */
  onElected(listener: () => void): void;
  stop(): Promise<void>;
}

/** On one node (SQLite; the cluster primary runs the jobs) there is nobody to elect. */
export const soleLeader: Leadership = { isLeader: () => true, onElected: () => {}, stop: async () => {} };

const SERVER_KEEPALIVE = ['set tcp_keepalives_idle = 5', 'set tcp_keepalives_interval = 2', 'set tcp_keepalives_count = 3'];

export function electLeader(opts: { connectionString: string; retryMs?: number; logger: Logger }): Leadership {
  const retryMs = opts.retryMs ?? 2000;
  const listeners: Array<() => void> = [];
  let client: pg.Client | undefined;
  let leader = false;
  let attempting = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  function tryLater() {
    if (stopped || leader || attempting || timer !== undefined) return;
    timer = setTimeout(() => void attempt(), retryMs);
    timer.unref();
  }

  // A lost connection is a lost lock: try again on a new one.
  function lose(error?: Error) {
    if (leader) opts.logger.warn({ err: error?.message }, 'lost the scheduler lock; another node takes the jobs over');
    leader = false;
    const lost = client;
    client = undefined;
    void endQuietly(lost);
    tryLater();
  }

  async function attempt() {
    timer = undefined;
    if (stopped || leader || attempting) return;
    attempting = true;
    try {
      if (client === undefined) {
        const fresh = new pg.Client({ connectionString: opts.connectionString, keepAlive: true, keepAliveInitialDelayMillis: 5000, application_name: 'coffer-scheduler' });
        fresh.on('error', (error) => client === fresh && lose(error));
        fresh.on('end', () => client === fresh && lose(new Error('connection closed')));
        client = fresh;
        await fresh.connect();
        // PostgreSQL notices a vanished peer (and frees its lock) only by TCP keepalive; the defaults take hours.
        for (const statement of SERVER_KEEPALIVE) await fresh.query(statement);
      }
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [ADVISORY_LOCKS.scheduler]);
      if (rows[0]?.locked && !stopped) {
        leader = true;
        opts.logger.info('holding the scheduler lock: this node runs the scheduled jobs');
        for (const listener of listeners) listener();
      }
    } catch (error) {
      attempting = false;
      lose(error as Error);
    } finally {
      attempting = false;
    }
    tryLater();
  }

  void attempt();

  return {
    isLeader: () => leader,
    onElected: (listener) => void listeners.push(listener),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      leader = false;
      const held = client;
      client = undefined;
      // Ending the session frees the lock at once; the next node needs no timeout.
      await endQuietly(held);
    },
  };
}
