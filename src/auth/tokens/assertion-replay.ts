// Remembers client assertions already exchanged, until they expire, so a captured one cannot fetch the same token
// again. In memory, per process: with --workers N each worker remembers only what it saw, so an assertion may be
// replayed once per worker within its (at most one-hour) lifetime.

export interface ReplayGuard {
  /** True the first time `key` is presented while unexpired; false on a replay. */
  firstUse(key: string, expiresAt: number /* unix s */, now: number /* unix s */): boolean;
}

export function createReplayGuard(opts: { maxEntries?: number } = {}): ReplayGuard {
  const maxEntries = opts.maxEntries ?? 100_000;
  const seen = new Map<string, number>();

  function dropExpired(now: number): void {
    for (const [key, expiresAt] of seen) if (expiresAt < now) seen.delete(key);
  }

  return {
    firstUse(key, expiresAt, now) {
      const known = seen.get(key);
      if (known !== undefined && known >= now) return false;
      if (seen.size >= maxEntries) {
        dropExpired(now);
        // Still full of live assertions: forget the oldest. Refusing instead would let a flood lock every client out.
        for (const oldest of seen.keys()) {
          if (seen.size < maxEntries) break;
          seen.delete(oldest);
        }
      }
      seen.delete(key);
      seen.set(key, expiresAt);
      return true;
    },
  };
}
