// The development clock (`--dev-clock`): the server's time for objects — expiry, nbf, rotation, renewal, purge —
// moved forward by an offset, so users can test what happens in 90 days without waiting, as test doubles of
// Azure offer. Off unless the server is started with --dev-clock, which it announces loudly.
//
// The offset lives in server_meta so every worker process and the scheduler share it; each refreshes it before a
// request or a job run. Tokens keep the real clock: clients judge a token's expiry by their own time.
import type { Clock } from './clock.js';
import type { MetaStore } from './store/meta.js';

const OFFSET_KEY = 'dev_clock_offset_seconds';
/** Ten years: far enough for any expiry or retention test, near enough to catch a unit mistake. */
export const MAX_ADVANCE_SECONDS = 10 * 366 * 86_400;

export interface DevClock extends Clock {
  /** Reads the shared offset; call before work that reads the time. */
  refresh(): Promise<void>;
  /** Moves time forward by `seconds` (never back: time going backwards breaks every invariant); returns the new offset. */
  advance(seconds: number): Promise<number>;
  offsetSeconds(): number;
}

export function createDevClock(deps: { base: Clock; meta: Pick<MetaStore, 'getMeta' | 'setMeta'> }): DevClock {
  let offset = 0;
  const read = async () => Number((await deps.meta.getMeta(OFFSET_KEY)) ?? '0') || 0;
  return {
    nowMs: () => deps.base.nowMs() + offset * 1000,
    async refresh() {
      offset = await read();
    },
    async advance(seconds) {
      // Read again first: another process may have moved it since this one's last refresh.
      offset = (await read()) + seconds;
      await deps.meta.setMeta(OFFSET_KEY, String(offset));
      return offset;
    },
    offsetSeconds: () => offset,
  };
}
