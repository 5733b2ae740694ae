import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discoveryUrl, jwksUriOf } from './remote-issuer-keys.js';

describe('discoveryUrl', () => {
  it('appends the well-known path to the issuer, without doubling a trailing slash', () => {
    assert.equal(discoveryUrl('https://idp.example'), 'https://idp.example/.well-known/openid-configuration');
    assert.equal(discoveryUrl('https://sts.windows.net/t1/'), 'https://sts.windows.net/t1/.well-known/openid-configuration');
    assert.equal(discoveryUrl('https://idp.example/realms/main'), 'https://idp.example/realms/main/.well-known/openid-configuration');
  });
});

describe('jwksUriOf', () => {
  const issuer = 'https://idp.example/realms/main';

  it('returns the https jwks_uri of a document naming the same issuer', () => {
    assert.equal(jwksUriOf(issuer, { issuer, jwks_uri: 'https://keys.idp.example/jwks' }).href, 'https://keys.idp.example/jwks');
  });

  it('refuses a document naming another issuer, even one differing by a trailing slash', () => {
    assert.throws(() => jwksUriOf(issuer, { issuer: `${issuer}/`, jwks_uri: 'https://idp.example/jwks' }), /names issuer/);
    assert.throws(() => jwksUriOf(issuer, { issuer: 'https://evil.example', jwks_uri: 'https://idp.example/jwks' }), /names issuer/);
    assert.throws(() => jwksUriOf(issuer, { jwks_uri: 'https://idp.example/jwks' }), /names issuer/);
  });

  it('refuses a missing, non-URL or plain-http jwks_uri, and documents that are not objects', () => {
    assert.throws(() => jwksUriOf(issuer, { issuer }), /no jwks_uri/);
    assert.throws(() => jwksUriOf(issuer, { issuer, jwks_uri: 'not a url' }), /not a URL/);
    assert.throws(() => jwksUriOf(issuer, { issuer, jwks_uri: 'http://idp.example/jwks' }), /not https/);
    assert.throws(() => jwksUriOf(issuer, [issuer]), /not a JSON object/);
    assert.throws(() => jwksUriOf(issuer, null), /not a JSON object/);
  });
});
