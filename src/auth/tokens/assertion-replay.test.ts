import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeTestStore, openTestStore } from '../../store/test-store.js';
import type { Db } from '../../store/open.js';
import { createReplayGuard, forgetExpiredAssertions } from './assertion-replay.js';

describe('the assertion replay guard', () => {
  let db: Db;
  before(async () => {
    db = await openTestStore();
  });
  after(() => closeTestStore(db));

  it('accepts a key once while it is unexpired, and again after it expired', async () => {
    const guard = createReplayGuard({ db });
    assert.equal(await guard.firstUse('a', 1600, 1000), true);
    assert.equal(await guard.firstUse('a', 1600, 1001), false);
    assert.equal(await guard.firstUse('a', 1600, 1600), false);
    assert.equal(await guard.firstUse('b', 1600, 1001), true);
    assert.equal(await guard.firstUse('a', 2200, 1601), true);
    assert.equal(await guard.firstUse('a', 2200, 1602), false);
  });

  it('remembers for every worker and node sharing the store, and lets exactly one of many at once through', async () => {
    const one = createReplayGuard({ db });
    const other = createReplayGuard({ db });
    assert.equal(await one.firstUse('shared', 5000, 1000), true);
    assert.equal(await other.firstUse('shared', 5000, 1000), false);
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? one : other).firstUse('raced', 5000, 1000)));
    assert.equal(outcomes.filter(Boolean).length, 1);
  });

  it('stores a hash, never the key, and forgets expired keys', async () => {
    const guard = createReplayGuard({ db });
    await guard.firstUse('client\njti-secretish\nresource', 3000, 1000);
    const rows = await db.selectFrom('used_assertions').select(['key', 'expires_at']).execute();
    assert.ok(rows.every((row) => /^[0-9a-f]{64}$/.test(row.key)));
    const before = rows.length;
    const forgotten = await forgetExpiredAssertions(db, 2500);
    const after = await db.selectFrom('used_assertions').select('key').execute();
    assert.equal(after.length, before - forgotten);
    assert.ok(forgotten >= 1);
    assert.ok(after.length >= 1, 'unexpired keys stay');
  });
});
