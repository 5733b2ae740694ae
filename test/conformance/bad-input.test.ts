// Bad input is refused in Azure's shape and changes nothing (STYLE.md §4): every refused write leaves the secret
// absent or exactly as it was. Ends with a bounded, seeded fuzz loop: no 5xx, no stack traces, always a request id.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, uniqueName, type RawResponse, type TestServer } from '../support/start-server.js';

const apiVersion = '7.5';

/** The request exactly as given: the harness sends the path and body byte for byte. */
function rawRequest(server: TestServer, method: string, path: string, opts: { body?: string | Buffer; headers?: Record<string, string>; token?: string } = {}): Promise<RawResponse> {
  return server.request(method, `https://localhost:${server.port}${path}`, opts);
}

/** Azure's data-plane error shape, a request id, and nothing of our insides: no stack frames, no file paths. */
function assertAzureError(response: RawResponse, context: string): void {
  assert.equal(typeof response.headers['x-ms-request-id'], 'string', `${context}: x-ms-request-id`);
  assert.equal(typeof response.json?.error?.code, 'string', `${context}: error.code in ${response.text.slice(0, 300)}`);
  assert.equal(typeof response.json.error.message, 'string', `${context}: error.message`);
  assertNoInternals(response.text, context);
}

function assertNoInternals(text: string, context: string): void {
  assert.doesNotMatch(text, /\bat [^\s]+ \(|\bat (file|node):|\n\s+at /, `${context}: stack frame in ${text.slice(0, 300)}`);
  assert.doesNotMatch(text, /\/work\/|node_modules|\/src\/|\.ts:\d+|\.js:\d+/, `${context}: file path in ${text.slice(0, 300)}`);
}

/** mulberry32: a small deterministic PRNG, so a failing fuzz case can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('bad input', () => {
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await startServer();
    token = await server.adminToken();
  });
  after(() => server.dispose());

  const json = { 'content-type': 'application/json' };
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = json) =>
    rawRequest(server, method, path, { token, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });

  async function assertAbsent(name: string): Promise<void> {
    const response = await send('GET', `/secrets/${name}?api-version=${apiVersion}`);
    assert.equal(response.status, 404, `${name} should not exist: ${response.text}`);
    assert.equal(response.json.error.code, 'SecretNotFound');
  }

  /** A secret with one version, a content type, tags and attributes, to show that refused requests leave it alone. */
  async function existingSecret(): Promise<{ name: string; bundle: any }> {
    const name = uniqueName('keep');
    const set = await send('PUT', `/secrets/${name}?api-version=${apiVersion}`, {
      value: 'original',
      contentType: 'text/plain',
      tags: { team: 'payroll' },
      attributes: { enabled: true, exp: 4_102_444_800 },
    });
    assert.equal(set.status, 200, set.text);
    return { name, bundle: set.json };
  }

  async function assertUnchanged(name: string, before: any): Promise<void> {
    const got = await send('GET', `/secrets/${name}?api-version=${apiVersion}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.value, 'original');
    assert.equal(got.json.id, before.id);
    assert.equal(got.json.contentType, before.contentType);
    assert.deepEqual(got.json.tags, before.tags);
    assert.deepEqual(got.json.attributes, before.attributes);
    const versions = await send('GET', `/secrets/${name}/versions?api-version=${apiVersion}`);
    assert.equal(versions.status, 200, versions.text);
    assert.equal(versions.json.value.length, 1, 'still one version');
  }

  const manyTags = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`tag${i}`, 'v']));
  const badSetBodies: Array<[string, unknown]> = [
    ['malformed JSON', '{"value": "x"'],
    ['value a number', { value: 5 }],
    ['value null', { value: null }],
    ['value missing', { contentType: 'text/plain' }],
    ['empty object', {}],
    ['a JSON array', [{ value: 'x' }]],
    ['a JSON string', '"x"'],
    ['JSON null', 'null'],
    ['a tag value that is a number', { value: 'x', tags: { a: 1 } }],
    ['a tag value that is an object', { value: 'x', tags: { a: { b: 'c' } } }],
    ['tags an array', { value: 'x', tags: ['a'] }],
    ['16 tags', { value: 'x', tags: manyTags }],
    ['a 513-character tag value', { value: 'x', tags: { a: 'v'.repeat(513) } }],
    ['a 513-character tag name', { value: 'x', tags: { ['k'.repeat(513)]: 'v' } }],
    ['enabled "yes"', { value: 'x', attributes: { enabled: 'yes' } }],
    ['exp -1', { value: 'x', attributes: { exp: -1 } }],
    ['exp a string', { value: 'x', attributes: { exp: '2030-01-01' } }],
    ['nbf a fraction', { value: 'x', attributes: { nbf: 1.5 } }],
    ['attributes a string', { value: 'x', attributes: 'enabled' }],
    ['contentType a number', { value: 'x', contentType: 5 }],
    ['a 256-character contentType', { value: 'x', contentType: 'c'.repeat(256) }],
    ['a 25,601-byte value', { value: 'a'.repeat(25 * 1024 + 1) }],
    ['a value of 25,602 bytes in 3-byte characters', { value: '€'.repeat(8534) }],
  ];

  describe('PUT /secrets/{name} (SetSecret)', () => {
    for (const [label, body] of badSetBodies) {
      it(`refuses ${label} with 400 BadParameter and creates nothing`, async () => {
        const name = uniqueName('bad');
        const response = await send('PUT', `/secrets/${name}?api-version=${apiVersion}`, body);
        assert.equal(response.status, 400, response.text);
        assertAzureError(response, label);
        assert.equal(response.json.error.code, 'BadParameter');
        await assertAbsent(name);
      });
    }

    it('refuses every one of those on an existing secret, which keeps its value, metadata and single version', async () => {
      const { name, bundle } = await existingSecret();
      for (const [label, body] of badSetBodies) {
        const response = await send('PUT', `/secrets/${name}?api-version=${apiVersion}`, body);
        assert.equal(response.status, 400, `${label}: ${response.text}`);
        assert.equal(response.json.error.code, 'BadParameter', label);
      }
      await assertUnchanged(name, bundle);
    });

    it('accepts a value of exactly 25,600 bytes (the limit is inclusive)', async () => {
      const name = uniqueName();
      const response = await send('PUT', `/secrets/${name}?api-version=${apiVersion}`, { value: 'a'.repeat(25 * 1024) });
      assert.equal(response.status, 200, response.text.slice(0, 300));
    });

    it('refuses a name with "_", ".", 128 characters or non-ASCII with 400 BadParameter', async () => {
      for (const name of ['bad_name', 'bad.name', 'n'.repeat(128), 'caf%C3%A9', '%20']) {
        const response = await send('PUT', `/secrets/${name}?api-version=${apiVersion}`, { value: 'x' });
        assert.equal(response.status, 400, `${name}: ${response.text}`);
        assertAzureError(response, name);
        assert.equal(response.json.error.code, 'BadParameter');
      }
      const list = await send('GET', `/secrets?api-version=${apiVersion}`);
      for (const item of list.json.value) assert.doesNotMatch(item.id, /bad_name|bad\.name|nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn|caf(%C3%A9|\u00e9)/i);
    });

    it('accepts a name of 127 characters', async () => {
      const response = await send('PUT', `/secrets/${'n'.repeat(127)}?api-version=${apiVersion}`, { value: 'x' });
      assert.equal(response.status, 200, response.text);
    });

    it('refuses a 2 MB body with 413 in the Azure shape and writes nothing', async () => {
      const name = uniqueName();
      const response = await send('PUT', `/secrets/${name}?api-version=${apiVersion}`, { value: 'a'.repeat(2 * 1024 * 1024) });
      assert.equal(response.status, 413, response.text);
      assertAzureError(response, '2 MB body');
      await assertAbsent(name);
    });

    it('refuses an empty body with content-type json (after authentication) with 400', async () => {
      const name = uniqueName();
      const response = await rawRequest(server, 'PUT', `/secrets/${name}?api-version=${apiVersion}`, { token, headers: { ...json, 'content-length': '0' } });
      assert.equal(response.status, 400, response.text);
      assertAzureError(response, 'empty body');
      await assertAbsent(name);
    });

    it('refuses other content types with a 4xx in the Azure shape and writes nothing', async () => {
      for (const contentType of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
        const name = uniqueName();
        const response = await send('PUT', `/secrets/${name}?api-version=${apiVersion}`, JSON.stringify({ value: 'x' }), { 'content-type': contentType });
        assert.ok(response.status >= 400 && response.status < 500, `${contentType}: ${response.status} ${response.text}`);
        assertAzureError(response, contentType);
        await assertAbsent(name);
      }
    });
  });

  describe('PATCH /secrets/{name}/{version} (UpdateSecret)', () => {
    const badUpdateBodies: Array<[string, unknown]> = [
      ['malformed JSON', '{"tags": '],
      ['a JSON array', [{ tags: {} }]],
      ['a JSON string', '"x"'],
      ['a tag value that is a number', { tags: { team: 7 } }],
      ['16 tags', { tags: manyTags }],
      ['enabled "yes"', { attributes: { enabled: 'yes' } }],
      ['exp -1', { attributes: { exp: -1 } }],
      ['nbf a string', { attributes: { nbf: 'now' } }],
      ['contentType a number', { contentType: 1 }],
    ];

    it('refuses each bad update with 400 BadParameter and leaves the version as it was', async () => {
      const { name, bundle } = await existingSecret();
      const version = String(bundle.id).split('/').pop();
      for (const path of [`/secrets/${name}/${version}`, `/secrets/${name}`]) {
        for (const [label, body] of badUpdateBodies) {
          const response = await send('PATCH', `${path}?api-version=${apiVersion}`, body);
          assert.equal(response.status, 400, `${label}: ${response.text}`);
          assertAzureError(response, label);
          assert.equal(response.json.error.code, 'BadParameter', label);
        }
      }
      await assertUnchanged(name, bundle);
    });

    it('refuses version "xyz" with 400 BadParameter, as GetSecret does', async () => {
      const { name, bundle } = await existingSecret();
      const response = await send('PATCH', `/secrets/${name}/xyz?api-version=${apiVersion}`, { tags: { changed: 'yes' } });
      assert.equal(response.status, 400, response.text);
      assertAzureError(response, 'version xyz');
      assert.equal(response.json.error.code, 'BadParameter');
      await assertUnchanged(name, bundle);
    });

    it('refuses a bad name with 400 BadParameter, as GetSecret does', async () => {
      for (const name of ['bad_name', 'n'.repeat(128)]) {
        const response = await send('PATCH', `/secrets/${name}?api-version=${apiVersion}`, { tags: { changed: 'yes' } });
        assert.equal(response.status, 400, `${name}: ${response.text}`);
        assertAzureError(response, name);
        assert.equal(response.json.error.code, 'BadParameter');
      }
    });
  });

  describe('GET /secrets/{name}/{version} (GetSecret)', () => {
    it('refuses version "xyz" and a bad name with 400 BadParameter', async () => {
      const { name } = await existingSecret();
      for (const path of [`/secrets/${name}/xyz`, `/secrets/${name}/${'0'.repeat(31)}`, '/secrets/bad_name', `/secrets/${'n'.repeat(128)}`]) {
        const response = await send('GET', `${path}?api-version=${apiVersion}`);
        assert.equal(response.status, 400, `${path}: ${response.text}`);
        assertAzureError(response, path);
        assert.equal(response.json.error.code, 'BadParameter');
      }
    });
  });

  describe('api-version', () => {
    it('refuses an unknown or missing api-version with 400 BadParameter, and writes nothing', async () => {
      for (const query of ['?api-version=9.9', '?api-version=', '', '?api-version=7.5x', '?apiversion=7.5']) {
        const name = uniqueName();
        const response = await send('PUT', `/secrets/${name}${query}`, { value: 'x' });
        assert.equal(response.status, 400, `${query}: ${response.text}`);
        assertAzureError(response, query);
        assert.equal(response.json.error.code, 'BadParameter');
        await assertAbsent(name);
      }
    });
  });

  describe('unknown routes and methods', () => {
    it('answers an unknown path with 404 in the Azure shape', async () => {
      for (const path of ['/nosuch', '/', '/secrets/a/b/c/d', '/keys/k1', '/certificates/c1']) {
        const response = await send('GET', `${path}?api-version=${apiVersion}`);
        assert.equal(response.status, 404, `${path}: ${response.text}`);
        assertAzureError(response, path);
      }
    });

    it('answers an unsupported method on a known path with a 4xx in the Azure shape, and writes nothing', async () => {
      const name = uniqueName();
      for (const [method, path] of [['POST', `/secrets/${name}`], ['DELETE', '/secrets'], ['PUT', '/secrets'], ['PATCH', `/deletedsecrets/${name}`], ['PUT', `/secrets/${name}/versions`]] as const) {
        const response = await send(method, `${path}?api-version=${apiVersion}`, { value: 'x' });
        assert.ok(response.status >= 400 && response.status < 500, `${method} ${path}: ${response.status} ${response.text}`);
        assertAzureError(response, `${method} ${path}`);
      }
      await assertAbsent(name);
    });
  });

  describe('POST /secrets/restore (RestoreSecret)', () => {
    it('refuses blobs that are not backups with 400 BadParameter', async () => {
      for (const body of [{ value: '' }, { value: 'not base64!' }, { value: 'AAAA' }, { value: Buffer.from('{"format":"x"}').toString('base64url') }, { value: 5 }, {}]) {
        const response = await send('POST', `/secrets/restore?api-version=${apiVersion}`, body);
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assertAzureError(response, JSON.stringify(body));
        assert.equal(response.json.error.code, 'BadParameter');
      }
    });
  });

  describe('certificates', () => {
    const policy = (changes: Record<string, unknown>) => ({ issuer: { name: 'Self' }, x509_props: { subject: 'CN=bad.example.test' }, ...changes });
    const badPolicies: Array<[string, unknown]> = [
      ['policy a string', 'Self'],
      ['an RSA key of 1000 bits', policy({ key_props: { kty: 'RSA', key_size: 1000 } })],
      ['an unknown key type', policy({ key_props: { kty: 'DSA' } })],
      ['an unknown curve', policy({ key_props: { kty: 'EC', crv: 'P-999' } })],
      ['validity_months 0', policy({ x509_props: { subject: 'CN=x', validity_months: 0 } })],
      ['validity_months a string', policy({ x509_props: { subject: 'CN=x', validity_months: 'twelve' } })],
      ['an unknown key usage', policy({ x509_props: { subject: 'CN=x', key_usage: ['fly'] } })],
      ['an EKU that is not an OID', policy({ x509_props: { subject: 'CN=x', ekus: ['serverAuth'] } })],
      ['a DNS name with a space', policy({ x509_props: { subject: 'CN=x', sans: { dns_names: ['bad name.example'] } } })],
      ['neither subject nor SANs', policy({ x509_props: {} })],
      ['a subject that is not a DN', policy({ x509_props: { subject: 'not a distinguished name' } })],
      ['an unknown content type', policy({ secret_props: { contentType: 'text/plain' } })],
      ['a trigger with both fields', policy({ lifetime_actions: [{ trigger: { lifetime_percentage: 80, days_before_expiry: 10 }, action: { action_type: 'AutoRenew' } }] })],
      ['lifetime_percentage 100', policy({ lifetime_actions: [{ trigger: { lifetime_percentage: 100 }, action: { action_type: 'AutoRenew' } }] })],
      ['an unknown lifetime action', policy({ lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'Explode' } }] })],
      ['an issuer that does not exist', policy({ issuer: { name: 'no-such-issuer' } })],
    ];

    async function assertNoCertificate(name: string): Promise<void> {
      for (const path of [`/certificates/${name}`, `/certificates/${name}/pending`, `/keys/${name}`, `/secrets/${name}`]) {
        const response = await send('GET', `${path}?api-version=${apiVersion}`);
        assert.equal(response.status, 404, `${path} should not exist: ${response.text}`);
      }
    }

    it('refuses each invalid policy on create with a 4xx in the Azure shape, and creates no certificate, operation, key or secret', async () => {
      for (const [label, body] of badPolicies) {
        const name = uniqueName('badpolicy');
        const response = await send('POST', `/certificates/${name}/create?api-version=${apiVersion}`, { policy: body });
        assert.ok(response.status === 400 || response.status === 404, `${label}: ${response.status} ${response.text}`);
        assertAzureError(response, label);
        await assertNoCertificate(name);
      }
    });

    it('refuses a bad certificate name on create, import and get with 400 BadParameter', async () => {
      for (const [method, path, body] of [
        ['POST', '/certificates/bad_name/create', { policy: policy({}) }],
        ['POST', '/certificates/bad_name/import', { value: 'AAAA' }],
        ['GET', '/certificates/bad_name', undefined],
      ] as const) {
        const response = await send(method, `${path}?api-version=${apiVersion}`, body);
        assert.equal(response.status, 400, `${method} ${path}: ${response.text}`);
        assertAzureError(response, path);
        assert.equal(response.json.error.code, 'BadParameter');
      }
    });

    it('refuses an import that is neither PFX nor PEM, or a PEM without its key, and stores nothing', async () => {
      const name = uniqueName('badimport');
      const certificateOnly = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
      for (const value of ['not base64 at all!', Buffer.from('garbage').toString('base64'), certificateOnly, '']) {
        const response = await send('POST', `/certificates/${name}/import?api-version=${apiVersion}`, { value });
        assert.equal(response.status, 400, `${JSON.stringify(value.slice(0, 20))}: ${response.text}`);
        assertAzureError(response, 'import');
        assert.equal(response.json.error.code, 'BadParameter');
      }
      await assertNoCertificate(name);
    });

    it('refuses a merge without a pending request or with a certificate that is not X.509', async () => {
      const nothingPending = await send('POST', `/certificates/${uniqueName('nomerge')}/pending/merge?api-version=${apiVersion}`, { x5c: [Buffer.from('x').toString('base64')] });
      assert.equal(nothingPending.status, 404, nothingPending.text);
      assertAzureError(nothingPending, 'merge without an operation');

      const name = uniqueName('merge');
      const created = await send('POST', `/certificates/${name}/create?api-version=${apiVersion}`, { policy: policy({ issuer: { name: 'Unknown' } }) });
      assert.equal(created.status, 202, created.text);
      for (const x5c of [[], [Buffer.from('not a certificate').toString('base64')]]) {
        const response = await send('POST', `/certificates/${name}/pending/merge?api-version=${apiVersion}`, { x5c });
        assert.equal(response.status, 400, `${JSON.stringify(x5c)}: ${response.text}`);
        assertAzureError(response, 'merge');
      }
      const operation = await send('GET', `/certificates/${name}/pending?api-version=${apiVersion}`);
      assert.equal(operation.json.status, 'inProgress', 'the refused merges left the request pending');
    });

    it('refuses an invalid policy update and leaves the policy as it was', async () => {
      const name = uniqueName('keeppolicy');
      const created = await send('POST', `/certificates/${name}/create?api-version=${apiVersion}`, { policy: policy({ issuer: { name: 'Unknown' } }) });
      assert.equal(created.status, 202, created.text);
      // The policy of a certificate whose first version is pending is served, as GetCertificate serves the version.
      const before = await send('GET', `/certificates/${name}/policy?api-version=${apiVersion}`);
      assert.equal(before.status, 200, before.text);
      // A policy may name an issuer not yet created (it is looked up when a version is issued); the merge of a PATCH
      // keeps the subject, so "neither subject nor SANs" is not a bad update.
      const notBadUpdates = ['policy a string', 'neither subject nor SANs', 'an issuer that does not exist'];
      for (const [label, body] of badPolicies.filter(([label]) => !notBadUpdates.includes(label))) {
        const response = await send('PATCH', `/certificates/${name}/policy?api-version=${apiVersion}`, body);
        assert.ok(response.status === 400 || response.status === 404, `${label}: ${response.status} ${response.text}`);
        assertAzureError(response, label);
      }
      const after = await send('GET', `/certificates/${name}/policy?api-version=${apiVersion}`);
      assert.deepEqual(after.json, before.json);
    });

    it('refuses restore blobs that are not certificate backups with 400 BadParameter', async () => {
      for (const body of [{ value: '' }, { value: 'AAAA' }, { value: Buffer.from('{"format":"coffer-certificate-backup-1"}').toString('base64url') }, {}]) {
        const response = await send('POST', `/certificates/restore?api-version=${apiVersion}`, body);
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assertAzureError(response, JSON.stringify(body));
      }
    });

    it('refuses invalid contacts and issuers and keeps what was set', async () => {
      const contacts = { contacts: [{ email: 'ops@example.test', name: 'Ops' }] };
      assert.equal((await send('PUT', `/certificates/contacts?api-version=${apiVersion}`, contacts)).status, 200);
      for (const body of [{ contacts: [{ email: 'not-an-email' }] }, { contacts: 'ops@example.test' }]) {
        const response = await send('PUT', `/certificates/contacts?api-version=${apiVersion}`, body);
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assertAzureError(response, 'contacts');
      }
      const kept = await send('GET', `/certificates/contacts?api-version=${apiVersion}`);
      assert.deepEqual(kept.json.contacts, [{ email: 'ops@example.test', name: 'Ops' }]);

      for (const body of [{}, { provider: 5 }, { provider: 'Coffer', attributes: { enabled: 'yes' } }]) {
        const response = await send('PUT', `/certificates/issuers/${uniqueName('issuer')}?api-version=${apiVersion}`, body);
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assertAzureError(response, 'issuer');
      }
    });
  });

  describe('fuzz', () => {
    it('answers 200 seeded random requests without a 5xx, each error in the Azure shape with a request id', async () => {
      const random = prng(0xc0ffee);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const hex = (length: number) => Array.from({ length }, () => pick('0123456789abcdef'.split(''))).join('');
      const ascii = (length: number) => Array.from({ length }, () => String.fromCharCode(33 + Math.floor(random() * 94))).join('');

      const names = () => pick(['fuzz-a', 'fuzz-b', uniqueName('fz'), 'bad_name', 'n'.repeat(128), 'constructor', '__proto__', 'toString', 'hasOwnProperty', '..', '%2e%2e', '%00', '%E2%82%AC', '%ff', '-', 'a%2Fb']);
      const versions = () => pick([hex(32), 'xyz', '', 'latest', '0'.repeat(32), hex(31), hex(33)]);
      const paths = () =>
        pick([
          '/secrets', '/secrets/', `/secrets/${names()}`, `/secrets/${names()}/`, `/secrets/${names()}/${versions()}`, `/secrets/${names()}/versions`,
          `/secrets/${names()}/backup`, '/secrets/restore', '/deletedsecrets', `/deletedsecrets/${names()}`, `/deletedsecrets/${names()}/recover`,
          `/keys/${names()}`, `/certificates/${names()}`, '/', '//secrets//fuzz-a', `/secrets/${names()}/${versions()}/extra`,
          '/%2e%2e/%2e%2e/etc/passwd', '/secrets/%', '/secrets/%zz', `/${ascii(8).replace(/[?#%]/g, 'x')}`, `/secrets/${'a'.repeat(2000)}`,
        ]);
      const skipToken = () => pick([ascii(12), Buffer.from(`c1:${ascii(10)}`).toString('base64url'), Buffer.from('c1:').toString('base64url'), '%ZZ']);
      const queries = () =>
        pick([
          '', `?api-version=${apiVersion}`, '?api-version=2025-07-01', '?api-version=', '?api-version=7.5&api-version=7.6', '?api%2Dversion=7.5',
          `?api-version=7.5&maxresults=${pick(['-1', '0', '26', 'abc', '1e9', '1.5', '25', ''])}`, `?api-version=7.5&$skiptoken=${encodeURIComponent(skipToken())}`,
          '?api-version=%ZZ', '?&&&', '?api-version=7.5&__proto__=x', '?constructor=1&api-version=7.5', `?api-version=7.5&${ascii(6).replace(/[#&=%]/g, 'y')}=1`,
        ]);
      const jsonValue = (depth: number): unknown => {
        const kind = Math.floor(random() * (depth > 2 ? 5 : 7));
        switch (kind) {
          case 0: return ascii(Math.floor(random() * 20));
          case 1: return pick([0, -1, 1.5, 1e308, -1e308, 9007199254740993, 4_102_444_800]);
          case 2: return pick([true, false]);
          case 3: return null;
          case 4: return pick(['', '\u0000', '\ud800', 'é€😀']);
          case 5: return Array.from({ length: Math.floor(random() * 4) }, () => jsonValue(depth + 1));
          default: {
            const keys = ['value', 'contentType', 'tags', 'attributes', 'enabled', 'exp', 'nbf', '__proto__', 'constructor', ascii(4)];
            return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(keys), jsonValue(depth + 1)]));
          }
        }
      };
      const bodies = (): string | undefined =>
        pick([
          undefined, '', '{}', '{"value":"x"}', JSON.stringify({ value: ascii(10), tags: { a: ascii(3) }, attributes: { enabled: random() < 0.5 } }),
          JSON.stringify(jsonValue(0)), JSON.stringify(jsonValue(0)), JSON.stringify({ value: 'x', attributes: jsonValue(1) }), JSON.stringify({ value: 'x', tags: jsonValue(1) }),
          '{"__proto__":{"isAdmin":true},"value":"x"}', '{"value":"x","tags":{"__proto__":"y"}}', ascii(30), '[', '{"value":', '['.repeat(3000) + ']'.repeat(3000),
          `{"value":"${'x'.repeat(30_000)}"}`, JSON.stringify({ value: Buffer.from(ascii(40)).toString('base64url') }),
        ]);
      const contentTypes = () => pick(['application/json', 'application/json; charset=utf-8', 'application/JSON', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', undefined]);
      const methods = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

      let fivexx = 0;
      const statuses = new Set<number>();
      for (let i = 0; i < 200; i++) {
        const method = pick(methods);
        const path = `${paths()}${queries()}`;
        const body = bodies();
        const contentType = contentTypes();
        const withToken = random() < 0.85;
        const headers: Record<string, string> = contentType === undefined || body === undefined ? {} : { 'content-type': contentType };
        const context = `#${i} ${method} ${path.slice(0, 120)} ${contentType ?? ''} ${String(body).slice(0, 80)}`;
        const response = await rawRequest(server, method, path, { headers, ...(withToken ? { token } : {}), ...(body === undefined ? {} : { body }) });
        if (response.status >= 500) fivexx++;
        statuses.add(response.status);
        assert.ok(response.status < 500, `${context} → ${response.status} ${response.text.slice(0, 300)}`);
        assert.equal(typeof response.headers['x-ms-request-id'], 'string', `${context}: x-ms-request-id`);
        assertNoInternals(response.text, context);
        if (response.status >= 400 && method !== 'HEAD') assertAzureError(response, context);
      }
      assert.equal(fivexx, 0);
      // The loop reached past authentication into the handlers, not just the front door.
      for (const status of [200, 400, 401, 404]) assert.ok(statuses.has(status), `no ${status} among ${[...statuses].join(', ')}`);
    });
  });
});
