// A read-through cache for lookups made on every request (the vault a Host names, the principal a token names).
// It is valid while the store's change stamp stays the same (open.ts: changeStamp), so a change made by any
// process — a vault removed, a principal deleted — is seen by the very next request here.
import type { ChangeStamp } from './open.js';

/**
 * Values are shared between requests, so they are frozen. Absent results are cached too (a Host that names no
 * vault), and the whole cache is dropped when it reaches `maxEntries`, so random keys cannot grow it without bound.
 */
export function cachedLookup<V extends object>(opts: {
  stamp: ChangeStamp;
  load: (key: string) => Promise<V | undefined>;
  maxEntries?: number;
}): (key: string) => Promise<V | undefined> {
  const { stamp, load } = opts;
  const maxEntries = opts.maxEntries ?? 4096;
  const entries = new Map<string, V | undefined>();
  let filledAt = Number.NaN;

  return async function lookup(key) {
    const before = stamp.current();
    if (before !== filledAt) {
      entries.clear();
      filledAt = before;
    }
    if (entries.has(key)) return entries.get(key);
    const localBefore = stamp.local();
    const value = await load(key);
    if (value !== undefined) Object.freeze(value);
    // Not kept if this process wrote while it loaded: the value may predate a change the stamp already counts.
    // A commit by another process meanwhile is harmless: the value is newer than `before`, and the next lookup
    // sees the stamp move and loads again.
    if (stamp.local() === localBefore && filledAt === before) {
      if (entries.size >= maxEntries) entries.clear();
      entries.set(key, value);
    }
    return value;
  };
}
