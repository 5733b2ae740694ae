// The OData conventions Graph's clients rely on, for the subset served: `$filter` with `property eq 'value'`, `$select`,
// `$top` with `@odata.nextLink` paging (`$skiptoken`), `@odata.context`, and Graph's error body. Pure: no Fastify.
import { CofferError, directoryErrors } from '../../../errors.js';

export interface ListQuery {
  /** `property eq 'value'`, property in its canonical spelling; compared without regard to case, as Graph does. */
  filter?: { property: string; value: string };
  select?: string[];
  /** Page size: `$top`, else Graph's default of 100. */
  top: number;
  /** Where the page starts (from `$skiptoken`). */
  skip: number;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

/** System query options refused loudly: a list that silently ignored `$orderby` or `$search` would answer wrongly. */
const UNSUPPORTED_OPTIONS = ['$orderby', '$expand', '$search', '$count', '$skip', '$format', '$apply'];

/** Reads the query of a list request; `filterable` names the properties `$filter` may compare. */
export function parseListQuery(query: Record<string, string | undefined>, filterable: readonly string[]): ListQuery {
  refuseUnsupported(query);
  const result: ListQuery = { top: DEFAULT_PAGE_SIZE, skip: 0 };
  const filter = query.$filter;
  if (filter !== undefined) {
    const match = /^\s*([A-Za-z]+)\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(filter);
    const property = match && filterable.find((name) => name.toLowerCase() === match[1]!.toLowerCase());
    if (!match || !property) {
      throw directoryErrors.unsupportedQuery(`Unsupported query '${filter}'. Filters take the form "property eq 'value'" on ${filterable.join(', ')}.`);
    }
    result.filter = { property, value: match[2]!.replaceAll("''", "'") };
  }
  const select = parseSelect(query);
  if (select) result.select = select;
  if (query.$top !== undefined) {
    if (!/^[0-9]{1,4}$/.test(query.$top) || Number(query.$top) < 1 || Number(query.$top) > MAX_PAGE_SIZE) {
      throw directoryErrors.badRequest(`Invalid page size specified: '${query.$top}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.`);
    }
    result.top = Number(query.$top);
  }
  if (query.$skiptoken !== undefined) {
    if (!/^[0-9]{1,9}$/.test(query.$skiptoken)) throw directoryErrors.badRequest('The $skiptoken is not valid; follow @odata.nextLink as given.');
    result.skip = Number(query.$skiptoken);
  }
  return result;
}

/** The query of a request for one object: `$select` only. */
export function parseEntityQuery(query: Record<string, string | undefined>): { select?: string[] } {
  refuseUnsupported(query);
  for (const option of ['$filter', '$top', '$skiptoken']) {
    if (query[option] !== undefined) throw directoryErrors.unsupportedQuery(`The query option '${option}' does not apply to a single object.`);
  }
  const select = parseSelect(query);
  return select ? { select } : {};
}

function refuseUnsupported(query: Record<string, string | undefined>): void {
  for (const option of UNSUPPORTED_OPTIONS) {
    if (query[option] !== undefined) throw directoryErrors.unsupportedQuery(`The query option '${option}' is not supported by this server.`);
  }
}

function parseSelect(query: Record<string, string | undefined>): string[] | undefined {
  if (query.$select === undefined) return undefined;
  const names = query.$select.split(',').map((name) => name.trim());
  if (names.some((name) => !/^[A-Za-z@.]+$/.test(name))) throw directoryErrors.badRequest(`The $select '${query.$select}' is not valid.`);
  return names;
}

/** The properties `$select` asks for (matched without regard to case), `@odata.*` annotations kept. */
export function selectProperties(object: Record<string, unknown>, select: readonly string[] | undefined): Record<string, unknown> {
  if (select === undefined) return object;
  const wanted = new Set(select.map((name) => name.toLowerCase()));
  return Object.fromEntries(Object.entries(object).filter(([name]) => name.startsWith('@odata.') || wanted.has(name.toLowerCase())));
}

/**
 * One page of a collection, filtered and projected: Graph's `{ "@odata.context", "value", "@odata.nextLink"? }`. The next
 * link repeats the request's own options with a `$skiptoken` (an offset: lists here are small and held in memory).
 */
export function collectionPage(items: ReadonlyArray<Record<string, unknown>>, query: ListQuery, links: { context: string; self: string }): Record<string, unknown> {
  const matching = query.filter === undefined ? items : items.filter((item) => sameText(item[query.filter!.property], query.filter!.value));
  const page = matching.slice(query.skip, query.skip + query.top).map((item) => selectProperties(item, query.select));
  const body: Record<string, unknown> = { '@odata.context': links.context, value: page };
  if (query.skip + query.top < matching.length) {
    const next = new URLSearchParams();
    if (query.filter) next.set('$filter', `${query.filter.property} eq '${query.filter.value.replaceAll("'", "''")}'`);
    if (query.select) next.set('$select', query.select.join(','));
    next.set('$top', String(query.top));
    next.set('$skiptoken', String(query.skip + query.top));
    body['@odata.nextLink'] = `${links.self}?${next.toString()}`;
  }
  return body;
}

function sameText(value: unknown, wanted: string): boolean {
  return typeof value === 'string' && value.toLowerCase() === wanted.toLowerCase();
}

/** Graph's error body: `{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}`. */
export function graphErrorBody(error: CofferError, ids: { requestId: string; clientRequestId: string | undefined; at: Date }) {
  return {
    error: {
      code: error.code,
      message: error.message,
      innerError: {
        date: ids.at.toISOString().replace(/\.\d+Z$/, ''),
        'request-id': ids.requestId,
        'client-request-id': ids.clientRequestId ?? ids.requestId,
      },
    },
  };
}

/** Graph's code for an error raised with another surface's code (an access or credential error), by its status. */
export function toGraphCode(error: CofferError): CofferError {
  if (GRAPH_CODES.has(error.code)) return error;
  const code = error.status === 401 ? 'InvalidAuthenticationToken' : error.status === 403 ? 'Authorization_RequestDenied' : error.status === 404 ? 'Request_ResourceNotFound' : error.status >= 500 ? 'InternalServerError' : 'Request_BadRequest';
  return new CofferError(error.status, code, error.message, error.headers === undefined ? {} : { headers: error.headers });
}

const GRAPH_CODES = new Set([
  'Request_BadRequest',
  'Request_ResourceNotFound',
  'Request_UnsupportedQuery',
  'Request_MultipleObjectsWithSameKeyValue',
  'Authorization_RequestDenied',
  'InvalidAuthenticationToken',
  'BadRequest',
  'InternalServerError',
]);
