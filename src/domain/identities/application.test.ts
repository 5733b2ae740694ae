import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayNameProblem, isGuid, parseKeyCredentials } from './application.js';

const keyId = '3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a098';

describe('displayNameProblem', () => {
  it('accepts 1-256 characters and names the resource otherwise', () => {
    assert.equal(displayNameProblem('payroll', 'Application'), undefined);
    assert.equal(displayNameProblem('x'.repeat(256), 'Application'), undefined);
    assert.match(displayNameProblem(undefined, 'Application')!, /'displayName' of resource 'Application'/);
    assert.match(displayNameProblem('  ', 'Group')!, /resource 'Group'/);
    assert.match(displayNameProblem('x'.repeat(257), 'Application')!, /at most 256/);
    assert.ok(displayNameProblem(7, 'Application'));
  });
});

describe('isGuid', () => {
  it('tells GUIDs from anything else', () => {
    assert.equal(isGuid(keyId), true);
    assert.equal(isGuid(keyId.toUpperCase()), true);
    assert.equal(isGuid(`{${keyId}}`), false);
    assert.equal(isGuid('abc'), false);
  });
});

describe('parseKeyCredentials', () => {
  it('reads certificates (base64 key) and kept credentials (keyId), normalizing keyIds', () => {
    const parsed = parseKeyCredentials([
      { type: 'AsymmetricX509Cert', usage: 'Verify', key: Buffer.from('certificate').toString('base64'), displayName: 'signing', startDateTime: '2026-01-01T00:00:00Z' },
      { keyId: keyId.toUpperCase(), type: 'AsymmetricX509Cert', usage: 'Verify', key: null },
    ]);
    assert.deepEqual(parsed, { entries: [{ key: Buffer.from('certificate'), displayName: 'signing' }, { keyId }] });
  });

  it('accepts an empty list (remove every certificate)', () => {
    assert.deepEqual(parseKeyCredentials([]), { entries: [] });
  });

  it('names every problem with its entry', () => {
    const parsed = parseKeyCredentials([
      { type: 'Symmetric', usage: 'Verify', key: 'AAAA' },
      { type: 'AsymmetricX509Cert', usage: 'Sign', key: 'AAAA' },
      { keyId: 'not-a-guid' },
      { key: 'not base64!' },
      {},
      'text',
      { key: 'AAAA', endDateTime: 'someday' },
    ]);
    assert.ok('problems' in parsed);
    const text = parsed.problems.join('\n');
    for (const expected of [/keyCredentials\[0\]\.type 'Symmetric'/, /keyCredentials\[1\]\.usage 'Sign'/, /keyCredentials\[2\]\.keyId must be a GUID/, /keyCredentials\[3\]\.key must be base64/, /keyCredentials\[4\] needs a 'key'/, /keyCredentials\[5\] must be an object/, /keyCredentials\[6\]\.endDateTime/]) {
      assert.match(text, expected);
    }
  });

  it('refuses anything but an array', () => {
    assert.ok('problems' in parseKeyCredentials({ key: 'AAAA' }));
    assert.ok('problems' in parseKeyCredentials(null));
  });
});
