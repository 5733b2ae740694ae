import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedLookup } from './cached-lookup.js';

function counter() {
  let stamp = 0;
  const loads: string[] = [];
  const values = new Map<string, { n: number }>();
  return {
    bump: () => stamp++,
    loads,
    values,
    lookup: (maxEntries?: number) =>
      cachedLookup<{ n: number }>({
        stamp: { current: () => stamp, local: () => stamp },
        load: async (key) => {
          loads.push(key);
          const value = values.get(key);
          return value && { ...value };
        },
        ...(maxEntries === undefined ? {} : { maxEntries }),
      }),
  };
}

describe('cachedLookup', () => {
  it('loads a key once while the stamp stays the same, misses included', async () => {
    const c = counter();
    c.values.set('a', { n: 1 });
    const lookup = c.lookup();
    assert.deepEqual(await lookup('a'), { n: 1 });
    assert.deepEqual(await lookup('a'), { n: 1 });
    assert.equal(await lookup('missing'), undefined);
    assert.equal(await lookup('missing'), undefined);
    assert.deepEqual(c.loads, ['a', 'missing']);
  });

  it('loads again after the stamp changed', async () => {
    const c = counter();
    c.values.set('a', { n: 1 });
    const lookup = c.lookup();
    await lookup('a');
    assert.equal(await lookup('new'), undefined);
    c.values.set('a', { n: 2 });
    c.values.set('new', { n: 3 });
    assert.deepEqual(await lookup('a'), { n: 1 });
    assert.equal(await lookup('new'), undefined);
    c.bump();
    assert.deepEqual(await lookup('a'), { n: 2 });
    assert.deepEqual(await lookup('new'), { n: 3 });
    assert.deepEqual(c.loads, ['a', 'new', 'a', 'new']);
  });

  it('does not keep a value when the stamp changed while it was loading', async () => {
    let stamp = 0;
    let loads = 0;
    const lookup = cachedLookup<{ n: number }>({
      stamp: { current: () => stamp, local: () => stamp },
      load: async () => {
        loads++;
        stamp++;
        return { n: loads };
      },
    });
    await lookup('a');
    await lookup('a');
    assert.equal(loads, 2);
  });

  it('hands out frozen values, so no request can change what the next one gets', async () => {
    const c = counter();
    c.values.set('a', { n: 1 });
    const value = (await c.lookup()('a'))!;
    assert.ok(Object.isFrozen(value));
    assert.throws(() => {
      (value as { n: number }).n = 5;
    }, TypeError);
  });

  it('starts over when full instead of growing without bound', async () => {
    const c = counter();
    const lookup = c.lookup(2);
    for (const key of ['a', 'b', 'c', 'a']) await lookup(key);
    assert.deepEqual(c.loads, ['a', 'b', 'c', 'a']);
  });
});
