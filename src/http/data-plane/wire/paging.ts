// Azure list paging: `maxresults` 1–25 (25 when absent) and an absolute `nextLink` carrying an opaque
// `$skiptoken`. Our token encodes the keyset position, so a page costs the same at any depth.
import { errors } from '../../../errors.js';

export const MAX_PAGE_SIZE = 25;

export function parseMaxResults(raw: string | undefined): number {
  if (raw === undefined || raw === '') return MAX_PAGE_SIZE;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw errors.badParameter(`The parameter maxresults must be an integer between 1 and ${MAX_PAGE_SIZE}; '${raw}' was given.`);
  }
  return value;
}

/** A boolean query parameter (`includePending`): `true` or `false` in any case, absent = `false`. */
export function parseBooleanQuery(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '') return false;
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  throw errors.badParameter(`The parameter ${name} must be true or false; '${raw}' was given.`);
}

const tokenVersion = 'c1';

export function encodeSkipToken(position: string): string {
  return Buffer.from(`${tokenVersion}:${position}`, 'utf8').toString('base64url');
}

/** The position a token encodes, or undefined for no token. A token we did not make is a bad parameter. */
export function decodeSkipToken(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const decoded = Buffer.from(raw, 'base64url').toString('utf8');
  if (!decoded.startsWith(`${tokenVersion}:`) || decoded.length === tokenVersion.length + 1) {
    throw errors.badParameter('The $skiptoken is not valid.');
  }
  return decoded.slice(tokenVersion.length + 1);
}

/** The next page's absolute URL, keeping api-version, maxresults and the list's other options as the request gave them. */
export function nextLink(opts: {
  baseUrl: string;
  path: string;
  apiVersion: string;
  next: string | undefined;
  maxResults: string | undefined;
  options?: Record<string, string | undefined>;
}): string | null {
  if (opts.next === undefined) return null;
  const query = new URLSearchParams({ 'api-version': opts.apiVersion, $skiptoken: encodeSkipToken(opts.next) });
  if (opts.maxResults !== undefined && opts.maxResults !== '') query.set('maxresults', opts.maxResults);
  for (const [name, value] of Object.entries(opts.options ?? {})) if (value !== undefined && value !== '') query.set(name, value);
  return `${opts.baseUrl}${opts.path}?${query.toString()}`;
}
