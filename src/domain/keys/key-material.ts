// The shapes key handling shares: Azure's key types, curves and operations, and the private key material
// that is sealed at rest. Private material only ever exists inside the server; the wire sees public parts.
import type { JsonWebKey as NodeJsonWebKey } from 'node:crypto';

/** Azure's `kty` values. The -HSM types belong to the HSM key provider (DESIGN.md §4). */
export const KEY_TYPES = ['RSA', 'RSA-HSM', 'EC', 'EC-HSM', 'oct', 'oct-HSM'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** The software key types: what `KeyMaterial.kty` can be. */
export type SoftwareKeyType = 'RSA' | 'EC' | 'oct';

/** Azure's curve names (`P-256K` is secp256k1, `secp256k1` in JOSE and node:crypto). */
export const CURVES = ['P-256', 'P-256K', 'P-384', 'P-521'] as const;
export type Curve = (typeof CURVES)[number];

export const KEY_OPERATIONS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey', 'import', 'export'] as const;
export type KeyOperation = (typeof KEY_OPERATIONS)[number];

/**
 * A key's private material as node:crypto exports it (`keyObject.export({ format: 'jwk' })`): RSA with its CRT
 * members, EC with `d`, oct as `k`. JWK field names, base64url values. `crv` of EC keys is Azure's name.
 */
export type KeyMaterial =
  | { kty: 'RSA'; jwk: NodeJsonWebKey & { n: string; e: string; d: string } }
  | { kty: 'EC'; crv: Curve; jwk: NodeJsonWebKey & { x: string; y: string; d: string } }
  | { kty: 'oct'; k: string };

/** The public part Azure returns in a key bundle's `key` (besides kid and key_ops). */
export type PublicKeyParts =
  | { kty: 'RSA'; n: string; e: string }
  | { kty: 'EC'; crv: Curve; x: string; y: string }
  | { kty: 'oct' };
