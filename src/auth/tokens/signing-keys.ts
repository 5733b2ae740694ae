// The token service's RS256 signing keys: loaded from the store (private halves sealed), or made on first start.
// Private keys are opened only in memory and never leave this module except as KeyObjects; nothing here logs them.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { StartupError } from '../../errors.js';
import { unixSeconds, type Clock } from '../../clock.js';

export interface StoredSigningKey {
  kid: string;
  sealedPrivateKey: Buffer;
  publicJwk: string /* JSON */;
  createdAt: number /* unix s */;
  retiredAt: number | null;
}

export interface SigningKeyStore {
  listSigningKeys(): Promise<StoredSigningKey[]>;
  insertSigningKey(key: StoredSigningKey): Promise<void>;
}

export interface ServerSealer {
  sealServerValue(purpose: string, plaintext: Buffer): Buffer;
  openServerValue(purpose: string, sealed: Buffer): Buffer;
}

export interface SigningKeys {
  /** The key that signs new tokens. */
  current(): { kid: string; privateKey: KeyObject };
  /** Public key for a kid, or undefined. */
  publicKey(kid: string): KeyObject | undefined;
  /** JWKS document: every key not retired, with kty, n, e, kid, use 'sig', alg 'RS256' (plus x5t is NOT needed). */
  jwks(): { keys: Array<Record<string, unknown>> };
}

const sealPurpose = 'token-signing-key';

export async function loadSigningKeys(deps: { store: SigningKeyStore; sealer: ServerSealer; clock: Clock }): Promise<SigningKeys> {
  let active = (await deps.store.listSigningKeys()).filter((key) => key.retiredAt === null);
  if (active.length === 0) {
    const created = await createSigningKey(deps.sealer, unixSeconds(deps.clock));
    await deps.store.insertSigningKey(created);
    active = [created];
  }
  // Newest first: it signs; the others stay trusted and published until retired, which is what rotation needs.
  active.sort((a, b) => b.createdAt - a.createdAt);
  const published = active.map((key) => {
    const jwk = publicJwkOf(key);
    return { jwk, publicKey: createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }) };
  });
  const newest = active[0]!;
  const current = Object.freeze({ kid: newest.kid, privateKey: openPrivateKey(deps.sealer, newest) });
  assertPairMatches(current.privateKey, published[0]!.publicKey, newest.kid);

  const publicKeys = new Map(published.map((key) => [key.jwk.kid, key.publicKey]));
  const jwks = published.map((key) => key.jwk);
  return {
    current: () => current,
    publicKey: (kid) => publicKeys.get(kid),
    // A copy each time, so a caller that decorates the document cannot change what the next one sees.
    jwks: () => ({ keys: jwks.map((jwk) => ({ ...jwk })) }),
  };
}

async function createSigningKey(sealer: ServerSealer, nowSeconds: number): Promise<StoredSigningKey> {
  // The async form: RSA prime search takes 0.1–1 s of CPU and must not block the event loop.
  const { privateKey, publicKey } = await new Promise<{ privateKey: KeyObject; publicKey: KeyObject }>((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 }, (err, publicKey, privateKey) =>
      err ? reject(err) : resolve({ publicKey, privateKey }),
    ),
  );
  const { n, e } = publicKey.export({ format: 'jwk' });
  const kid = await calculateJwkThumbprint({ kty: 'RSA', n, e });
  return {
    kid,
    sealedPrivateKey: sealer.sealServerValue(sealPurpose, privateKey.export({ format: 'der', type: 'pkcs8' })),
    publicJwk: JSON.stringify({ kty: 'RSA', n, e }),
    createdAt: nowSeconds,
    retiredAt: null,
  };
}

interface PublishedJwk { kty: 'RSA'; n: string; e: string; kid: string; use: 'sig'; alg: 'RS256' }

function publicJwkOf(key: StoredSigningKey): PublishedJwk {
  let parsed: unknown;
  try {
    parsed = JSON.parse(key.publicJwk);
  } catch {
    parsed = undefined;
  }
  const { kty, n, e } = (parsed ?? {}) as Record<string, unknown>;
  if (kty !== 'RSA' || typeof n !== 'string' || typeof e !== 'string') {
    throw new StartupError(`Token signing key '${key.kid}' has an unreadable public key.`);
  }
  // kid, use and alg come from us, not from the stored JSON, so the row's kid is the one published.
  return { kty, n, e, kid: key.kid, use: 'sig', alg: 'RS256' };
}

function openPrivateKey(sealer: ServerSealer, key: StoredSigningKey): KeyObject {
  let der: Buffer;
  try {
    der = sealer.openServerValue(sealPurpose, key.sealedPrivateKey);
  } catch {
    // A key that will not open means a wrong master key or an altered row: refuse to start rather than
    // quietly minting a new key and invalidating every token in circulation.
    throw new StartupError(`Token signing key '${key.kid}' could not be unsealed; is this the master key that sealed it?`);
  }
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new StartupError(`Token signing key '${key.kid}' is not a valid PKCS#8 key.`);
  }
}

function assertPairMatches(privateKey: KeyObject, publicKey: KeyObject, kid: string): void {
  // Tokens signed by a private key that does not match the published kid would fail everywhere, later and obscurely.
  const derived = createPublicKey(privateKey).export({ format: 'jwk' });
  const stored = publicKey.export({ format: 'jwk' });
  if (derived.n !== stored.n || derived.e !== stored.e) {
    throw new StartupError(`Token signing key '${kid}' does not match its published public key.`);
  }
}
