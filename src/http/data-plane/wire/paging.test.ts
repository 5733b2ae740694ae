import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CofferError } from '../../../errors.js';
import { decodeSkipToken, encodeSkipToken, nextLink, parseMaxResults } from './paging.js';

describe('parseMaxResults', () => {
  it('defaults to 25 and accepts 1..25', () => {
    assert.equal(parseMaxResults(undefined), 25);
    assert.equal(parseMaxResults('1'), 1);
    assert.equal(parseMaxResults('25'), 25);
  });
  for (const bad of ['0', '26', '-1', '2.5', 'ten']) {
    it(`refuses '${bad}' with BadParameter`, () => {
      assert.throws(() => parseMaxResults(bad), (error: unknown) => error instanceof CofferError && error.status === 400 && error.code === 'BadParameter');
    });
  }
});

describe('skip tokens', () => {
  it('round-trip a position, including characters that need escaping', () => {
    assert.equal(decodeSkipToken(encodeSkipToken('name-with/odd chars')), 'name-with/odd chars');
    assert.equal(decodeSkipToken(undefined), undefined);
  });
  it('refuse a token we did not make', () => {
    assert.throws(() => decodeSkipToken('not-ours'), CofferError);
    assert.throws(() => decodeSkipToken(Buffer.from('c1:').toString('base64url')), CofferError);
  });
});

describe('nextLink', () => {
  it('is absent on the last page', () => {
    assert.equal(nextLink({ baseUrl: 'https://v.vault.localhost:8443', path: '/secrets', apiVersion: '7.5', next: undefined, maxResults: '5' }), null);
  });
  it('is absolute and keeps api-version and maxresults', () => {
    const link = nextLink({ baseUrl: 'https://v.vault.localhost:8443', path: '/secrets', apiVersion: '7.5', next: 'abc', maxResults: '5' });
    const url = new URL(link!);
    assert.equal(url.origin, 'https://v.vault.localhost:8443');
    assert.equal(url.pathname, '/secrets');
    assert.equal(url.searchParams.get('api-version'), '7.5');
    assert.equal(url.searchParams.get('maxresults'), '5');
    assert.equal(decodeSkipToken(url.searchParams.get('$skiptoken') ?? undefined), 'abc');
  });
});
