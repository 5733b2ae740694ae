// Client secrets of service principals: generation, salted scrypt hashes and their verification.
// A secret exists in plaintext only in the caller's hands; nothing here logs it or puts it in an error.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scheme = 'scrypt';
const defaults = { N: 16384, r: 8, p: 1 };
const saltBytes = 16;
const hashBytes = 32;

export function generateClientSecret(): string {
  // 32 random bytes → 43 base64url characters: longer than Entra's 40 and safe in forms and env vars.
  return randomBytes(32).toString('base64url');
}

export async function hashClientSecret(secret: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const hash = await deriveKey(secret, salt, hashBytes, defaults);
  // Self-describing, so the cost can be raised later while old hashes still verify.
  return [scheme, defaults.N, defaults.r, defaults.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyClientSecret(secret: string, encoded: string): Promise<boolean> {
  try {
    const parsed = parseEncoded(encoded);
    if (!parsed) return false;
    const actual = await deriveKey(secret, parsed.salt, parsed.hash.length, parsed.params);
    return timingSafeEqual(actual, parsed.hash);
  } catch {
    return false;
  }
}

/** Entra shows the first three characters of a secret so people can tell secrets apart. */
export function secretHint(secret: string): string {
  return secret.slice(0, 3);
}

function deriveKey(secret: string, salt: Buffer, length: number, params: { N: number; r: number; p: number }): Promise<Buffer> {
  // Room for twice the memory scrypt needs (128·N·r bytes), so raised parameters do not hit Node's 32 MiB default.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function parseEncoded(encoded: string): { params: { N: number; r: number; p: number }; salt: Buffer; hash: Buffer } | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== scheme) return undefined;
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^[1-9][0-9]{0,7}$/.test(part) ? Number(part) : NaN));
  // Bounds keep a corrupted or hostile row from making one verification eat gigabytes or minutes.
  if (N === undefined || r === undefined || p === undefined) return undefined;
  if (!(N >= 2 && N <= 2 ** 20 && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16)) return undefined;
  const salt = strictBase64(parts[4]);
  const hash = strictBase64(parts[5]);
  if (!salt || !hash || salt.length < 8 || hash.length < 16 || hash.length > 64) return undefined;
  return { params: { N, r, p }, salt, hash };
}

function strictBase64(text: string | undefined): Buffer | undefined {
  if (!text) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Buffer.from skips invalid characters silently; a round trip rejects anything but canonical base64.
  return bytes.toString('base64') === text ? bytes : undefined;
}
