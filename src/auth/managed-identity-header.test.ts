import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateIdentityHeader, parseIdentityHeader, verifyIdentityHeaderSecret } from './managed-identity-header.js';

describe('IDENTITY_HEADER', () => {
  it('is a public lookup id and a secret; only the secret is hashed, and it verifies', async () => {
    const generated = await generateIdentityHeader();
    const parsed = parseIdentityHeader(generated.header);
    assert.ok(parsed);
    assert.equal(parsed.lookupId, generated.lookupId);
    assert.equal(parsed.lookupId.length, 12);
    assert.ok(!generated.hash.includes(parsed.secret), 'the hash does not contain the secret');
    assert.equal(await verifyIdentityHeaderSecret(parsed.secret, generated.hash), true);
  });

  it('refuses another secret under the same lookup id', async () => {
    const generated = await generateIdentityHeader();
    const other = await generateIdentityHeader();
    const parsed = parseIdentityHeader(`${generated.lookupId}.${parseIdentityHeader(other.header)!.secret}`);
    assert.ok(parsed);
    assert.equal(await verifyIdentityHeaderSecret(parsed.secret, generated.hash), false);
  });

  it('gives different headers each time', async () => {
    const [a, b] = await Promise.all([generateIdentityHeader(), generateIdentityHeader()]);
    assert.notEqual(a.lookupId, b.lookupId);
    assert.notEqual(a.header, b.header);
  });

  it('does not parse values that cannot be ours', () => {
    const secret = 'A'.repeat(43);
    for (const value of [undefined, '', 'secret', `short.${secret}`, `${'a'.repeat(13)}.${secret}`, `${'a'.repeat(12)}.short`, `${'a'.repeat(12)}${secret}`, `${'a'.repeat(12)}.${secret}!`, `${'a'.repeat(11)}+.${secret}`]) {
      assert.equal(parseIdentityHeader(value), undefined, String(value));
    }
    assert.deepEqual(parseIdentityHeader(` ${'a'.repeat(12)}.${secret} `), { lookupId: 'a'.repeat(12), secret });
  });
});
