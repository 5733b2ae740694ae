// External OIDC issuers whose tokens the data plane and management API accept directly (--external-issuer): the
// syntax of one entry, and the principal such a token stands for. Pure: the keys are fetched elsewhere
// (oidc/remote-issuer-keys.ts).
//
// Syntax: `ISSUER_URL` or `ISSUER_URL|claim=NAME`. The URL is the token's exact `iss` (https, no query or fragment;
// a trailing slash matters, as it does for Entra's v1 issuer https://sts.windows.net/<tenant>/). `claim` names the claim
// that identifies the principal, `oid` by default (Entra); `sub` suits Keycloak, Dex and most others.
import type { Principal } from '../domain/identities/principal.js';
import type { VerifiedToken } from './tokens/verify.js';

export interface ExternalIssuer {
  issuer: string;
  /** The claim whose value is the principal's object id. */
  principalClaim: string;
}

export const DEFAULT_PRINCIPAL_CLAIM = 'oid';

/** Parses one entry; throws an Error whose message says what is wrong, quoting the entry. */
export function parseExternalIssuer(entry: string): ExternalIssuer {
  const [issuer = '', ...options] = entry.trim().split('|');
  const problem = (reason: string) => new Error(`'${entry}': ${reason}`);
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw problem('the issuer is not a URL (expected ISSUER_URL or ISSUER_URL|claim=NAME)');
  }
  if (url.protocol !== 'https:') throw problem('the issuer must be an https URL (its discovery document and keys are fetched from it)');
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw problem('the issuer URL must have no query, fragment or user information');
  }
  const parsed: ExternalIssuer = { issuer, principalClaim: DEFAULT_PRINCIPAL_CLAIM };
  const seen = new Set<string>();
  for (const option of options) {
    const match = /^([a-z]+)=(.*)$/.exec(option.trim());
    if (!match) throw problem(`'${option}' is not KEY=VALUE`);
    const [, key, value] = match as unknown as [string, string, string];
    if (seen.has(key)) throw problem(`'${key}' is given twice`);
    seen.add(key);
    if (key !== 'claim') throw problem(`unknown option '${key}' (known: claim)`);
    if (!/^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/.test(value)) throw problem(`claim '${value}' is not a claim name`);
    parsed.principalClaim = value;
  }
  return parsed;
}

/**
 * The principal an external token stands for. It is never one of ours: not an administrator, not a trusted service,
 * and always enabled (the issuer decides whether it still issues tokens).
 */
export function externalPrincipal(token: VerifiedToken): Principal {
  const { claims } = token;
  const displayName = [claims.name, claims.preferred_username, claims.upn, claims.app_displayname].find((value): value is string => typeof value === 'string' && value !== '');
  return {
    tenantId: token.tenantId,
    objectId: token.objectId,
    appId: token.appId,
    displayName: displayName ?? token.objectId,
    kind: 'external',
    issuer: token.externalIssuer ?? token.issuer,
    isAdmin: false,
    isTrustedService: false,
    enabled: true,
  };
}
