import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateClientSecret, hashClientSecret, secretHint, verifyClientSecret } from './client-secret.js';

describe('client secrets', () => {
  it('generates long, URL-safe, distinct secrets', () => {
    const a = generateClientSecret();
    assert.ok(a.length >= 40);
    assert.match(a, /^[A-Za-z0-9_-]+$/);
    assert.notEqual(a, generateClientSecret());
  });

  it('verifies a secret against its hash', async () => {
    const secret = generateClientSecret();
    const encoded = await hashClientSecret(secret);
    assert.match(encoded, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyClientSecret(secret, encoded), true);
  });

  it('refuses a wrong secret', async () => {
    const encoded = await hashClientSecret('correct horse battery staple');
    assert.equal(await verifyClientSecret('correct horse battery stapler', encoded), false);
    assert.equal(await verifyClientSecret('', encoded), false);
  });

  it('salts: two hashes of one secret differ, both verify', async () => {
    const secret = generateClientSecret();
    const [a, b] = await Promise.all([hashClientSecret(secret), hashClientSecret(secret)]);
    assert.notEqual(a, b);
    assert.equal(await verifyClientSecret(secret, a), true);
    assert.equal(await verifyClientSecret(secret, b), true);
  });

  it('answers false, never throws, for malformed encodings', async () => {
    const secret = 'abc123';
    const good = await hashClientSecret(secret);
    const parts = good.split('$');
    const variants = [
      '',
      'garbage',
      secret,
      good.replace(/^scrypt/, 'bcrypt'),
      parts.slice(0, 5).join('$'),
      [...parts, 'extra'].join('$'),
      [parts[0], 'abc', ...parts.slice(2)].join('$'),
      [parts[0], '1000', ...parts.slice(2)].join('$'), // N not a power of two
      [parts[0], String(2 ** 30), ...parts.slice(2)].join('$'), // absurd cost
      [...parts.slice(0, 4), '!!!', parts[5]].join('$'),
      [...parts.slice(0, 5), ''].join('$'),
      [...parts.slice(0, 5), 'AAAA'].join('$'), // hash too short
    ];
    for (const encoded of variants) assert.equal(await verifyClientSecret(secret, encoded), false, encoded);
  });

  it('keeps the secret out of the hash text', async () => {
    const secret = generateClientSecret();
    const encoded = await hashClientSecret(secret);
    assert.ok(!encoded.includes(secret));
    assert.ok(!encoded.includes(Buffer.from(secret).toString('base64')));
  });

  it('hints with the first three characters', () => {
    assert.equal(secretHint('Xy9~rest-of-secret'), 'Xy9');
  });
});
