// Write transactions that survive concurrent writers on PostgreSQL. On SQLite writers take turns (open.ts begins
// every transaction immediate), so two requests creating the same name run one after the other and the second finds
// the first's row. On PostgreSQL they run at once under READ COMMITTED: both find no row, both insert it, and the
// second fails with a unique violation once the first commits. Run again from the start, the second finds the row
// and does what it would have done had it come later — add a version, or answer the domain's 409.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';
import { isConcurrentWriteConflict } from './sql-errors.js';

/** Attempts in all; a conflict lasts one round per concurrent creator, so a few suffice. */
const ATTEMPTS = 5;

/**
 * Runs `fn` in a transaction, again from the start when the database refused it for a conflict with a concurrent
 * transaction (sql-errors.ts isConcurrentWriteConflict). `fn` must have no effect outside the transaction it is
 * given, since it may run more than once. A conflict still there after the last attempt is thrown as is.
 */
export async function retryingTransaction<T>(db: Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(fn);
    } catch (error) {
      if (attempt >= ATTEMPTS || !isConcurrentWriteConflict(error)) throw error;
      // A short random pause, so transactions that collided once do not collide again in lockstep.
      await sleep(Math.random() * 5 * attempt);
    }
  }
}
