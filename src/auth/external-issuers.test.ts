import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { externalPrincipal, parseExternalIssuer } from './external-issuers.js';

describe('parseExternalIssuer', () => {
  it('takes a bare issuer URL, with oid as the principal claim', () => {
    assert.deepEqual(parseExternalIssuer('https://login.microsoftonline.com/t1/v2.0'), { issuer: 'https://login.microsoftonline.com/t1/v2.0', principalClaim: 'oid' });
  });

  it('keeps the URL exactly as given, trailing slash included, since it must equal the token iss', () => {
    assert.equal(parseExternalIssuer('https://sts.windows.net/t1/').issuer, 'https://sts.windows.net/t1/');
  });

  it('takes claim=NAME', () => {
    assert.deepEqual(parseExternalIssuer('https://keycloak.example/realms/main|claim=sub'), { issuer: 'https://keycloak.example/realms/main', principalClaim: 'sub' });
  });

  it('refuses what it cannot use, quoting the entry and saying why', () => {
    const cases: Array<[string, RegExp]> = [
      ['not a url', /not a URL/],
      ['http://idp.example', /https/],
      ['https://idp.example?x=1', /no query/],
      ['https://user:pw@idp.example', /user information/],
      ['https://idp.example|sub', /not KEY=VALUE/],
      ['https://idp.example|audience=x', /unknown option 'audience'/],
      ['https://idp.example|claim=sub|claim=oid', /given twice/],
      ['https://idp.example|claim=', /not a claim name/],
      ['https://idp.example|claim=a b', /not a claim name/],
    ];
    for (const [entry, pattern] of cases) {
      assert.throws(() => parseExternalIssuer(entry), (error: Error) => {
        assert.match(error.message, pattern, entry);
        assert.ok(error.message.includes(`'${entry}'`), error.message);
        return true;
      });
    }
  });
});

describe('externalPrincipal', () => {
  const token = {
    tenantId: 'ext-tenant', objectId: 'user-1', appId: 'app-9', audience: 'https://vault.azure.net', issuer: 'https://idp.example',
    expiresAt: 2_000_000_000, claims: { name: 'Ada' }, externalIssuer: 'https://idp.example',
  };

  it('is never an administrator or trusted service, always enabled, and names its issuer', () => {
    assert.deepEqual(externalPrincipal(token), {
      tenantId: 'ext-tenant', objectId: 'user-1', appId: 'app-9', displayName: 'Ada', kind: 'external', issuer: 'https://idp.example',
      isAdmin: false, isTrustedService: false, enabled: true,
    });
  });

  it('falls back to the object id for a display name', () => {
    assert.equal(externalPrincipal({ ...token, claims: {} }).displayName, 'user-1');
  });
});
