import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatListenAddress, parseListenAddress } from './listen-address.js';

describe('parseListenAddress', () => {
  it('reads HOST:PORT, [IPv6]:PORT and socket paths', () => {
    assert.deepEqual(parseListenAddress('10.0.0.5:8444'), { kind: 'tcp', host: '10.0.0.5', port: 8444 });
    assert.deepEqual(parseListenAddress('vault.internal:443'), { kind: 'tcp', host: 'vault.internal', port: 443 });
    assert.deepEqual(parseListenAddress('[fd00::5]:8444'), { kind: 'tcp', host: 'fd00::5', port: 8444 });
    assert.deepEqual(parseListenAddress('/run/coffer/private.sock'), { kind: 'unix', path: '/run/coffer/private.sock' });
    assert.deepEqual(parseListenAddress('./private.sock'), { kind: 'unix', path: './private.sock' });
  });

  it('refuses a missing or out-of-range port, a bare IPv6 address and a bracketed name', () => {
    for (const bad of ['10.0.0.5', '10.0.0.5:', '10.0.0.5:0', '10.0.0.5:65536', 'fd00::5:8444', '[vault]:8444', ':8444', 'private.sock', '']) {
      assert.throws(() => parseListenAddress(bad), /is not|not an IPv6/, bad);
    }
  });

  it('formats an address for logs', () => {
    assert.equal(formatListenAddress(parseListenAddress('[fd00::5]:8444')), '[fd00::5]:8444');
    assert.equal(formatListenAddress(parseListenAddress('127.0.0.1:9')), '127.0.0.1:9');
    assert.equal(formatListenAddress(parseListenAddress('/tmp/c.sock')), 'unix:/tmp/c.sock');
  });
});
