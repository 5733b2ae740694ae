import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CofferError, directoryErrors } from '../../../errors.js';
import { collectionPage, DEFAULT_PAGE_SIZE, graphErrorBody, parseEntityQuery, parseListQuery, selectProperties, toGraphCode } from './odata.js';

const code = (status: number, expected: string) => (error: unknown) => error instanceof CofferError && error.status === status && error.code === expected;

describe('parseListQuery', () => {
  it("defaults to Graph's page of 100 from the start", () => {
    assert.deepEqual(parseListQuery({}, ['appId']), { top: DEFAULT_PAGE_SIZE, skip: 0 });
  });
  it("reads `property eq 'value'` in the property's canonical spelling, with doubled quotes", () => {
    assert.deepEqual(parseListQuery({ $filter: " APPID eq 'a''b' " }, ['appId', 'displayName']).filter, { property: 'appId', value: "a'b" });
  });
  it('reads $select, $top and $skiptoken', () => {
    assert.deepEqual(parseListQuery({ $select: 'id, displayName', $top: '5', $skiptoken: '10' }, []), { select: ['id', 'displayName'], top: 5, skip: 10 });
  });
  for (const filter of ["startswith(displayName,'a')", "appId ne 'x'", "notes eq 'x'", "appId eq x", "appId eq 'x' and displayName eq 'y'"]) {
    it(`refuses $filter=${filter} with Request_UnsupportedQuery`, () => {
      assert.throws(() => parseListQuery({ $filter: filter }, ['appId', 'displayName']), code(400, 'Request_UnsupportedQuery'));
    });
  }
  for (const option of ['$orderby', '$expand', '$search', '$count', '$skip']) {
    it(`refuses ${option} loudly`, () => {
      assert.throws(() => parseListQuery({ [option]: 'x' }, []), code(400, 'Request_UnsupportedQuery'));
    });
  }
  for (const top of ['0', '1000', '-1', 'ten', '1.5']) {
    it(`refuses $top=${top}`, () => {
      assert.throws(() => parseListQuery({ $top: top }, []), code(400, 'Request_BadRequest'));
    });
  }
  it('refuses a $skiptoken it did not make', () => {
    assert.throws(() => parseListQuery({ $skiptoken: 'abc' }, []), code(400, 'Request_BadRequest'));
  });
});

describe('parseEntityQuery', () => {
  it('takes $select and refuses list options', () => {
    assert.deepEqual(parseEntityQuery({ $select: 'appId' }), { select: ['appId'] });
    assert.deepEqual(parseEntityQuery({}), {});
    assert.throws(() => parseEntityQuery({ $filter: "appId eq 'x'" }), code(400, 'Request_UnsupportedQuery'));
  });
});

describe('collectionPage', () => {
  const items = ['b', 'a', 'c', 'A'].map((name, index) => ({ id: String(index), displayName: name, extra: true }));
  const links = { context: 'https://h/v1.0/$metadata#applications', self: 'https://h/v1.0/applications' };

  it('filters without regard to case and projects $select, keeping annotations', () => {
    const page = collectionPage(items, { filter: { property: 'displayName', value: 'a' }, select: ['ID'], top: 100, skip: 0 }, links);
    assert.deepEqual(page, { '@odata.context': links.context, value: [{ id: '1' }, { id: '3' }] });
  });

  it('pages with a nextLink that repeats the options, and none on the last page', () => {
    const first = collectionPage(items, { filter: { property: 'displayName', value: "it's" }, top: 2, skip: 0 }, links);
    assert.equal(first['@odata.nextLink'], undefined);
    const all = collectionPage(items, { top: 3, skip: 0 }, links);
    assert.equal((all.value as unknown[]).length, 3);
    const next = new URL(all['@odata.nextLink'] as string);
    assert.equal(`${next.origin}${next.pathname}`, links.self);
    assert.equal(next.searchParams.get('$top'), '3');
    assert.equal(next.searchParams.get('$skiptoken'), '3');
    const last = collectionPage(items, { top: 3, skip: 3 }, links);
    assert.deepEqual((last.value as Array<{ id: string }>).map((item) => item.id), ['3']);
    assert.equal(last['@odata.nextLink'], undefined);
  });

  it('keeps the filter in the nextLink, quotes doubled', () => {
    const many = Array.from({ length: 3 }, (_, index) => ({ id: String(index), displayName: "it's" }));
    const page = collectionPage(many, { filter: { property: 'displayName', value: "it's" }, top: 1, skip: 0 }, links);
    assert.equal(new URL(page['@odata.nextLink'] as string).searchParams.get('$filter'), "displayName eq 'it''s'");
  });
});

describe('selectProperties', () => {
  it('returns the object unchanged without $select', () => {
    const object = { a: 1 };
    assert.equal(selectProperties(object, undefined), object);
  });
});

describe("Graph's error body", () => {
  it('carries code, message and innerError with the request ids and date', () => {
    const body = graphErrorBody(directoryErrors.notFound('x'), { requestId: 'r1', clientRequestId: 'c1', at: new Date('2026-01-02T03:04:05.678Z') });
    assert.deepEqual(body, {
      error: {
        code: 'Request_ResourceNotFound',
        message: "Resource 'x' does not exist or one of its queried reference-property objects are not present.",
        innerError: { date: '2026-01-02T03:04:05', 'request-id': 'r1', 'client-request-id': 'c1' },
      },
    });
  });
  it("maps other surfaces' codes to Graph's by status, keeping Graph's own", () => {
    assert.equal(toGraphCode(new CofferError(400, 'PrincipalNotFound', 'm')).code, 'Request_BadRequest');
    assert.equal(toGraphCode(new CofferError(404, 'GroupNotFound', 'm')).code, 'Request_ResourceNotFound');
    assert.equal(toGraphCode(new CofferError(409, 'Conflict', 'm')).code, 'Request_BadRequest');
    assert.equal(toGraphCode(new CofferError(403, 'Forbidden', 'm')).code, 'Authorization_RequestDenied');
    assert.equal(toGraphCode(new CofferError(500, 'InternalServerError', 'm')).code, 'InternalServerError');
    assert.equal(toGraphCode(directoryErrors.unsupportedQuery('m')).code, 'Request_UnsupportedQuery');
    const kept = directoryErrors.missingToken({ 'www-authenticate': 'Bearer' });
    assert.equal(toGraphCode(kept), kept);
  });
});
