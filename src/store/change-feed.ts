// How a node on PostgreSQL learns that another node changed something, so its caches (cached-lookup.ts, the
// authorizer's decisions) stay exact: every table but the audit log carries a statement trigger that calls
// pg_notify('coffer_changes') — PostgreSQL delivers it when the writing transaction commits, once per transaction
// — and each process keeps one connection that LISTENs and counts the notifications.
//
// A notification travels asynchronously, so on its own it could reach this node after the client, answered by
// the node that wrote, already sent its next request here. `sync()` closes that gap: a round trip on the
// listening connection. The writer's backend flags every listener while it commits, before its client hears
// "committed", and a listening backend sends pending notifications before it answers any later query — so once
// the round trip returns, every change acknowledged before it started has been counted. The server runs it at
// the start of each request; concurrent requests share round trips.
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { endQuietly } from './postgres.js';

const CHANNEL = 'coffer_changes';
/** The listening sessions' application_name, so operators can tell them apart in pg_stat_activity. */
export const LISTENER_NAME = 'coffer-change-feed';
/**
 * Never read through a cache: the audit log (written on every request — notifying for it would empty every cache
 * every time) and the assertions seen by the token service.
 */
const UNWATCHED_TABLES = ['audit_events', 'used_assertions', 'kysely_migration', 'kysely_migration_lock'];
/** A sync round trip slower than this means the listening connection is gone; caching stops until it is back. */
const SYNC_TIMEOUT_MS = 2000;
const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000];

/**
 * (Re)creates the notify trigger on every table of the current schema; run after migrations, under their lock,
 * so tables a later version adds are covered the next time any node starts.
 */
export async function installChangeTriggers(db: Kysely<any>): Promise<void> {
  await sql`create or replace function coffer_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify(${sql.lit(CHANNEL)}, '');
      return null;
    end $$`.execute(db);
  const tables = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema()`.execute(db);
  for (const { name } of tables.rows) {
    if (UNWATCHED_TABLES.includes(name)) continue;
    await sql`create or replace trigger coffer_notify_change after insert or update or delete or truncate on ${sql.table(name)}
      for each statement execute function coffer_notify_change()`.execute(db);
  }
}

const UNWATCHED_WRITE = new RegExp(`^\\s*(insert\\s+into|update|delete\\s+from)\\s+"?(${UNWATCHED_TABLES.join('|')})"?\\s`, 'i');

/**
 * Whether a statement this process sends may change what caches hold: anything but a plain select or a write to a
 * table no cache reads (the audit log's insert comes with every request and must not empty the caches).
 */
export function mayChangeCachedData(statement: string): boolean {
  return !/^\s*select\b/i.test(statement) && !UNWATCHED_WRITE.test(statement);
}

export interface ChangeFeed {
  /**
   * Grows whenever any node commits a change (a notification), whenever this process sends a statement that may
   * write, and on every call while the listening connection is down — then nothing can be cached.
   */
  version(): number;
  /** Grows whenever this process sends a statement that may write. */
  localWrites(): number;
  /** Resolves once every change committed before the call is counted in version(). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The pool's clients count statements that may write — anything but a plain select — when they are sent, as the
 * SQLite store counts its own (open.ts). Installed on the pool with `Client: feed.Client`.
 */
export interface ChangeFeedOwner {
  feed: ChangeFeed;
  Client: typeof pg.Client;
  /** Starts listening; until it connects, version() changes on every call. */
  start(): void;
}

export function createChangeFeed(opts: { connectionString: string; onError?: (error: Error) => void }): ChangeFeedOwner {
  let version = 0;
  let localWrites = 0;
  let listener: pg.Client | undefined;
  let listening = false;
  let started = false;
  let closed = false;
  let attempt = 0;
  let inFlight: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;

  class CountingClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      // A connection lost while a query or transaction holds it (PostgreSQL restarted) fails that query, and then
      // `pg` emits 'error' on the client; the pool listens only while the client is idle, and an unheard 'error'
      // would end the process. The pool drops such a client when it is released.
      this.on('error', () => {});
    }

    override query(...args: unknown[]): any {
      const [text] = args;
      const statement = typeof text === 'string' ? text : (text as { text?: string } | undefined)?.text;
      if (statement === undefined || mayChangeCachedData(statement)) {
        localWrites++;
        version++;
      }
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
  }

  function dropListener(error?: Error) {
    if (error && !closed) opts.onError?.(error);
    const client = listener;
    listener = undefined;
    listening = false;
    void endQuietly(client);
    scheduleConnect();
  }

  function scheduleConnect() {
    if (closed || reconnectTimer !== undefined) return;
    const delay = attempt === 0 ? 0 : RECONNECT_DELAYS_MS[Math.min(attempt - 1, RECONNECT_DELAYS_MS.length - 1)]!;
    attempt++;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connect();
    }, delay);
    reconnectTimer.unref();
  }

  async function connect() {
    const client = new pg.Client({ connectionString: opts.connectionString, keepAlive: true, application_name: LISTENER_NAME });
    listener = client;
    client.on('error', (error) => {
      if (listener === client) dropListener(error);
    });
    client.on('end', () => {
      if (listener === client) dropListener();
    });
    client.on('notification', () => {
      version++;
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      if (closed || listener !== client) {
        await client.end().catch(() => undefined);
        return;
      }
      // Changes made while nobody listened were never counted: count them all as one.
      version++;
      listening = true;
      attempt = 0;
      // The connection must not keep a process alive that has nothing else left to do (a CLI command).
      (client as unknown as { connection?: { stream?: { unref?(): void } } }).connection?.stream?.unref?.();
    } catch (error) {
      if (listener === client) dropListener(error as Error);
    }
  }

  async function roundTrip(): Promise<void> {
    const client = listener;
    if (!listening || client === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer on the change-notification connection within ${SYNC_TIMEOUT_MS} ms`)), SYNC_TIMEOUT_MS);
    });
    try {
      await Promise.race([client.query('select 1'), timeout]);
    } catch (error) {
      // Whatever was missed is covered: while reconnecting version() changes on every call.
      if (listener === client) dropListener(error as Error);
    } finally {
      clearTimeout(timer);
    }
  }

  const feed: ChangeFeed = {
    version: () => (listening ? version : ++version),
    localWrites: () => localWrites,
    sync() {
      if (!listening) return Promise.resolve();
      if (inFlight === undefined) {
        inFlight = roundTrip().finally(() => (inFlight = undefined));
        return inFlight;
      }
      // The round trip under way may have been sent before this caller's change was acknowledged: wait for the next.
      next ??= inFlight.then(() => {
        next = undefined;
        return feed.sync();
      });
      return next;
    },
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      const client = listener;
      listener = undefined;
      listening = false;
      await client?.end().catch(() => undefined);
    },
  };

  return {
    feed,
    Client: CountingClient,
    start() {
      if (started || closed) return;
      started = true;
      scheduleConnect();
    },
  };
}
