import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIpMatcher, InvalidIpRuleError, normalizeClientAddress, parseIpRule } from './ip-rules.js';

function rejects(value: string, messagePart: RegExp): void {
  assert.throws(
    () => parseIpRule(value),
    (error: unknown) => {
      assert.ok(error instanceof InvalidIpRuleError, `expected InvalidIpRuleError for ${JSON.stringify(value)}`);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'InvalidIpRuleError');
      assert.equal(error.value, value);
      assert.match(error.message, messagePart);
      return true;
    },
  );
}

function matcher(...rules: string[]): (address: string) => boolean {
  return createIpMatcher(rules.map(parseIpRule));
}

describe('parseIpRule', () => {
  describe('IPv4', () => {
    it('turns a bare address into a /32 range, like Azure answers', () => {
      assert.deepEqual(parseIpRule('203.0.113.7'), { value: '203.0.113.7/32', family: 'ipv4', address: '203.0.113.7', prefix: 32 });
    });

    it('keeps a CIDR range whose address is the network address', () => {
      assert.deepEqual(parseIpRule('203.0.113.0/24'), { value: '203.0.113.0/24', family: 'ipv4', address: '203.0.113.0', prefix: 24 });
    });

    it('accepts the /0 and /32 prefix edges', () => {
      assert.equal(parseIpRule('0.0.0.0/0').value, '0.0.0.0/0');
      assert.equal(parseIpRule('255.255.255.255/32').value, '255.255.255.255/32');
    });

    it('accepts private, loopback and link-local ranges (deliberately unlike Azure)', () => {
      assert.equal(parseIpRule('10.0.0.0/8').value, '10.0.0.0/8');
      assert.equal(parseIpRule('192.168.1.0/24').value, '192.168.1.0/24');
      assert.equal(parseIpRule('127.0.0.1').value, '127.0.0.1/32');
      assert.equal(parseIpRule('169.254.0.0/16').value, '169.254.0.0/16');
    });

    it('refuses a range with host bits set and names the network address', () => {
      rejects('10.0.0.1/8', /network address is 10\.0\.0\.0\/8/);
      rejects('203.0.113.7/24', /network address is 203\.0\.113\.0\/24/);
      rejects('203.0.113.129/25', /network address is 203\.0\.113\.128\/25/);
      rejects('1.2.3.4/0', /network address is 0\.0\.0\.0\/0/);
    });

    it('refuses octets with leading zeros, which some parsers read as octal', () => {
      rejects('010.0.0.1', /leading zeros/);
      rejects('10.0.0.01', /leading zeros/);
      rejects('10.00.0.0/16', /leading zeros/);
    });

    it('refuses prefixes out of range or not plain decimal', () => {
      rejects('10.0.0.0/33', /\/33 is out of range \(0 to 32\)/);
      rejects('10.0.0.0/-1', /prefix must be a decimal number from 0 to 32/);
      rejects('10.0.0.0/abc', /prefix must be a decimal number/);
      rejects('10.0.0.0/', /prefix must be a decimal number/);
      rejects('10.0.0.0/08', /prefix must be a decimal number/);
      rejects('10.0.0.0/0x8', /prefix must be a decimal number/);
      rejects('10.0.0.0/1e1', /prefix must be a decimal number/);
      rejects('10.0.0.0/8/8', /more than one '\/'/);
    });

    it('refuses malformed addresses', () => {
      for (const value of ['256.0.0.0', '1.2.3', '1.2.3.4.5', '1.2.3.-4', '0x7f.0.0.1', '1.2.3.4:80']) {
        rejects(value, /expected an IPv4 or IPv6 address/);
      }
    });
  });

  describe('IPv6', () => {
    it('turns a bare address into a /128 range', () => {
      assert.deepEqual(parseIpRule('2001:db8::1'), { value: '2001:db8::1/128', family: 'ipv6', address: '2001:db8::1', prefix: 128 });
    });

    it('canonicalizes the text: lowercase, leading zeros dropped, longest zero run compressed', () => {
      assert.deepEqual(parseIpRule('2001:0DB8:0000:0000::/32'), { value: '2001:db8::/32', family: 'ipv6', address: '2001:db8::', prefix: 32 });
      assert.equal(parseIpRule('2001:db8:0:0:1:0:0:1').value, '2001:db8::1:0:0:1/128');
    });

    it('accepts the /0 and /128 prefix edges', () => {
      assert.equal(parseIpRule('::/0').value, '::/0');
      assert.equal(parseIpRule('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128').value, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128');
    });

    it('accepts an IPv4-mapped address as IPv6', () => {
      assert.deepEqual(parseIpRule('::ffff:203.0.113.7'), {
        value: '::ffff:203.0.113.7/128',
        family: 'ipv6',
        address: '::ffff:203.0.113.7',
        prefix: 128,
      });
      assert.equal(parseIpRule('::FFFF:CB00:7100/120').value, '::ffff:203.0.113.0/120');
    });

    it('refuses a range with host bits set and names the network address', () => {
      rejects('2001:db8::1/32', /network address is 2001:db8::\/32/);
      rejects('2001:db8::1/127', /network address is 2001:db8::\/127/);
      rejects('2001:db8:0:0:8000::/64', /network address is 2001:db8::\/64/);
      rejects('::ffff:203.0.113.7/120', /network address is ::ffff:203\.0\.113\.0\/120/);
    });

    it('refuses prefixes out of range', () => {
      rejects('2001:db8::/129', /\/129 is out of range \(0 to 128\)/);
      rejects('2001:db8::/-1', /prefix must be a decimal number from 0 to 128/);
      rejects('2001:db8::/abc', /prefix must be a decimal number/);
    });

    it('refuses zone ids, which name an interface of one host', () => {
      rejects('fe80::1%eth0', /zone ids/);
      rejects('fe80::%eth0/64', /zone ids/);
    });

    it('refuses a leading-zero octet in an embedded IPv4 tail', () => {
      rejects('::ffff:010.0.0.1', /leading zeros/);
    });

    it('refuses malformed addresses', () => {
      for (const value of ['2001:db8:::1', '2001:db8::1::2', '12345::', '1:2:3:4:5:6:7:8:9', '[2001:db8::1]', 'g::1']) {
        rejects(value, /expected an IPv4 or IPv6 address/);
      }
    });
  });

  describe('anything else', () => {
    it('refuses the empty string', () => {
      rejects('', /is empty/);
    });

    it('refuses whitespace, alone or around an address', () => {
      rejects(' ', /contains whitespace/);
      rejects(' 10.0.0.1', /contains whitespace/);
      rejects('10.0.0.1\n', /contains whitespace/);
      rejects('10.0.0.0/ 8', /contains whitespace/);
    });

    it('refuses hostnames', () => {
      rejects('vault.example.com', /expected an IPv4 or IPv6 address/);
      rejects('localhost', /expected an IPv4 or IPv6 address/);
      rejects('example.com/24', /expected an IPv4 or IPv6 address/);
    });

    it('quotes the value in the message, JSON-escaped', () => {
      rejects('bad\u0007value', /^Invalid IP rule "bad\\u0007value": /);
    });

    it('truncates a long value to 64 characters in the message but keeps it whole on the error', () => {
      const value = `${'a'.repeat(64)}${'Z'.repeat(100)}`;
      assert.throws(
        () => parseIpRule(value),
        (error: unknown) => {
          assert.ok(error instanceof InvalidIpRuleError);
          assert.ok(error.message.includes(`"${'a'.repeat(64)}…"`), error.message);
          assert.ok(!error.message.includes('Z'), error.message);
          assert.equal(error.value, value);
          return true;
        },
      );
    });

    it('does not mark a value of exactly 64 characters as truncated', () => {
      const value = 'c'.repeat(64);
      assert.throws(() => parseIpRule(value), { message: `Invalid IP rule "${value}": expected an IPv4 or IPv6 address, optionally followed by /prefix.` });
    });
  });
});

describe('createIpMatcher', () => {
  describe('IPv4 /24 edges', () => {
    const inRange = matcher('203.0.113.0/24');

    it('matches the first and last address of the range', () => {
      assert.equal(inRange('203.0.113.0'), true);
      assert.equal(inRange('203.0.113.255'), true);
    });

    it('does not match one past either end', () => {
      assert.equal(inRange('203.0.112.255'), false);
      assert.equal(inRange('203.0.114.0'), false);
    });
  });

  describe('IPv6 /64 edges', () => {
    const inRange = matcher('2001:db8:0:1::/64');

    it('matches the first and last address of the range', () => {
      assert.equal(inRange('2001:db8:0:1::'), true);
      assert.equal(inRange('2001:db8:0:1:ffff:ffff:ffff:ffff'), true);
    });

    it('does not match one past either end', () => {
      assert.equal(inRange('2001:db8::ffff:ffff:ffff:ffff'), false);
      assert.equal(inRange('2001:db8:0:2::'), false);
    });

    it('matches whatever the case or compression of the client address', () => {
      assert.equal(inRange('2001:DB8:0000:0001:0:0:0:ABCD'), true);
    });
  });

  it('matches a /32 rule made from a bare IPv4 address, and only that address', () => {
    const single = matcher('203.0.113.7');
    assert.equal(single('203.0.113.7'), true);
    assert.equal(single('203.0.113.6'), false);
    assert.equal(single('203.0.113.8'), false);
  });

  it('matches a /128 rule made from a bare IPv6 address, and only that address', () => {
    const single = matcher('2001:db8::7');
    assert.equal(single('2001:db8::7'), true);
    assert.equal(single('2001:db8::6'), false);
    assert.equal(single('2001:db8::8'), false);
  });

  it('matches when any of several rules matches', () => {
    const several = matcher('10.0.0.0/8', '192.168.1.5', '2001:db8::/32');
    assert.equal(several('10.255.0.1'), true);
    assert.equal(several('192.168.1.5'), true);
    assert.equal(several('2001:db8:ffff::1'), true);
    assert.equal(several('192.168.1.6'), false);
    assert.equal(several('2001:db9::1'), false);
  });

  it('matches nothing without rules', () => {
    const none = createIpMatcher([]);
    assert.equal(none('203.0.113.7'), false);
    assert.equal(none('2001:db8::1'), false);
  });

  it('matches an IPv4-mapped client address against IPv4 rules', () => {
    const ipv4 = matcher('203.0.113.0/24');
    assert.equal(ipv4('::ffff:203.0.113.7'), true);
    assert.equal(ipv4('::FFFF:203.0.113.7'), true);
    assert.equal(ipv4('::ffff:cb00:7107'), true);
    assert.equal(ipv4('::ffff:203.0.114.7'), false);
  });

  it('does not treat an IPv4-compatible (::a.b.c.d, not ::ffff:) address as IPv4', () => {
    assert.equal(matcher('203.0.113.0/24')('::203.0.113.7'), false);
  });

  it('does not match IPv4 clients against IPv6 rules outside the mapped range', () => {
    const ipv6 = matcher('2001:db8::/32', '::/96');
    assert.equal(ipv6('203.0.113.7'), false);
    assert.equal(ipv6('::ffff:203.0.113.7'), false);
  });

  it('matches IPv4 clients against an IPv6 rule covering the mapped range, which is those same addresses', () => {
    const mapped = matcher('::ffff:203.0.113.0/120');
    assert.equal(mapped('203.0.113.7'), true);
    assert.equal(mapped('::ffff:203.0.113.7'), true);
    assert.equal(mapped('203.0.114.7'), false);
  });

  it('ignores the zone id of a link-local client address', () => {
    const linkLocal = matcher('fe80::/10');
    assert.equal(linkLocal('fe80::1%eth0'), true);
    assert.equal(matcher('fe80::1')('fe80::1%2'), true);
    assert.equal(matcher('fe80::2')('fe80::1%eth0'), false);
  });

  it('never matches an unparseable address, even against an allow-all rule', () => {
    const everything = matcher('0.0.0.0/0', '::/0');
    assert.equal(everything('203.0.113.7'), true);
    for (const address of ['', 'unknown', 'localhost', '203.0.113.7:5000', '[2001:db8::1]', ' 203.0.113.7', '010.0.0.1', '203.0.113.0/24']) {
      assert.equal(everything(address), false, JSON.stringify(address));
    }
  });
});

describe('normalizeClientAddress', () => {
  it('strips the ::ffff: mapping of an IPv4-mapped address', () => {
    assert.equal(normalizeClientAddress('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(normalizeClientAddress('::FFFF:203.0.113.7'), '203.0.113.7');
    assert.equal(normalizeClientAddress('0:0:0:0:0:ffff:cb00:7107'), '203.0.113.7');
  });

  it('lowercases and compresses IPv6', () => {
    assert.equal(normalizeClientAddress('2001:DB8::ABCD'), '2001:db8::abcd');
    assert.equal(normalizeClientAddress('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  });

  it('removes an IPv6 zone id', () => {
    assert.equal(normalizeClientAddress('fe80::1%eth0'), 'fe80::1');
    assert.equal(normalizeClientAddress('FE80::1%25'), 'fe80::1');
    assert.equal(normalizeClientAddress('::ffff:203.0.113.7%eth0'), '203.0.113.7');
  });

  it('leaves IPv4 and non-mapped IPv6 alone', () => {
    assert.equal(normalizeClientAddress('203.0.113.7'), '203.0.113.7');
    assert.equal(normalizeClientAddress('::1'), '::1');
    assert.equal(normalizeClientAddress('::203.0.113.7'), '::203.0.113.7');
  });

  it('returns text that is not an IP address unchanged', () => {
    assert.equal(normalizeClientAddress('unknown'), 'unknown');
    assert.equal(normalizeClientAddress(''), '');
    assert.equal(normalizeClientAddress('[::1]:80'), '[::1]:80');
  });
});
