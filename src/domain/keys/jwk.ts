// JSON Web Keys in and out of Coffer: validates what ImportKey receives, generates new key material, and turns
// material into node:crypto KeyObjects. Error messages name members, never their values: no key material leaves here.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomBytes,
  sign,
  verify,
  type JsonWebKey as NodeJsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { errors } from '../../errors.js';
import { CURVES, KEY_TYPES, type Curve, type KeyMaterial, type KeyType, type PublicKeyParts, type SoftwareKeyType } from './key-material.js';

export type KeyGenerationSpec =
  | { kty: 'RSA'; size: 2048 | 3072 | 4096; publicExponent?: number }
  | { kty: 'EC'; crv: Curve }
  | { kty: 'oct'; size: 128 | 192 | 256 };

const RSA_MODULUS_BITS = [2048, 3072, 4096];
const OCT_KEY_BYTES = [16, 24, 32];
const RSA_PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

// Azure's names differ from JOSE/node:crypto only for secp256k1. `bytes` is the fixed length of x and y (RFC 7518 §6.2.1.2).
const CURVE_INFO: Record<Curve, { nodeName: string; bytes: number }> = {
  'P-256': { nodeName: 'P-256', bytes: 32 },
  'P-256K': { nodeName: 'secp256k1', bytes: 32 },
  'P-384': { nodeName: 'P-384', bytes: 48 },
  'P-521': { nodeName: 'P-521', bytes: 66 },
};

const SOFTWARE_KTY: Record<KeyType, SoftwareKeyType> = {
  RSA: 'RSA',
  'RSA-HSM': 'RSA',
  EC: 'EC',
  'EC-HSM': 'EC',
  oct: 'oct',
  'oct-HSM': 'oct',
};

/** Validates an ImportKey `key` (a JWK with private members) and returns its private material; -HSM types come back as their software type. */
export function importJsonWebKey(input: unknown): KeyMaterial {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw errors.badParameter('The key must be a JSON Web Key object.');
  }
  const jwk = input as Record<string, unknown>;
  if (!(KEY_TYPES as readonly unknown[]).includes(jwk.kty)) {
    throw errors.badParameter(`The key type (kty)${quoted(jwk.kty)} is not supported. Use one of ${KEY_TYPES.join(', ')}.`);
  }
  switch (SOFTWARE_KTY[jwk.kty as KeyType]) {
    case 'RSA':
      return importRsa(jwk);
    case 'EC':
      return importEc(jwk);
    case 'oct':
      return { kty: 'oct', k: member(jwk, 'k', OCT_KEY_BYTES, 'An oct key must be 16, 24 or 32 bytes long.') };
  }
}

function importRsa(jwk: Record<string, unknown>): KeyMaterial {
  const n = member(jwk, 'n');
  const e = member(jwk, 'e');
  if (RSA_PRIVATE_MEMBERS.every((name) => jwk[name] === undefined)) {
    throw errors.badParameter('The RSA key has only public members (n, e). Import Key needs the private key: d, p, q, dp, dq and qi.');
  }
  const [d, p, q, dp, dq, qi] = RSA_PRIVATE_MEMBERS.map((name) => member(jwk, name)) as [string, string, string, string, string, string];
  const [N, E, D, P, Q, DP, DQ, QI] = [n, e, d, p, q, dp, dq, qi].map(toBigInt) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const bits = N.toString(2).length;
  if (!RSA_MODULUS_BITS.includes(bits)) {
    throw errors.badParameter(`The RSA modulus is ${bits} bits long; Import Key accepts 2048, 3072 or 4096 bits.`);
  }
  if (E < 3n || E % 2n === 0n) throw errors.badParameter('The RSA public exponent (e) must be an odd number of at least 3.');
  // OpenSSL loads inconsistent members without complaint (it falls back to d when a CRT result is wrong), so the
  // relations between them are checked here: n = pq, ed ≡ 1 mod p-1 and q-1, and the CRT members derive from d.
  const consistent =
    P > 1n &&
    Q > 1n &&
    P * Q === N &&
    (E * D) % (P - 1n) === 1n &&
    (E * D) % (Q - 1n) === 1n &&
    DP === D % (P - 1n) &&
    DQ === D % (Q - 1n) &&
    (Q * QI) % P === 1n;
  if (!consistent) throw inconsistent('RSA');
  const privateKey = load({ kty: 'RSA', n, e, d, p, q, dp, dq, qi }, 'RSA');
  // The relations hold for any p and q; a sign/verify round trip catches members that are not primes.
  proveKeyPair(privateKey, { kty: 'RSA', n, e }, 'RSA');
  return { kty: 'RSA', jwk: exportJwk(privateKey, ['n', 'e', 'd']) };
}

function importEc(jwk: Record<string, unknown>): KeyMaterial {
  const crv = jwk.crv;
  if (!(CURVES as readonly unknown[]).includes(crv)) {
    throw errors.badParameter(`The curve (crv)${quoted(crv)} is not supported. Use one of ${CURVES.join(', ')}.`);
  }
  const { nodeName, bytes } = CURVE_INFO[crv as Curve];
  const lengthMessage = `The x and y coordinates of a ${crv as string} key must each be ${bytes} bytes long.`;
  const x = member(jwk, 'x', [bytes], lengthMessage);
  const y = member(jwk, 'y', [bytes], lengthMessage);
  const d = member(jwk, 'd');
  if (Buffer.from(d, 'base64url').length > bytes) throw errors.badParameter(`The private key (d) of a ${crv as string} key must be at most ${bytes} bytes long.`);
  // node:crypto refuses a point that is not on the curve, but not a d that belongs to another point.
  const privateKey = load({ kty: 'EC', crv: nodeName, x, y, d }, 'EC');
  proveKeyPair(privateKey, { kty: 'EC', crv: nodeName, x, y }, 'EC');
  return { kty: 'EC', crv: crv as Curve, jwk: exportJwk(privateKey, ['x', 'y', 'd']) };
}

/** A required base64url member, optionally of one of the allowed decoded lengths. */
function member(jwk: Record<string, unknown>, name: string, lengths?: number[], lengthMessage?: string): string {
  const value = jwk[name];
  if (value === undefined || value === null || value === '') throw errors.badParameter(`The key is missing the member '${name}'.`);
  // Base64url without padding (RFC 7515 §2); the round trip also refuses non-canonical trailing bits.
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value) || Buffer.from(value, 'base64url').toString('base64url') !== value) {
    throw errors.badParameter(`The key member '${name}' is not valid base64url.`);
  }
  if (lengths && !lengths.includes(Buffer.from(value, 'base64url').length)) {
    throw errors.badParameter(lengthMessage ?? `The key member '${name}' has the wrong length.`);
  }
  return value;
}

function toBigInt(base64url: string): bigint {
  return BigInt(`0x${Buffer.from(base64url, 'base64url').toString('hex')}`);
}

/** Echoes a caller's kty or crv only when it is a short plain name, so a message never carries arbitrary input. */
function quoted(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z0-9-]{1,20}$/.test(value) ? ` '${value}'` : '';
}

function inconsistent(kind: string) {
  return errors.badParameter(`The ${kind} key's members do not belong to one consistent key.`);
}

function load(jwk: NodeJsonWebKey, kind: string): KeyObject {
  try {
    return createPrivateKey({ key: jwk, format: 'jwk' });
  } catch {
    // node's message may describe the input; ours never does.
    throw inconsistent(kind);
  }
}

function proveKeyPair(privateKey: KeyObject, publicJwk: NodeJsonWebKey, kind: string): void {
  const message = Buffer.from('coffer key import check');
  let proven = false;
  try {
    proven = verify('sha256', message, createPublicKey({ key: publicJwk, format: 'jwk' }), sign('sha256', message, privateKey));
  } catch {
    // As in load: node's message is not for the caller.
  }
  if (!proven) throw inconsistent(kind);
}

function exportJwk<M extends string>(key: KeyObject, required: M[]): NodeJsonWebKey & Record<M, string> {
  const jwk = key.export({ format: 'jwk' });
  for (const name of required) {
    if (typeof jwk[name] !== 'string') throw new Error(`node:crypto exported a JWK without '${name}'.`);
  }
  return jwk as NodeJsonWebKey & Record<M, string>;
}

export function publicParts(material: KeyMaterial): PublicKeyParts {
  switch (material.kty) {
    case 'RSA':
      return { kty: 'RSA', n: material.jwk.n, e: material.jwk.e };
    case 'EC':
      return { kty: 'EC', crv: material.crv, x: material.jwk.x, y: material.jwk.y };
    case 'oct':
      return { kty: 'oct' };
  }
}

export function privateKeyObject(material: KeyMaterial): KeyObject {
  return createPrivateKey({ key: nodeJwk(material), format: 'jwk' });
}

export function publicKeyObject(material: KeyMaterial): KeyObject {
  const { kty, crv, n, e, x, y } = nodeJwk(material);
  return createPublicKey({ key: kty === 'RSA' ? { kty, n, e } : { kty, crv, x, y }, format: 'jwk' });
}

function nodeJwk(material: KeyMaterial): NodeJsonWebKey {
  switch (material.kty) {
    case 'RSA':
      return material.jwk;
    case 'EC':
      return { ...material.jwk, crv: CURVE_INFO[material.crv].nodeName };
    case 'oct':
      throw new Error('An oct key has no asymmetric KeyObject.');
  }
}

/** New key material. RSA and EC use the asynchronous generateKeyPair, which runs on libuv's thread pool: RSA-4096 takes seconds. */
export async function generateKeyMaterial(spec: KeyGenerationSpec): Promise<KeyMaterial> {
  switch (spec.kty) {
    case 'RSA': {
      if (!RSA_MODULUS_BITS.includes(spec.size)) throw errors.badParameter(`The RSA key size ${String(spec.size)} is not supported. Use 2048, 3072 or 4096.`);
      const publicExponent = spec.publicExponent ?? 65537;
      if (!isValidPublicExponent(publicExponent)) {
        throw errors.badParameter(`The public exponent ${String(publicExponent)} is not supported. Use an odd integer from 3 to 2147483647, such as 65537.`);
      }
      const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: spec.size, publicExponent });
      return { kty: 'RSA', jwk: exportJwk(privateKey, ['n', 'e', 'd']) };
    }
    case 'EC': {
      if (!(CURVES as readonly unknown[]).includes(spec.crv)) throw errors.badParameter(`The curve ${String(spec.crv)} is not supported. Use one of ${CURVES.join(', ')}.`);
      const { privateKey } = await promisify(generateKeyPair)('ec', { namedCurve: CURVE_INFO[spec.crv].nodeName });
      return { kty: 'EC', crv: spec.crv, jwk: exportJwk(privateKey, ['x', 'y', 'd']) };
    }
    case 'oct': {
      if (!OCT_KEY_BYTES.includes(spec.size / 8)) throw errors.badParameter(`The oct key size ${String(spec.size)} is not supported. Use 128, 192 or 256.`);
      return { kty: 'oct', k: randomBytes(spec.size / 8).toString('base64url') };
    }
  }
}

function isValidPublicExponent(value: number): boolean {
  return Number.isInteger(value) && value >= 3 && value < 2 ** 31 && value % 2 === 1;
}

/** The bytes sealed at rest for one key version. */
export function serializeMaterial(material: KeyMaterial): Buffer {
  return Buffer.from(JSON.stringify(material), 'utf8');
}

/** Reads what serializeMaterial wrote. The bytes come from an opened envelope, so a bad shape is our fault: a plain Error. */
export function deserializeMaterial(bytes: Buffer): KeyMaterial {
  let parsed: Record<string, unknown> | null;
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as Record<string, unknown> | null;
  } catch {
    // V8's SyntaxError quotes the text around the fault, which here is key material.
    throw new Error('Stored key material is not valid JSON.');
  }
  const jwk = parsed?.jwk as Record<string, unknown> | undefined;
  const strings = (value: Record<string, unknown> | null | undefined, names: string[]) =>
    typeof value === 'object' && value !== null && names.every((name) => typeof value[name] === 'string');
  if (parsed?.kty === 'RSA' && strings(jwk, ['n', 'e', 'd'])) return parsed as KeyMaterial;
  if (parsed?.kty === 'EC' && (CURVES as readonly unknown[]).includes(parsed.crv) && strings(jwk, ['x', 'y', 'd'])) return parsed as KeyMaterial;
  if (parsed?.kty === 'oct' && strings(parsed, ['k'])) return parsed as KeyMaterial;
  throw new Error('Stored key material is malformed.');
}
