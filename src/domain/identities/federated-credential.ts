// The rules Entra applies to a federated identity credential (workload identity federation), checked before anything
// is stored, and the match of a presented external token against a principal's credentials.

export const DEFAULT_FEDERATED_AUDIENCE = 'api://AzureADTokenExchange';
/** Entra allows 20 federated credentials per application. */
export const MAX_FEDERATED_CREDENTIALS = 20;

export interface FederatedCredentialInput {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  description?: string | undefined;
}

/** Every problem with the input, each naming the field; empty when it is valid. */
export function federatedCredentialProblems(input: FederatedCredentialInput): string[] {
  const problems: string[] = [];
  // Entra: 3–120 characters, letters, digits, '-' and '_', starting with a letter or digit.
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/.test(input.name)) {
    problems.push(`name '${input.name}' must be 3-120 letters, digits, '-' or '_', starting with a letter or digit`);
  }
  let issuerUrl: URL | undefined;
  try {
    issuerUrl = new URL(input.issuer);
  } catch {
    problems.push(`issuer '${input.issuer}' is not a URL`);
  }
  if (issuerUrl && (issuerUrl.protocol !== 'https:' || issuerUrl.search !== '' || issuerUrl.hash !== '' || issuerUrl.username !== '' || issuerUrl.password !== '')) {
    problems.push(`issuer '${input.issuer}' must be an https URL without query, fragment or user information (its OpenID discovery document is fetched from it)`);
  }
  if (input.issuer.length > 600) problems.push('issuer must be at most 600 characters');
  if (input.subject === '' || input.subject.length > 600) problems.push('subject must be 1-600 characters');
  if (input.audiences.length !== 1) problems.push('exactly one audience is allowed, as in Entra');
  for (const audience of input.audiences) {
    if (audience === '' || audience.length > 600) problems.push('an audience must be 1-600 characters');
  }
  if (input.description !== undefined && input.description.length > 600) problems.push('description must be at most 600 characters');
  return problems;
}

export type FederatedMatch<T> =
  | { matched: T }
  /** Entra's codes: 700211 no credential of that issuer, 700213 none of that subject, 700212 none of that audience. */
  | { failure: 'issuer' | 'subject' | 'audience' };

/** Finds the credential a verified external token satisfies: same issuer (exact), same subject (exact), and an audience in common. */
export function matchFederatedCredential<T extends { issuer: string; subject: string; audiences: string[] }>(
  credentials: readonly T[],
  token: { issuer: string; subject: string | undefined; audiences: readonly string[] },
): FederatedMatch<T> {
  const ofIssuer = credentials.filter((credential) => credential.issuer === token.issuer);
  if (ofIssuer.length === 0) return { failure: 'issuer' };
  const ofSubject = ofIssuer.filter((credential) => token.subject !== undefined && credential.subject === token.subject);
  if (ofSubject.length === 0) return { failure: 'subject' };
  const matched = ofSubject.find((credential) => credential.audiences.some((audience) => token.audiences.includes(audience)));
  return matched ? { matched } : { failure: 'audience' };
}
