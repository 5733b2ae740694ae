// The IDENTITY_HEADER a workload presents to the managed-identity endpoints. It must find its identity without a client
// id, so it has two parts: a random public lookup id (which finds the row) and a random secret (checked against a
// salted hash, like client secrets). Nothing here logs a header or puts one in an error.
import { randomBytes } from 'node:crypto';
import { hashClientSecret, verifyClientSecret } from './client-secret.js';

/** 9 random bytes → 12 base64url characters: enough to find a row, and never a secret by itself. */
const lookupIdBytes = 9;
const lookupIdLength = 12;
const headerPattern = /^([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{32,128})$/;

export interface IdentityHeader {
  /** The value for IDENTITY_HEADER; shown once, never stored. */
  header: string;
  lookupId: string;
  /** Salted hash of the secret part, to store. */
  hash: string;
}

export async function generateIdentityHeader(): Promise<IdentityHeader> {
  const lookupId = randomBytes(lookupIdBytes).toString('base64url');
  // 32 random bytes → 43 base64url characters, as client secrets.
  const secret = randomBytes(32).toString('base64url');
  return { header: `${lookupId}.${secret}`, lookupId, hash: await hashClientSecret(secret) };
}

/** The two parts of a presented header, or undefined when it cannot be one of ours. */
export function parseIdentityHeader(value: string | undefined): { lookupId: string; secret: string } | undefined {
  if (value === undefined) return undefined;
  const match = headerPattern.exec(value.trim());
  if (!match || match[1]!.length !== lookupIdLength) return undefined;
  return { lookupId: match[1]!, secret: match[2]! };
}

/** Constant-time comparison of the presented secret part with the stored hash (scrypt, as client secrets). */
export function verifyIdentityHeaderSecret(secret: string, hash: string): Promise<boolean> {
  return verifyClientSecret(secret, hash);
}
