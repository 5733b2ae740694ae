import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { federatedCredentialProblems, matchFederatedCredential } from './federated-credential.js';

const valid = { name: 'github-main', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:o/r:ref:refs/heads/main', audiences: ['api://AzureADTokenExchange'] };

describe('federatedCredentialProblems', () => {
  it('accepts a credential as Entra would', () => {
    assert.deepEqual(federatedCredentialProblems(valid), []);
  });

  it('names each field that breaks a rule', () => {
    const cases: Array<[Partial<typeof valid> & { description?: string }, RegExp]> = [
      [{ name: 'ab' }, /^name/],
      [{ name: '-starts-with-dash' }, /^name/],
      [{ name: 'has space' }, /^name/],
      [{ issuer: 'not a url' }, /^issuer .* not a URL/],
      [{ issuer: 'http://insecure.example' }, /https URL/],
      [{ issuer: 'https://example.com/?q=1' }, /without query/],
      [{ subject: '' }, /^subject/],
      [{ audiences: [] }, /one audience/],
      [{ audiences: ['a', 'b'] }, /one audience/],
      [{ description: 'x'.repeat(601) }, /^description/],
    ];
    for (const [change, pattern] of cases) {
      const problems = federatedCredentialProblems({ ...valid, ...change });
      assert.equal(problems.length, 1, `${JSON.stringify(change)}: ${problems.join('; ')}`);
      assert.match(problems[0]!, pattern);
    }
  });
});

describe('matchFederatedCredential', () => {
  const credentials = [
    { id: 'a', issuer: 'https://issuer.example', subject: 'system:serviceaccount:ns:app', audiences: ['api://AzureADTokenExchange'] },
    { id: 'b', issuer: 'https://issuer.example', subject: 'system:serviceaccount:ns:other', audiences: ['custom'] },
  ];
  const token = { issuer: 'https://issuer.example', subject: 'system:serviceaccount:ns:app', audiences: ['api://AzureADTokenExchange'] };

  it('matches issuer, subject and one audience exactly', () => {
    assert.deepEqual(matchFederatedCredential(credentials, token), { matched: credentials[0] });
    assert.deepEqual(matchFederatedCredential(credentials, { ...token, subject: 'system:serviceaccount:ns:other', audiences: ['x', 'custom'] }), { matched: credentials[1] });
  });

  it('reports the first field without a match, in Entra order: issuer, subject, audience', () => {
    assert.deepEqual(matchFederatedCredential(credentials, { ...token, issuer: 'https://issuer.example/' }), { failure: 'issuer' });
    assert.deepEqual(matchFederatedCredential(credentials, { ...token, subject: 'System:serviceaccount:ns:app' }), { failure: 'subject' });
    assert.deepEqual(matchFederatedCredential(credentials, { ...token, subject: undefined }), { failure: 'subject' });
    assert.deepEqual(matchFederatedCredential(credentials, { ...token, audiences: ['custom'] }), { failure: 'audience' });
    assert.deepEqual(matchFederatedCredential([], token), { failure: 'issuer' });
  });
});
