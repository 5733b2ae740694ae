// Key Vault's keys: generated or imported key material kept by a key provider (key-provider.ts), with the public
// parts, key_ops and release policy beside it (object_versions.properties) so reads and listings never open the
// private material. The lifecycle every kind shares — versions, soft delete, recovery, purge, backup, restore —
// is object-lifecycle.ts; the cryptographic operations are key-operations.ts, run by the provider.
import { unixSeconds, type Clock } from '../../clock.js';
import type { Envelope } from '../../crypto/envelope.js';
import { errors } from '../../errors.js';
import type { ObjectStore } from '../../store/objects.js';
import { createObjectLifecycle, type KindRules } from '../objects/object-lifecycle.js';
import type { ObjectWithVersion, StoredVersion } from '../objects/stored-object.js';
import { MAX_BACKUP_VERSIONS } from '../secrets/secret.js';
import type { Vault } from '../vaults/vault.js';
import type { KeyGenerationSpec } from './jwk.js';
import {
  assertKeyAttributes,
  assertKeyName,
  assertKeyVersion,
  keySpecOf,
  parseKeyOps,
  parseKeyType,
  parseReleasePolicy,
  type CreateKeyInput,
  type KeyAttributesInput,
  type KeyProperties,
  type ReleasePolicyInput,
  type UpdateKeyInput,
} from './key.js';
import type { KeyOperation, PublicKeyParts, SoftwareKeyType } from './key-material.js';
import type { KeyOperationOutcome, KeyOperationRequest } from './key-operations.js';
import type { KeyProvider, ProvidedKey } from './key-provider.js';

/** A key version as the wire needs it: its public parts and key_ops, never the private material. */
export interface KeyVersionView extends ObjectWithVersion {
  key: KeyProperties & { public: PublicKeyParts };
}

export interface ImportKeyInput {
  key: unknown;
  hsm?: boolean | undefined;
  tags?: Record<string, string> | undefined;
  attributes?: KeyAttributesInput | undefined;
  releasePolicy?: ReleasePolicyInput | undefined;
}

export const keyRules: KindRules = {
  kind: 'key',
  assertName: assertKeyName,
  assertVersion: assertKeyVersion,
  notFound: errors.keyNotFound,
  deletedNotFound: errors.deletedKeyNotFound,
  deletedButRecoverable: errors.keyDeletedButRecoverable,
  alreadyExists: errors.keyAlreadyExists,
  managedByKeyVault: errors.keyManagedByKeyVault,
  maxBackupVersions: MAX_BACKUP_VERSIONS,
};

// Azure's rule for the validity window: the operations that produce ciphertext or signatures refuse a key
// outside nbf..exp; decrypt, unwrapKey and verify do not, so nothing already protected gets locked away.
const PRODUCING_OPERATIONS: ReadonlySet<KeyOperationRequest['op']> = new Set(['encrypt', 'wrapKey', 'sign']);

export type KeyService = ReturnType<typeof createKeyService>;

export function createKeyService(deps: {
  objects: ObjectStore;
  envelope: Pick<Envelope, 'seal' | 'open' | 'sealServerValue' | 'openServerValue'>;
  clock: Clock;
  providers: { software: KeyProvider; hsm?: KeyProvider };
}) {
  const lifecycle = createObjectLifecycle({ ...deps, rules: keyRules });
  const { software } = deps.providers;

  async function addKeyVersion(
    vault: Vault,
    name: string,
    provided: ProvidedKey,
    keyOps: KeyOperation[],
    input: { tags?: Record<string, string> | undefined; attributes?: KeyAttributesInput | undefined; releasePolicy?: ReleasePolicyInput | undefined },
  ) {
    const exportable = input.attributes?.exportable ?? false;
    // Azure: an exportable key needs a release policy, since releasing is the only way to export it.
    if (exportable && input.releasePolicy === undefined) throw errors.badParameter('An exportable key needs a release policy (release_policy).');
    const properties: KeyProperties & { public: PublicKeyParts } = {
      kty: provided.kty,
      keyOps,
      exportable,
      ...(provided.keySize === undefined ? {} : { keySize: provided.keySize }),
      ...(input.releasePolicy === undefined ? {} : { releasePolicy: parseReleasePolicy(input.releasePolicy, undefined) }),
      public: provided.public,
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
      provided.stored,
    );
    return view(added);
  }

  function providerFor(kty: string): KeyProvider {
    if (kty.endsWith('-HSM')) {
      // DESIGN.md §4: -HSM keys belong to an HSM provider; never silently stored as software keys.
      if (!deps.providers.hsm) throw errors.hsmKeysUnavailable(kty);
      return deps.providers.hsm;
    }
    return software;
  }

  return {
    /** CreateKey: a new key, or a new version of an existing one. */
    async createKey(vault: Vault, name: string, input: CreateKeyInput): Promise<KeyVersionView> {
      assertKeyName(name);
      const kty = parseKeyType(input.kty);
      const provider = providerFor(kty);
      const softwareKty = kty.replace(/-HSM$/, '') as SoftwareKeyType;
      assertKeyAttributes(input.attributes, input.tags);
      const spec = keySpecOf(input, softwareKty);
      // Checked before generation, which can take seconds for RSA-4096.
      const keyOps = parseKeyOps(input.keyOps, softwareKty);
      if (input.releasePolicy !== undefined) parseReleasePolicy(input.releasePolicy, undefined);
      return addKeyVersion(vault, name, await provider.generate(spec), keyOps, input);
    },

    /** ImportKey: caller-supplied private material; key_ops come from the JWK, as in Azure. */
    async importKey(vault: Vault, name: string, input: ImportKeyInput): Promise<KeyVersionView> {
      assertKeyName(name);
      assertKeyAttributes(input.attributes, input.tags);
      const declared = (input.key as { kty?: unknown } | null)?.kty;
      if (input.hsm === true || (typeof declared === 'string' && declared.endsWith('-HSM'))) {
        providerFor(`${typeof declared === 'string' ? declared.replace(/-HSM$/, '') : 'RSA'}-HSM`);
        throw errors.badParameter('Importing into an HSM is not supported by this server.');
      }
      const provided = software.importKey(input.key);
      const keyOps = (input.key as { key_ops?: unknown }).key_ops;
      if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.every((op) => typeof op === 'string'))) {
        throw errors.badParameter('key_ops must be an array of strings.');
      }
      return addKeyVersion(vault, name, provided, parseKeyOps(keyOps as string[] | undefined, provided.kty), input);
    },

    /**
     * RotateKey: a new version of an existing key of the same type, size or curve, public exponent, key_ops and
     * tags, as Azure's rotation makes it. `expiresFor` gives the expiry from the new version's creation time (the
     * rotation policy's expiryTime; null for none) — taken after generation, which can take seconds.
     */
    async rotateKey(vault: Vault, name: string, opts: { expiresFor(created: number): number | null }): Promise<KeyVersionView> {
      assertKeyName(name);
      const current = view(await lifecycle.requireActive(vault, name, undefined));
      const provided = await providerFor(current.key.kty).generate(rotationSpec(current.key));
      return addKeyVersion(vault, name, provided, current.key.keyOps, {
        tags: current.version.tags ?? undefined,
        attributes: { enabled: true, expires: opts.expiresFor(unixSeconds(deps.clock)) },
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
        if (input.attributes?.exportable !== undefined && input.attributes.exportable !== properties.exportable) {
          throw errors.badParameter('exportable is fixed when a key version is created.');
        }
        const releasePolicy = input.releasePolicy === undefined ? properties.releasePolicy : parseReleasePolicy(input.releasePolicy, properties.releasePolicy);
        return {
          enabled: input.attributes?.enabled ?? current.enabled,
          notBefore: input.attributes?.notBefore !== undefined ? input.attributes.notBefore : current.notBefore,
          expires: input.attributes?.expires !== undefined ? input.attributes.expires : current.expires,
          contentType: null,
          tags: input.tags !== undefined ? input.tags : current.tags,
          properties: {
            ...properties,
            keyOps: input.keyOps === undefined ? properties.keyOps : parseKeyOps(input.keyOps, properties.kty),
            ...(releasePolicy === undefined ? {} : { releasePolicy }),
          },
        };
      });
      return view(updated);
    },

    /**
     * encrypt, decrypt, wrapKey, unwrapKey, sign, verify with one version (the latest when `version` is absent).
     * Refused when the key is disabled, when its key_ops lack the operation, and for the producing operations
     * outside its nbf..exp window.
     */
    async perform(vault: Vault, name: string, version: string | undefined, request: KeyOperationRequest): Promise<{ found: KeyVersionView; outcome: KeyOperationOutcome }> {
      const found = view(await lifecycle.requireActive(vault, name, version));
      const { version: stored, key } = found;
      if (!stored.enabled) throw errors.keyDisabled(request.op);
      if (!key.keyOps.includes(request.op)) throw errors.keyOperationNotAllowed(request.op);
      if (PRODUCING_OPERATIONS.has(request.op)) {
        const now = unixSeconds(deps.clock);
        if (stored.notBefore !== null && now < stored.notBefore) throw errors.keyNotYetValid(request.op);
        if (stored.expires !== null && now >= stored.expires) throw errors.keyExpired(request.op);
      }
      const outcome = await providerFor(key.kty).perform(
        { cacheKey: `${vault.id}/${stored.version}`, kty: key.kty, stored: lifecycle.openValue(vault, stored) },
        request,
      );
      return { found, outcome };
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

function keyPropertiesOf(version: StoredVersion): KeyProperties & { public: PublicKeyParts } {
  return version.properties as unknown as KeyProperties & { public: PublicKeyParts };
}

function view(item: ObjectWithVersion): KeyVersionView {
  return { ...item, key: keyPropertiesOf(item.version) };
}
