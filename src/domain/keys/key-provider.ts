// Key providers (DESIGN.md §4): where a key's private material lives and where operations with it run. The
// software provider keeps material sealed in the store (the bytes below are sealed by the object lifecycle's
// envelope) and computes with node:crypto and @noble/curves; an HSM provider would keep only a handle here.
// One interface, chosen per key type: the -HSM types need an HSM provider, and none exists yet.
import { deserializeMaterial, generateKeyMaterial, importJsonWebKey, publicParts, serializeMaterial, type KeyGenerationSpec } from './jwk.js';
import type { KeyMaterial, PublicKeyParts, SoftwareKeyType } from './key-material.js';
import type { KeyOperationPool } from './key-operation-pool.js';
import { isCpuHeavy, performKeyOperation, type KeyOperationOutcome, type KeyOperationRequest } from './key-operations.js';

/** What a provider hands back for a new key: the bytes to keep (sealed) and the public facts. */
export interface ProvidedKey {
  stored: Buffer;
  kty: SoftwareKeyType;
  public: PublicKeyParts;
  /** RSA modulus or oct key length in bits; absent for EC. */
  keySize?: number;
}

/** A key version as a provider needs it for an operation. `cacheKey` names the version for material caches. */
export interface ProviderKey {
  cacheKey: string;
  kty: SoftwareKeyType;
  stored: Buffer;
}

export interface KeyProvider {
  generate(spec: KeyGenerationSpec): Promise<ProvidedKey>;
  /** A caller's JWK with its private members, checked (jwk.ts importJsonWebKey). */
  importKey(jwk: unknown): ProvidedKey;
  perform(key: ProviderKey, request: KeyOperationRequest): Promise<KeyOperationOutcome>;
}

const MAX_CACHED = 1024;

export function createSoftwareKeyProvider(deps: { pool: Pick<KeyOperationPool, 'run'> }): KeyProvider {
  // Parsed material of the versions used on the event loop (cheap operations), so an RSA public key is not
  // re-imported for every encryption. Versions never change their material, so entries never go stale.
  const cache = new Map<string, KeyMaterial>();
  function materialFor(key: ProviderKey): KeyMaterial {
    let material = cache.get(key.cacheKey);
    if (!material) {
      material = deserializeMaterial(key.stored);
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
      cache.set(key.cacheKey, material);
    }
    return material;
  }

  return {
    async generate(spec) {
      return provided(await generateKeyMaterial(spec));
    },
    importKey(jwk) {
      return provided(importJsonWebKey(jwk));
    },
    async perform(key, request) {
      if (isCpuHeavy(key.kty, request.op)) return deps.pool.run(key.cacheKey, key.stored, request);
      return performKeyOperation(materialFor(key), request);
    },
  };
}

function provided(material: KeyMaterial): ProvidedKey {
  const keySize =
    material.kty === 'RSA' ? Buffer.from(material.jwk.n, 'base64url').length * 8 : material.kty === 'oct' ? Buffer.from(material.k, 'base64url').length * 8 : undefined;
  return { stored: serializeMaterial(material), kty: material.kty, public: publicParts(material), ...(keySize === undefined ? {} : { keySize }) };
}
