import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReplayGuard } from './assertion-replay.js';

describe('createReplayGuard', () => {
  it('accepts a key once while it is unexpired, and again after it expired', () => {
    const guard = createReplayGuard();
    assert.equal(guard.firstUse('a', 1600, 1000), true);
    assert.equal(guard.firstUse('a', 1600, 1001), false);
    assert.equal(guard.firstUse('a', 1600, 1600), false);
    assert.equal(guard.firstUse('b', 1600, 1001), true);
    assert.equal(guard.firstUse('a', 2200, 1601), true);
  });

  it('stays bounded, dropping expired keys first and then the oldest', () => {
    const guard = createReplayGuard({ maxEntries: 2 });
    assert.equal(guard.firstUse('old', 1005, 1000), true);
    assert.equal(guard.firstUse('live', 2000, 1000), true);
    // Full: 'old' has expired by 1010 and goes; 'live' stays remembered.
    assert.equal(guard.firstUse('new', 2000, 1010), true);
    assert.equal(guard.firstUse('live', 2000, 1011), false);
    // Full of live keys: the oldest ('live') is forgotten to make room.
    assert.equal(guard.firstUse('newer', 2000, 1012), true);
    assert.equal(guard.firstUse('new', 2000, 1013), false);
    assert.equal(guard.firstUse('newer', 2000, 1013), false);
  });
});
