// Key Vault's secrets semantics over the object store: versions, soft delete, recovery, purge, backup and
// restore. Values are sealed before they reach the store and opened only for GetSecret and backup.
import { randomUUID } from 'node:crypto';
import { unixSeconds, type Clock } from '../../clock.js';
import type { Envelope } from '../../crypto/envelope.js';
import { errors } from '../../errors.js';
import type { ObjectStore } from '../../store/objects.js';
import { BACKUP_FORMAT, decodeBackupPayload, encodeBackupPayload, type BackupPayload } from '../objects/backup-blob.js';
import { newVersionId } from '../objects/names.js';
import type { ObjectWithVersion, StoredObject, StoredVersion } from '../objects/stored-object.js';
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

const KIND = 'secret';
const BACKUP_PURPOSE = 'backup:secret';

export interface SecretWithValue extends ObjectWithVersion {
  value: string;
}

export interface Page<T> {
  items: T[];
  /** Where the next page starts, or undefined on the last page. */
  next: string | undefined;
}

export type SecretService = ReturnType<typeof createSecretService>;

export function createSecretService(deps: {
  objects: ObjectStore;
  envelope: Pick<Envelope, 'seal' | 'open' | 'sealServerValue' | 'openServerValue'>;
  clock: Clock;
}) {
  const { objects, envelope, clock } = deps;

  const sealValue = (vault: Vault, object: StoredObject, version: string, value: Buffer) =>
    envelope.seal(vault, { vaultId: vault.id, kind: KIND, objectId: object.id, version }, value);
  const openValue = (vault: Vault, version: StoredVersion) =>
    envelope.open(vault, { vaultId: vault.id, kind: KIND, objectId: version.objectId, version: version.version }, version.sealedValue);

  async function requireActive(vault: Vault, name: string, version: string | undefined): Promise<ObjectWithVersion> {
    assertSecretName(name);
    if (version !== undefined) assertSecretVersion(version);
    const found = await objects.getActiveVersion(vault.id, KIND, name, version);
    if (!found) throw errors.secretNotFound(name, version);
    return found;
  }

  async function requireDeleted(vault: Vault, name: string): Promise<ObjectWithVersion> {
    assertSecretName(name);
    const found = await objects.getDeleted(vault.id, KIND, name);
    if (!found) throw errors.deletedSecretNotFound(name);
    return found;
  }

  return {
    async setSecret(vault: Vault, name: string, input: SetSecretInput): Promise<SecretWithValue> {
      assertSecretName(name);
      assertSetSecretInput(input);
      const now = unixSeconds(clock);
      const plaintext = Buffer.from(input.value, 'utf8');
      const result = await objects.transaction(async (tx) => {
        let object = await tx.findObject(vault.id, KIND, name);
        if (object?.deletedAt !== null && object !== undefined) throw errors.secretDeletedButRecoverable(name);
        const version = newVersionId();
        if (!object) {
          object = { id: randomUUID(), vaultId: vault.id, kind: KIND, name, currentVersion: version, createdAt: now, updatedAt: now, deletedAt: null, scheduledPurgeAt: null };
          await tx.insertObject(object);
        }
        const stored: StoredVersion = {
          objectId: object.id,
          version,
          seq: await tx.nextSeq(vault.id, object.id),
          enabled: input.attributes?.enabled ?? true,
          notBefore: input.attributes?.notBefore ?? null,
          expires: input.attributes?.expires ?? null,
          createdAt: now,
          updatedAt: now,
          contentType: input.contentType ?? null,
          tags: input.tags ?? null,
          sealedValue: sealValue(vault, object, version, plaintext),
        };
        await tx.insertVersion(vault.id, stored);
        await tx.setCurrentVersion(vault.id, object.id, version, now);
        return { object: { ...object, currentVersion: version, updatedAt: now }, version: stored };
      });
      return { ...result, value: input.value };
    },

    /** Azure serves a secret outside its nbf/exp window; only a disabled version is refused. */
    async getSecret(vault: Vault, name: string, version: string | undefined): Promise<SecretWithValue> {
      const found = await requireActive(vault, name, version);
      if (!found.version.enabled) throw errors.secretDisabled('get');
      return { ...found, value: openValue(vault, found.version).toString('utf8') };
    },

    /** Updating a disabled version is allowed: it is how a secret is enabled again. */
    async updateSecret(vault: Vault, name: string, version: string | undefined, input: UpdateSecretInput): Promise<ObjectWithVersion> {
      assertSecretName(name);
      if (version !== undefined) assertSecretVersion(version);
      assertUpdateSecretInput(input);
      const now = unixSeconds(clock);
      return objects.transaction(async (tx) => {
        const found = await tx.getActiveVersion(vault.id, KIND, name, version);
        if (!found) throw errors.secretNotFound(name, version);
        const current = found.version;
        const attributes = {
          enabled: input.attributes?.enabled ?? current.enabled,
          notBefore: input.attributes?.notBefore !== undefined ? input.attributes.notBefore : current.notBefore,
          expires: input.attributes?.expires !== undefined ? input.attributes.expires : current.expires,
          contentType: input.contentType !== undefined ? input.contentType : current.contentType,
          tags: input.tags !== undefined ? input.tags : current.tags,
        };
        await tx.updateVersionAttributes(vault.id, found.object.id, current.version, attributes, now);
        return { object: found.object, version: { ...current, ...attributes, updatedAt: now } };
      });
    },

    async listSecrets(vault: Vault, page: { after: string | undefined; limit: number }): Promise<Page<ObjectWithVersion>> {
      const rows = await objects.listObjects(vault.id, KIND, { deleted: false, afterNameKey: page.after, limit: page.limit + 1 });
      return pageOf(rows, page.limit, (row) => row.object.name.toLowerCase());
    },

    /** Azure answers an empty list for a name that has no versions, rather than 404. */
    async listSecretVersions(vault: Vault, name: string, page: { after: string | undefined; limit: number }): Promise<Page<ObjectWithVersion>> {
      assertSecretName(name);
      const object = await objects.findObject(vault.id, KIND, name);
      if (!object || object.deletedAt !== null) return { items: [], next: undefined };
      const afterSeq = page.after === undefined ? undefined : Number(page.after);
      if (afterSeq !== undefined && !Number.isSafeInteger(afterSeq)) throw errors.badParameter('The $skiptoken is not valid.');
      const versions = await objects.listVersions(vault.id, object.id, { afterSeq, limit: page.limit + 1 });
      return pageOf(versions.map((version) => ({ object, version })), page.limit, (row) => String(row.version.seq));
    },

    async deleteSecret(vault: Vault, name: string): Promise<ObjectWithVersion> {
      const now = unixSeconds(clock);
      return objects.transaction(async (tx) => {
        assertSecretName(name);
        const found = await tx.getActiveVersion(vault.id, KIND, name, undefined);
        if (!found) throw errors.secretNotFound(name);
        const scheduledPurgeAt = now + vault.retentionDays * 86_400;
        await tx.markDeleted(vault.id, found.object.id, now, scheduledPurgeAt);
        return { object: { ...found.object, deletedAt: now, scheduledPurgeAt }, version: found.version };
      });
    },

    getDeletedSecret: (vault: Vault, name: string) => requireDeleted(vault, name),

    async listDeletedSecrets(vault: Vault, page: { after: string | undefined; limit: number }): Promise<Page<ObjectWithVersion>> {
      const rows = await objects.listObjects(vault.id, KIND, { deleted: true, afterNameKey: page.after, limit: page.limit + 1 });
      return pageOf(rows, page.limit, (row) => row.object.name.toLowerCase());
    },

    async recoverDeletedSecret(vault: Vault, name: string): Promise<ObjectWithVersion> {
      const now = unixSeconds(clock);
      return objects.transaction(async (tx) => {
        assertSecretName(name);
        const found = await tx.getDeleted(vault.id, KIND, name);
        if (!found) throw errors.deletedSecretNotFound(name);
        await tx.markRecovered(vault.id, found.object.id, now);
        return { object: { ...found.object, deletedAt: null, scheduledPurgeAt: null, updatedAt: now }, version: found.version };
      });
    },

    async purgeDeletedSecret(vault: Vault, name: string): Promise<void> {
      await objects.transaction(async (tx) => {
        assertSecretName(name);
        const found = await tx.getDeleted(vault.id, KIND, name);
        if (!found) throw errors.deletedSecretNotFound(name);
        if (vault.purgeProtection) throw errors.purgeProtected(name);
        await tx.purgeObject(vault.id, found.object.id);
      });
    },

    async backupSecret(vault: Vault, name: string): Promise<Buffer> {
      const found = await requireActive(vault, name, undefined);
      const versions = await objects.allVersions(vault.id, found.object.id);
      if (versions.length > MAX_BACKUP_VERSIONS) throw errors.tooManyVersionsToBackup(MAX_BACKUP_VERSIONS);
      const payload: BackupPayload = {
        format: BACKUP_FORMAT,
        kind: KIND,
        name: found.object.name,
        createdAt: found.object.createdAt,
        versions: versions.map((version) => ({
          version: version.version,
          seq: version.seq,
          enabled: version.enabled,
          notBefore: version.notBefore,
          expires: version.expires,
          createdAt: version.createdAt,
          updatedAt: version.updatedAt,
          contentType: version.contentType,
          tags: version.tags,
          value: openValue(vault, version).toString('base64'),
        })),
      };
      return envelope.sealServerValue(BACKUP_PURPOSE, encodeBackupPayload(payload));
    },

    /** Restores every version under a fresh object id; the blob may come from any vault of this server. */
    async restoreSecret(vault: Vault, blob: Buffer): Promise<ObjectWithVersion> {
      let opened: Buffer;
      try {
        opened = envelope.openServerValue(BACKUP_PURPOSE, blob);
      } catch {
        throw errors.malformedBackup();
      }
      const payload = decodeBackupPayload(opened, KIND);
      const now = unixSeconds(clock);
      return objects.transaction(async (tx) => {
        const existing = await tx.findObject(vault.id, KIND, payload.name);
        if (existing?.deletedAt !== null && existing !== undefined) throw errors.secretDeletedButRecoverable(payload.name);
        if (existing) throw errors.secretAlreadyExists(payload.name);
        const ordered = [...payload.versions].sort((a, b) => a.seq - b.seq);
        const latest = ordered[ordered.length - 1]!;
        const object: StoredObject = {
          id: randomUUID(), vaultId: vault.id, kind: KIND, name: payload.name, currentVersion: latest.version,
          createdAt: payload.createdAt, updatedAt: now, deletedAt: null, scheduledPurgeAt: null,
        };
        await tx.insertObject(object);
        let latestStored: StoredVersion | undefined;
        for (const version of ordered) {
          const { value, ...attributes } = version;
          latestStored = { ...attributes, objectId: object.id, sealedValue: sealValue(vault, object, version.version, Buffer.from(value, 'base64')) };
          await tx.insertVersion(vault.id, latestStored);
        }
        return { object, version: latestStored! };
      });
    },
  };
}

function pageOf<T>(rows: T[], limit: number, cursorOf: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows, next: undefined };
  const items = rows.slice(0, limit);
  return { items, next: cursorOf(items[items.length - 1]!) };
}
