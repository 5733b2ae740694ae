// Applications as Microsoft Graph shows them, and the pure rules for what Graph callers may set on one. An application
// owns an appId and its credentials; its service principal is what tokens, role assignments and group memberships
// name. Here the credentials live on the principals row with the application's appId (store/applications.ts says why).

export interface Application {
  /** The application's own object id (Graph's `id`), distinct from its service principal's. */
  objectId: string;
  appId: string;
  displayName: string;
  description: string | null;
  createdAt: number;
}

/** Entra's limit for an application's and a service principal's displayName. */
export const MAX_DISPLAY_NAME_LENGTH = 256;
/** Entra's limit for an application's description. */
export const MAX_DESCRIPTION_LENGTH = 1024;

/** Why a display name is refused, or undefined when it is fine. */
export function displayNameProblem(value: unknown, what: string): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return `Invalid value specified for property 'displayName' of resource '${what}'.`;
  if (value.length > MAX_DISPLAY_NAME_LENGTH) return `The displayName of a ${what} must be at most ${MAX_DISPLAY_NAME_LENGTH} characters.`;
  return undefined;
}

/** A keyCredential a Graph caller sends in `keyCredentials` (an application PATCH or POST). */
export interface KeyCredentialInput {
  /** An existing credential to keep (with or without its key), or the id the caller chose for a new one. */
  keyId?: string;
  /** The certificate, base64 of its DER (or of a PEM file); absent for an existing credential kept by keyId. */
  key?: Buffer;
  displayName?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * Reads Graph's `keyCredentials` array: certificate credentials (`type: AsymmetricX509Cert`, `usage: Verify`) only,
 * each with a base64 `key` or the `keyId` of one the application has. Returns the entries or the problems, each naming
 * the entry.
 */
export function parseKeyCredentials(value: unknown): { entries: KeyCredentialInput[] } | { problems: string[] } {
  if (!Array.isArray(value)) return { problems: ["'keyCredentials' must be an array."] };
  const problems: string[] = [];
  const entries: KeyCredentialInput[] = [];
  value.forEach((item: unknown, index) => {
    const where = `keyCredentials[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${where} must be an object.`);
      return;
    }
    const entry = item as Record<string, unknown>;
    const entryProblems: string[] = [];
    if (entry.type !== undefined && entry.type !== null && entry.type !== 'AsymmetricX509Cert') {
      entryProblems.push(`${where}.type '${String(entry.type)}' is not supported; only 'AsymmetricX509Cert' certificates are.`);
    }
    if (entry.usage !== undefined && entry.usage !== null && entry.usage !== 'Verify') {
      entryProblems.push(`${where}.usage '${String(entry.usage)}' is not supported; only 'Verify' is.`);
    }
    const keyId = entry.keyId;
    if (keyId !== undefined && keyId !== null && (typeof keyId !== 'string' || !isGuid(keyId))) entryProblems.push(`${where}.keyId must be a GUID.`);
    const key = entry.key;
    let decoded: Buffer | undefined;
    if (key !== undefined && key !== null) {
      if (typeof key !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(key.replace(/\s+/g, '')) || key.trim() === '') entryProblems.push(`${where}.key must be base64.`);
      else decoded = Buffer.from(key.replace(/\s+/g, ''), 'base64');
    }
    if (decoded === undefined && (typeof keyId !== 'string' || keyId === '')) entryProblems.push(`${where} needs a 'key' (the certificate, base64) or the 'keyId' of an existing key credential.`);
    const displayName = entry.displayName;
    if (displayName !== undefined && displayName !== null && (typeof displayName !== 'string' || displayName.length > MAX_DISPLAY_NAME_LENGTH)) {
      entryProblems.push(`${where}.displayName must be a string of at most ${MAX_DISPLAY_NAME_LENGTH} characters.`);
    }
    for (const name of ['startDateTime', 'endDateTime'] as const) {
      // Checked for form only: the certificate's own validity is what counts (Divergence: Entra lets a caller narrow it;
      // clients normally send the certificate's own dates).
      if (entry[name] !== undefined && entry[name] !== null) {
        if (typeof entry[name] !== 'string' || Number.isNaN(Date.parse(entry[name] as string))) entryProblems.push(`${where}.${name} must be a date and time.`);
      }
    }
    problems.push(...entryProblems);
    if (entryProblems.length === 0) {
      entries.push({
        ...(typeof keyId === 'string' ? { keyId: keyId.toLowerCase() } : {}),
        ...(decoded === undefined ? {} : { key: decoded }),
        ...(typeof displayName === 'string' ? { displayName } : {}),
      });
    }
  });
  return problems.length > 0 ? { problems } : { entries };
}
