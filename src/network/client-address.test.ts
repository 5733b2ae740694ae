import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClientAddressResolver } from './client-address.js';
import { InvalidIpRuleError } from './ip-rules.js';

// Proxies: 10.0.0.0/24 (IPv4 range), 192.0.2.10 (single IPv4), 2001:db8:a::/48 (IPv6 range), fd00::5 (single IPv6).
const resolve = createClientAddressResolver({ trustedProxies: ['10.0.0.0/24', '192.0.2.10', '2001:db8:a::/48', 'fd00::5'] });

describe('createClientAddressResolver', () => {
  describe('creation', () => {
    it('throws InvalidIpRuleError for a bad trusted proxy entry', () => {
      for (const entry of ['proxy.internal', '10.0.0.1/24', '10.0.0.0/33', '', 'fe80::1%eth0']) {
        assert.throws(() => createClientAddressResolver({ trustedProxies: ['10.0.0.0/24', entry] }), InvalidIpRuleError, JSON.stringify(entry));
      }
    });

    it('accepts IPv4 and IPv6 addresses and ranges', () => {
      assert.equal(typeof createClientAddressResolver({ trustedProxies: ['10.0.0.1', '10.0.0.0/8', '::1', '2001:db8::/32'] }), 'function');
    });
  });

  describe('socket peer that is not a trusted proxy', () => {
    it('answers the socket address when there is no X-Forwarded-For', () => {
      assert.equal(resolve('203.0.113.7', undefined), '203.0.113.7');
      assert.equal(resolve('2001:db8:b::7', undefined), '2001:db8:b::7');
    });

    it('ignores X-Forwarded-For entirely, since the peer could have written all of it', () => {
      assert.equal(resolve('203.0.113.7', '198.51.100.1'), '203.0.113.7');
      assert.equal(resolve('203.0.113.7', ['198.51.100.1', '10.0.0.1']), '203.0.113.7');
      assert.equal(resolve('2001:db8:b::7', '198.51.100.1, 2001:db8:c::1'), '2001:db8:b::7');
    });

    it('answers nothing from a header even when the peer is just outside a trusted range', () => {
      assert.equal(resolve('10.0.1.0', '198.51.100.1'), '10.0.1.0');
      assert.equal(resolve('192.0.2.11', '198.51.100.1'), '192.0.2.11');
      assert.equal(resolve('2001:db8:b::', '198.51.100.1'), '2001:db8:b::');
    });

    it('trusts nobody when the list of trusted proxies is empty', () => {
      const direct = createClientAddressResolver({ trustedProxies: [] });
      assert.equal(direct('10.0.0.1', '198.51.100.1'), '10.0.0.1');
      assert.equal(direct('::1', '198.51.100.1'), '::1');
    });

    it('normalizes the socket address: mapped IPv4, IPv6 case and compression, zone id', () => {
      assert.equal(resolve('::ffff:203.0.113.7', '198.51.100.1'), '203.0.113.7');
      assert.equal(resolve('2001:DB8:B:0:0:0:0:7', undefined), '2001:db8:b::7');
      assert.equal(resolve('fe80::1%eth0', '198.51.100.1'), 'fe80::1');
    });
  });

  describe('socket peer that is a trusted proxy', () => {
    it('answers the socket address when there is no X-Forwarded-For, or it is blank', () => {
      assert.equal(resolve('10.0.0.1', undefined), '10.0.0.1');
      assert.equal(resolve('10.0.0.1', ''), '10.0.0.1');
      assert.equal(resolve('10.0.0.1', '  '), '10.0.0.1');
      assert.equal(resolve('10.0.0.1', []), '10.0.0.1');
    });

    it('answers the single forwarded address', () => {
      assert.equal(resolve('10.0.0.1', '203.0.113.7'), '203.0.113.7');
      assert.equal(resolve('fd00::5', '2001:db8:b::7'), '2001:db8:b::7');
    });

    it('recognizes trusted IPv4 peers seen as IPv4-mapped IPv6 on a dual-stack socket', () => {
      assert.equal(resolve('::ffff:10.0.0.1', '203.0.113.7'), '203.0.113.7');
      assert.equal(resolve('::ffff:192.0.2.10', '203.0.113.7'), '203.0.113.7');
    });

    it('recognizes the first and last address of a trusted range as trusted, and not one past the end', () => {
      assert.equal(resolve('10.0.0.0', '203.0.113.7'), '203.0.113.7');
      assert.equal(resolve('10.0.0.255', '203.0.113.7'), '203.0.113.7');
      assert.equal(resolve('10.0.1.0', '203.0.113.7'), '10.0.1.0');
      assert.equal(resolve('2001:db8:a:ffff:ffff:ffff:ffff:ffff', '203.0.113.7'), '203.0.113.7');
      assert.equal(resolve('2001:db8:b::', '203.0.113.7'), '2001:db8:b::');
    });

    it('answers the rightmost untrusted entry, ignoring what the client prepended', () => {
      // The client sent "X-Forwarded-For: 1.1.1.1" hoping to be taken for 1.1.1.1; the proxy appended the real peer.
      assert.equal(resolve('10.0.0.1', '1.1.1.1, 203.0.113.7'), '203.0.113.7');
      assert.equal(resolve('10.0.0.1', '10.0.0.9, 203.0.113.7'), '203.0.113.7');
    });

    it('skips trusted proxies from the right, IPv4 and IPv6 mixed', () => {
      assert.equal(resolve('10.0.0.1', '1.1.1.1, 203.0.113.7, 192.0.2.10, 10.0.0.2'), '203.0.113.7');
      assert.equal(resolve('fd00::5', '1.1.1.1, 2001:db8:b::7, 2001:db8:a::1, 10.0.0.2'), '2001:db8:b::7');
      assert.equal(resolve('10.0.0.1', '203.0.113.7, ::ffff:10.0.0.3'), '203.0.113.7');
    });

    it('answers the leftmost entry when every entry is a trusted proxy', () => {
      assert.equal(resolve('10.0.0.1', '10.0.0.5, 192.0.2.10, 10.0.0.2'), '10.0.0.5');
      assert.equal(resolve('fd00::5', 'fd00::5, 2001:db8:a::1'), 'fd00::5');
    });

    it('joins several X-Forwarded-For headers with commas, in order', () => {
      assert.equal(resolve('10.0.0.1', ['1.1.1.1', '203.0.113.7, 10.0.0.2']), '203.0.113.7');
      assert.equal(resolve('10.0.0.1', ['203.0.113.7', '198.51.100.1']), '198.51.100.1');
      assert.equal(resolve('10.0.0.1', ['10.0.0.5', '10.0.0.6']), '10.0.0.5');
    });

    it('tolerates spaces around entries', () => {
      assert.equal(resolve('10.0.0.1', '  1.1.1.1 ,203.0.113.7 ,  10.0.0.2  '), '203.0.113.7');
    });

    it('normalizes the forwarded address', () => {
      assert.equal(resolve('10.0.0.1', '::ffff:203.0.113.7'), '203.0.113.7');
      assert.equal(resolve('10.0.0.1', '2001:DB8:B:0::7'), '2001:db8:b::7');
      assert.equal(resolve('10.0.0.1', 'fe80::7%eth0'), 'fe80::7');
    });

    describe('entries with a port', () => {
      it('strips the port from a.b.c.d:port', () => {
        assert.equal(resolve('10.0.0.1', '203.0.113.7:5000'), '203.0.113.7');
        assert.equal(resolve('10.0.0.1', '203.0.113.7:5000, 10.0.0.2:443'), '203.0.113.7');
      });

      it('strips the port from [v6]:port, and accepts [v6] without a port', () => {
        assert.equal(resolve('10.0.0.1', '[2001:db8:b::7]:5000'), '2001:db8:b::7');
        assert.equal(resolve('10.0.0.1', '[2001:DB8:B::7]'), '2001:db8:b::7');
        assert.equal(resolve('10.0.0.1', '203.0.113.7, [2001:db8:a::1]:443'), '203.0.113.7');
      });

      it('does not mistake a bare IPv6 address for one with a port', () => {
        assert.equal(resolve('10.0.0.1', '2001:db8:b::5000'), '2001:db8:b::5000');
      });

      it('refuses an out-of-range port or an IPv6 address in IPv4 port syntax', () => {
        // Each is garbage, so the walk stops and answers the socket address (nothing valid to its right).
        assert.equal(resolve('10.0.0.1', '203.0.113.7:65536'), '10.0.0.1');
        assert.equal(resolve('10.0.0.1', '203.0.113.7:'), '10.0.0.1');
        assert.equal(resolve('10.0.0.1', '[203.0.113.7]:80'), '10.0.0.1');
        assert.equal(resolve('10.0.0.1', '[2001:db8:b::7]:x'), '10.0.0.1');
        assert.equal(resolve('10.0.0.1', '010.0.0.7:80'), '10.0.0.1');
      });
    });

    describe('entries that are not addresses', () => {
      it('answers the socket address when the rightmost entry is garbage', () => {
        for (const entry of ['unknown', 'garbage', 'client.example.com', '"203.0.113.7"', '_hidden', '203.0.113.0/24', '010.0.0.7']) {
          assert.equal(resolve('10.0.0.1', entry), '10.0.0.1', entry);
          assert.equal(resolve('10.0.0.1', `203.0.113.7, ${entry}`), '10.0.0.1', entry);
        }
      });

      it('stops the walk at garbage and answers the last valid trusted address to its right', () => {
        assert.equal(resolve('10.0.0.1', '203.0.113.7, unknown, 10.0.0.2'), '10.0.0.2');
        assert.equal(resolve('10.0.0.1', '203.0.113.7, unknown, 10.0.0.3, 10.0.0.2'), '10.0.0.3');
        assert.equal(resolve('fd00::5', '2001:db8:b::7, garbage, 2001:db8:a::1'), '2001:db8:a::1');
      });

      it('treats an empty entry as garbage', () => {
        assert.equal(resolve('10.0.0.1', '203.0.113.7, , 10.0.0.2'), '10.0.0.2');
        assert.equal(resolve('10.0.0.1', '203.0.113.7,'), '10.0.0.1');
      });

      it('still answers an untrusted entry found right of the garbage', () => {
        assert.equal(resolve('10.0.0.1', 'unknown, 203.0.113.7'), '203.0.113.7');
      });
    });
  });

  describe('socket address missing or invalid', () => {
    it("answers '' when the socket address is undefined", () => {
      assert.equal(resolve(undefined, undefined), '');
      assert.equal(resolve(undefined, '203.0.113.7'), '');
    });

    it("answers '' when the socket address is not an IP address", () => {
      assert.equal(resolve('', '203.0.113.7'), '');
      assert.equal(resolve('unknown', '203.0.113.7'), '');
    });
  });
});
