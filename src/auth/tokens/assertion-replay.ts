// Remembers client assertions already exchanged, until they expire, so a captured one cannot fetch the same token
// again — on any worker or node: the record is a row in the shared store, and the first insert wins.
import { createHash } from 'node:crypto';
import type { Db } from '../../store/open.js';

export interface ReplayGuard {
  /** True the first time `key` is presented while unexpired; false on a replay. */
  firstUse(key: string, expiresAt: number /* unix s */, now: number /* unix s */): Promise<boolean>;
}

export function createReplayGuard(deps: { db: Db }): ReplayGuard {
  const { db } = deps;
  return {
    async firstUse(key, expiresAt, now) {
      const hashed = createHash('sha256').update(key).digest('hex');
      // Claims the key, or takes over a row whose assertion expired (a later assertion may reuse a jti). Two callers
      // at once: the row lock makes the second see the first's unexpired row and update nothing.
      const claimed = await db
        .insertInto('used_assertions')
        .values({ key: hashed, expires_at: expiresAt })
        .onConflict((conflict) => conflict.column('key').doUpdateSet({ expires_at: expiresAt }).where('used_assertions.expires_at', '<', now))
        .returning('key')
        .executeTakeFirst();
      return claimed !== undefined;
    },
  };
}

/** Forgets assertions that expired; they are refused for their expiry anyway. Run by the scheduler. */
export async function forgetExpiredAssertions(db: Db, now: number): Promise<number> {
  const result = await db.deleteFrom('used_assertions').where('expires_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
