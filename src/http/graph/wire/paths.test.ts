import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CofferError } from '../../../errors.js';
import { graphSegments, objectKeyOf, referencedObjectId } from './paths.js';

const id = '0b1f8a5e-7c9d-4e2f-a1b3-c4d5e6f70819';
const badRequest = (error: unknown) => error instanceof CofferError && error.status === 400 && error.code === 'Request_BadRequest';

describe('graphSegments', () => {
  it('splits a path, dropping empty segments and decoding each', () => {
    assert.deepEqual(graphSegments('/applications//abc/addPassword/'), ['applications', 'abc', 'addPassword']);
    assert.deepEqual(graphSegments('/groups/g/members/%24ref'), ['groups', 'g', 'members', '$ref']);
  });
  it("splits an OData key off its collection, so `applications(appId='x')` matches `applications/:key`", () => {
    assert.deepEqual(graphSegments(`/applications(appId='${id}')/addPassword`), ['applications', `(appId='${id}')`, 'addPassword']);
    assert.deepEqual(graphSegments(`/servicePrincipals(appId=%27${id}%27)`), ['servicePrincipals', `(appId='${id}')`]);
  });
  it('refuses a malformed percent-escape with Request_BadRequest', () => {
    assert.throws(() => graphSegments('/applications/%E0%A4%A'), badRequest);
  });
});

describe('objectKeyOf', () => {
  it('reads a plain id, a quoted or bare key, and an appId key', () => {
    assert.deepEqual(objectKeyOf(id), { objectId: id });
    assert.deepEqual(objectKeyOf(`('${id}')`), { objectId: id });
    assert.deepEqual(objectKeyOf(`(${id})`), { objectId: id });
    assert.deepEqual(objectKeyOf(`(appId='${id}')`), { appId: id });
    assert.deepEqual(objectKeyOf(`(AppID = '${id}')`), { appId: id });
  });
  it('unescapes doubled quotes', () => {
    assert.deepEqual(objectKeyOf("(appId='o''brien')"), { appId: "o'brien" });
  });
  it('refuses other keys', () => {
    assert.throws(() => objectKeyOf(`(uniqueName='${id}')`), badRequest);
  });
});

describe('referencedObjectId', () => {
  it('takes directoryObjects, servicePrincipals and groups URLs on any host', () => {
    assert.equal(referencedObjectId(`https://graph.microsoft.com/v1.0/directoryObjects/${id}`), id);
    assert.equal(referencedObjectId(`https://localhost:8443/v1.0/servicePrincipals/${id}`), id);
    assert.equal(referencedObjectId(`https://graph.microsoft.com/beta/groups/${id}`), id);
  });
  for (const bad of [undefined, 42, 'not a url', `ftp://graph.microsoft.com/v1.0/directoryObjects/${id}`, 'https://graph.microsoft.com/v1.0/users', `https://graph.microsoft.com/v1.0/applications/${id}`, `https://graph.microsoft.com/v1.0/directoryObjects/${id}/extra`, `https://graph.microsoft.com/v1.0/directoryObjects/(appId='${id}')`]) {
    it(`refuses ${JSON.stringify(bad)} with Request_BadRequest`, () => {
      assert.throws(() => referencedObjectId(bad), badRequest);
    });
  }
});
