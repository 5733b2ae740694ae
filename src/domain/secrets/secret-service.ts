// Key Vault's secrets semantics: a secret is a value with attributes, kept in versions. The lifecycle every kind
// shares (versions, soft delete, recovery, purge, backup, restore) is object-lifecycle.ts; values are sealed
// before they reach the store and opened only for GetSecret and backup.
import type { Clock } from '../../clock.js';
import type { Envelope } from '../../crypto/envelope.js';
import { errors } from '../../errors.js';
import type { ObjectStore } from '../../store/objects.js';
import { createObjectLifecycle, type KindRules } from '../objects/object-lifecycle.js';
import type { ObjectWithVersion } from '../objects/stored-object.js';
import type { Vault } from '../vaults/vault.js';
import {
  MAX_BACKUP_VERSIONS,
  assertSecretName,
  assertSecretVersion,
  assertSetSecretInput,
  assertUpdateSecretInput,
  type SetSecretInput,
  type UpdateSecretInput,
} from './secret.js';

export type { Page } from '../objects/object-lifecycle.js';

export interface SecretWithValue extends ObjectWithVersion {
  value: string;
}

export const secretRules: KindRules = {
  kind: 'secret',
  assertName: assertSecretName,
  assertVersion: assertSecretVersion,
  notFound: errors.secretNotFound,
  deletedNotFound: errors.deletedSecretNotFound,
  deletedButRecoverable: errors.secretDeletedButRecoverable,
  alreadyExists: errors.secretAlreadyExists,
  managedByKeyVault: errors.secretManagedByKeyVault,
  maxBackupVersions: MAX_BACKUP_VERSIONS,
};

export type SecretService = ReturnType<typeof createSecretService>;

export function createSecretService(deps: {
  objects: ObjectStore;
  envelope: Pick<Envelope, 'seal' | 'open' | 'sealServerValue' | 'openServerValue'>;
  clock: Clock;
}) {
  const lifecycle = createObjectLifecycle({ ...deps, rules: secretRules });

  return {
    async setSecret(vault: Vault, name: string, input: SetSecretInput): Promise<SecretWithValue> {
      assertSecretName(name);
      assertSetSecretInput(input);
      const result = await lifecycle.addVersion(
        vault,
        name,
        {
          enabled: input.attributes?.enabled ?? true,
          notBefore: input.attributes?.notBefore ?? null,
          expires: input.attributes?.expires ?? null,
          contentType: input.contentType ?? null,
          tags: input.tags ?? null,
          properties: null,
        },
        Buffer.from(input.value, 'utf8'),
      );
      return { ...result, value: input.value };
    },

    /** Azure serves a secret outside its nbf/exp window; only a disabled version is refused. */
    async getSecret(vault: Vault, name: string, version: string | undefined): Promise<SecretWithValue> {
      const found = await lifecycle.requireActive(vault, name, version);
      if (!found.version.enabled) throw errors.secretDisabled('get');
      return { ...found, value: lifecycle.openValue(vault, found.version).toString('utf8') };
    },

    /** Updating a disabled version is allowed: it is how a secret is enabled again. */
    async updateSecret(vault: Vault, name: string, version: string | undefined, input: UpdateSecretInput): Promise<ObjectWithVersion> {
      assertSecretName(name);
      if (version !== undefined) assertSecretVersion(version);
      assertUpdateSecretInput(input);
      return lifecycle.updateVersion(vault, name, version, (current) => ({
        enabled: input.attributes?.enabled ?? current.enabled,
        notBefore: input.attributes?.notBefore !== undefined ? input.attributes.notBefore : current.notBefore,
        expires: input.attributes?.expires !== undefined ? input.attributes.expires : current.expires,
        contentType: input.contentType !== undefined ? input.contentType : current.contentType,
        tags: input.tags !== undefined ? input.tags : current.tags,
        properties: current.properties,
      }));
    },

    listSecrets: lifecycle.list,
    listSecretVersions: lifecycle.listVersions,
    deleteSecret: lifecycle.delete,
    getDeletedSecret: lifecycle.getDeleted,
    listDeletedSecrets: lifecycle.listDeleted,
    recoverDeletedSecret: lifecycle.recover,
    purgeDeletedSecret: lifecycle.purge,
    backupSecret: lifecycle.backup,
    restoreSecret: lifecycle.restore,
  };
}
