// Key Vault's keys: generated or imported key material, sealed at rest, with the public parts and key_ops kept
// beside it (object_versions.properties) so reads and listings never open the private material. The lifecycle
// every kind shares — versions, soft delete, recovery, purge, backup, restore — is object-lifecycle.ts.
import type { Clock } from '../../clock.js';
import type { Envelope } from '../../crypto/envelope.js';
import { errors } from '../../errors.js';
import type { ObjectStore } from '../../store/objects.js';
import { createObjectLifecycle, type KindRules } from '../objects/object-lifecycle.js';
import type { ObjectWithVersion, StoredVersion } from '../objects/stored-object.js';
import { MAX_BACKUP_VERSIONS } from '../secrets/secret.js';
import type { Vault } from '../vaults/vault.js';
import { deserializeMaterial, generateKeyMaterial, importJsonWebKey, publicParts, serializeMaterial, type KeyGenerationSpec } from './jwk.js';
import {
  assertKeyAttributes,
  assertKeyName,
  assertKeyVersion,
  keySpecOf,
  parseKeyOps,
  parseKeyType,
  type CreateKeyInput,
  type KeyAttributesInput,
  type KeyProperties,
  type UpdateKeyInput,
} from './key.js';
import type { KeyMaterial, KeyOperation, PublicKeyParts, SoftwareKeyType } from './key-material.js';

/** A key version as the wire needs it: its public parts and key_ops, never the private material. */
export interface KeyVersionView extends ObjectWithVersion {
  key: KeyProperties & { public: PublicKeyParts };
}

export interface ImportKeyInput {
  key: unknown;
  hsm?: boolean | undefined;
  tags?: Record<string, string> | undefined;
  attributes?: KeyAttributesInput | undefined;
}

const keyRules: KindRules = {
  kind: 'key',
  assertName: assertKeyName,
  assertVersion: assertKeyVersion,
  notFound: errors.keyNotFound,
  deletedNotFound: errors.deletedKeyNotFound,
  deletedButRecoverable: errors.keyDeletedButRecoverable,
  alreadyExists: errors.keyAlreadyExists,
  maxBackupVersions: MAX_BACKUP_VERSIONS,
};

export type KeyService = ReturnType<typeof createKeyService>;

export function createKeyService(deps: {
  objects: ObjectStore;
  envelope: Pick<Envelope, 'seal' | 'open' | 'sealServerValue' | 'openServerValue'>;
  clock: Clock;
}) {
  const lifecycle = createObjectLifecycle({ ...deps, rules: keyRules });

  async function addKeyVersion(vault: Vault, name: string, material: KeyMaterial, keyOps: KeyOperation[], input: { tags?: Record<string, string> | undefined; attributes?: KeyAttributesInput | undefined }) {
    const size = keySizeOf(material);
    const properties: KeyProperties & { public: PublicKeyParts } = {
      kty: material.kty,
      keyOps,
      exportable: input.attributes?.exportable ?? false,
      ...(size === undefined ? {} : { keySize: size }),
      public: publicParts(material),
    };
    const added = await lifecycle.addVersion(
      vault,
      name,
      {
        enabled: input.attributes?.enabled ?? true,
        notBefore: input.attributes?.notBefore ?? null,
        expires: input.attributes?.expires ?? null,
        contentType: null,
        tags: input.tags ?? null,
        properties: { ...properties },
      },
      serializeMaterial(material),
    );
    return view(added);
  }

  return {
    /** CreateKey: a new key, or a new version of an existing one. Generation runs off the event loop (jwk.ts). */
    async createKey(vault: Vault, name: string, input: CreateKeyInput): Promise<KeyVersionView> {
      assertKeyName(name);
      const kty = softwareKeyType(parseKeyType(input.kty));
      assertKeyAttributes(input.attributes, input.tags);
      const spec = keySpecOf(input, kty);
      // Checked before generation, which can take seconds for RSA-4096.
      const keyOps = parseKeyOps(input.keyOps, kty);
      const material = await generateKeyMaterial(spec);
      return addKeyVersion(vault, name, material, keyOps, input);
    },

    /** ImportKey: caller-supplied private material; key_ops come from the JWK, as in Azure. */
    async importKey(vault: Vault, name: string, input: ImportKeyInput): Promise<KeyVersionView> {
      assertKeyName(name);
      assertKeyAttributes(input.attributes, input.tags);
      const declared = (input.key as { kty?: unknown } | null)?.kty;
      if (input.hsm === true || (typeof declared === 'string' && declared.endsWith('-HSM'))) {
        const software = typeof declared === 'string' ? declared.replace(/-HSM$/, '') : 'RSA';
        throw errors.hsmKeysUnavailable(`${software}-HSM`);
      }
      const material = importJsonWebKey(input.key);
      const keyOps = (input.key as { key_ops?: unknown }).key_ops;
      if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.every((op) => typeof op === 'string'))) {
        throw errors.badParameter('key_ops must be an array of strings.');
      }
      return addKeyVersion(vault, name, material, parseKeyOps(keyOps as string[] | undefined, material.kty), input);
    },

    /**
     * RotateKey: a new version of an existing key of the same type, size or curve, public exponent, key_ops and
     * tags, as Azure's rotation makes it. `expires` comes from the rotation policy's expiryTime (null for none).
     */
    async rotateKey(vault: Vault, name: string, opts: { expires: number | null }): Promise<KeyVersionView> {
      assertKeyName(name);
      const current = view(await lifecycle.requireActive(vault, name, undefined));
      const material = await generateKeyMaterial(rotationSpec(current.key));
      return addKeyVersion(vault, name, material, current.key.keyOps, {
        tags: current.version.tags ?? undefined,
        attributes: { enabled: true, expires: opts.expires },
      });
    },

    /** GetKey serves a disabled key's public parts too; only operations with it are refused. */
    async getKey(vault: Vault, name: string, version: string | undefined): Promise<KeyVersionView> {
      return view(await lifecycle.requireActive(vault, name, version));
    },

    async updateKey(vault: Vault, name: string, version: string | undefined, input: UpdateKeyInput): Promise<KeyVersionView> {
      assertKeyName(name);
      if (version !== undefined) assertKeyVersion(version);
      assertKeyAttributes(input.attributes, input.tags);
      const updated = await lifecycle.updateVersion(vault, name, version, (current) => {
        const properties = keyPropertiesOf(current);
        return {
          enabled: input.attributes?.enabled ?? current.enabled,
          notBefore: input.attributes?.notBefore !== undefined ? input.attributes.notBefore : current.notBefore,
          expires: input.attributes?.expires !== undefined ? input.attributes.expires : current.expires,
          contentType: null,
          tags: input.tags !== undefined ? input.tags : current.tags,
          properties: { ...properties, keyOps: input.keyOps === undefined ? properties.keyOps : parseKeyOps(input.keyOps, properties.kty) },
        };
      });
      return view(updated);
    },

    /** The private material of an active version, for the cryptographic operations. */
    async material(vault: Vault, name: string, version: string | undefined): Promise<{ found: KeyVersionView; material: KeyMaterial }> {
      const found = await lifecycle.requireActive(vault, name, version);
      return { found: view(found), material: deserializeMaterial(lifecycle.openValue(vault, found.version)) };
    },

    async listKeys(vault: Vault, page: { after: string | undefined; limit: number }) {
      const result = await lifecycle.list(vault, page);
      return { ...result, items: result.items.map(view) };
    },
    async listKeyVersions(vault: Vault, name: string, page: { after: string | undefined; limit: number }) {
      const result = await lifecycle.listVersions(vault, name, page);
      return { ...result, items: result.items.map(view) };
    },
    deleteKey: async (vault: Vault, name: string) => view(await lifecycle.delete(vault, name)),
    getDeletedKey: async (vault: Vault, name: string) => view(await lifecycle.getDeleted(vault, name)),
    async listDeletedKeys(vault: Vault, page: { after: string | undefined; limit: number }) {
      const result = await lifecycle.listDeleted(vault, page);
      return { ...result, items: result.items.map(view) };
    },
    recoverDeletedKey: async (vault: Vault, name: string) => view(await lifecycle.recover(vault, name)),
    purgeDeletedKey: lifecycle.purge,
    backupKey: lifecycle.backup,
    restoreKey: async (vault: Vault, blob: Buffer) => view(await lifecycle.restore(vault, blob)),
  };
}

function softwareKeyType(kty: string): SoftwareKeyType {
  if (kty.endsWith('-HSM')) throw errors.hsmKeysUnavailable(kty);
  return kty as SoftwareKeyType;
}

/** The generation spec that makes another key like this one (an imported key of an odd size cannot rotate). */
function rotationSpec(key: KeyProperties & { public: PublicKeyParts }): KeyGenerationSpec {
  const pub = key.public;
  if (pub.kty === 'EC') return { kty: 'EC', crv: pub.crv };
  if (pub.kty === 'RSA') {
    const e = Buffer.from(pub.e, 'base64url');
    return { kty: 'RSA', size: key.keySize as 2048 | 3072 | 4096, publicExponent: e.length <= 6 ? e.readUIntBE(0, e.length) : Number.NaN };
  }
  return { kty: 'oct', size: key.keySize as 128 | 192 | 256 };
}

function keySizeOf(material: KeyMaterial): number | undefined {
  if (material.kty === 'RSA') return Buffer.from(material.jwk.n, 'base64url').length * 8;
  if (material.kty === 'oct') return Buffer.from(material.k, 'base64url').length * 8;
  return undefined;
}

function keyPropertiesOf(version: StoredVersion): KeyProperties & { public: PublicKeyParts } {
  return version.properties as unknown as KeyProperties & { public: PublicKeyParts };
}

function view(item: ObjectWithVersion): KeyVersionView {
  return { ...item, key: keyPropertiesOf(item.version) };
}
