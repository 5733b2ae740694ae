// The lifecycle Key Vault gives every object kind alike — versions, listing, soft delete, recovery, purge,
// backup and restore — over the kind-neutral object store. Secrets and keys (later certificates) build on it
// and add only what is theirs: how a version's value is made, and what their wire bundle looks like.
import { randomUUID } from 'node:crypto';
import { unixSeconds, type Clock } from '../../clock.js';
import type { Envelope } from '../../crypto/envelope.js';
import type { CofferError } from '../../errors.js';
import { errors } from '../../errors.js';
import type { ObjectStore } from '../../store/objects.js';
import type { Vault } from '../vaults/vault.js';
import { BACKUP_FORMAT, decodeBackupPayload, encodeBackupPayload, type BackupPayload } from './backup-blob.js';
import { newVersionId } from './names.js';
import type { ObjectKind, ObjectWithVersion, StoredObject, StoredVersion, VersionAttributes } from './stored-object.js';

/** What differs between kinds: the name rules and Azure's wording of each error. */
export interface KindRules {
  kind: ObjectKind;
  assertName(name: string): void;
  assertVersion(version: string): void;
  notFound(name: string, version?: string): CofferError;
  deletedNotFound(name: string): CofferError;
  deletedButRecoverable(name: string): CofferError;
  alreadyExists(name: string): CofferError;
  /** A version backing a certificate (properties.managed) is changed only through the certificates API. */
  managedByKeyVault(operation: string): CofferError;
  /** Azure caps the versions one backup blob may hold. */
  maxBackupVersions: number;
}

export interface Page<T> {
  items: T[];
  /** Where the next page starts, or undefined on the last page. */
  next: string | undefined;
}

export type ObjectLifecycle = ReturnType<typeof createObjectLifecycle>;

export function createObjectLifecycle(deps: {
  objects: ObjectStore;
  envelope: Pick<Envelope, 'seal' | 'open' | 'sealServerValue' | 'openServerValue'>;
  clock: Clock;
  rules: KindRules;
}) {
  const { objects, envelope, clock, rules } = deps;
  const { kind } = rules;
  const backupPurpose = `backup:${kind}`;

  const sealValue = (vault: Vault, objectId: string, version: string, value: Buffer) =>
    envelope.seal(vault, { vaultId: vault.id, kind, objectId, version }, value);
  const openValue = (vault: Vault, version: StoredVersion) =>
    envelope.open(vault, { vaultId: vault.id, kind, objectId: version.objectId, version: version.version }, version.sealedValue);

  async function requireActive(vault: Vault, name: string, version: string | undefined): Promise<ObjectWithVersion> {
    rules.assertName(name);
    if (version !== undefined) rules.assertVersion(version);
    const found = await objects.getActiveVersion(vault.id, kind, name, version);
    if (!found) throw rules.notFound(name, version);
    return found;
  }

  async function requireDeleted(vault: Vault, name: string): Promise<ObjectWithVersion> {
    rules.assertName(name);
    const found = await objects.getDeleted(vault.id, kind, name);
    if (!found) throw rules.deletedNotFound(name);
    return found;
  }

  return {
    openValue,
    requireActive,
    getDeleted: requireDeleted,

    /**
     * Adds a version (creating the object on first use) and makes it current. A name in the deleted-but-
     * recoverable state cannot be reused, as in Azure; neither can a name whose versions back a certificate,
     * except by the certificates service, which passes `managed` (and its own version id and transaction, so a
     * certificate's key, secret and certificate versions are written together).
     */
    async addVersion(
      vault: Vault,
      name: string,
      attributes: VersionAttributes,
      value: Buffer,
      opts: { version?: string; tx?: ObjectStore; managed?: boolean } = {},
    ): Promise<ObjectWithVersion> {
      rules.assertName(name);
      const now = unixSeconds(clock);
      const write = async (tx: ObjectStore): Promise<ObjectWithVersion> => {
        const active = await tx.getActiveVersion(vault.id, kind, name, undefined);
        let object = active?.object ?? (await tx.findObject(vault.id, kind, name));
        if (object !== undefined && object.deletedAt !== null) throw rules.deletedButRecoverable(name);
        if (active && isManaged(active.version) && !opts.managed) throw rules.managedByKeyVault('set');
        const version = opts.version ?? newVersionId();
        if (!object) {
          object = { id: randomUUID(), vaultId: vault.id, kind, name, currentVersion: version, createdAt: now, updatedAt: now, deletedAt: null, scheduledPurgeAt: null };
          await tx.insertObject(object);
        }
        const stored: StoredVersion = {
          ...attributes,
          objectId: object.id,
          version,
          seq: await tx.nextSeq(vault.id, object.id),
          createdAt: now,
          updatedAt: now,
          sealedValue: sealValue(vault, object.id, version, value),
        };
        await tx.insertVersion(vault.id, stored);
        await tx.setCurrentVersion(vault.id, object.id, version, now);
        return { object: { ...object, currentVersion: version, updatedAt: now }, version: stored };
      };
      return opts.tx ? write(opts.tx) : objects.transaction(write);
    },

    /** Changes a version's attributes; `change` sees the current ones and returns the new ones. */
    async updateVersion(vault: Vault, name: string, version: string | undefined, change: (current: StoredVersion) => VersionAttributes): Promise<ObjectWithVersion> {
      rules.assertName(name);
      if (version !== undefined) rules.assertVersion(version);
      const now = unixSeconds(clock);
      return objects.transaction(async (tx) => {
        const found = await tx.getActiveVersion(vault.id, kind, name, version);
        if (!found) throw rules.notFound(name, version);
        if (isManaged(found.version)) throw rules.managedByKeyVault('update');
        const attributes = change(found.version);
        await tx.updateVersionAttributes(vault.id, found.object.id, found.version.version, attributes, now);
        return { object: found.object, version: { ...found.version, ...attributes, updatedAt: now } };
      });
    },

    async list(vault: Vault, page: { after: string | undefined; limit: number }): Promise<Page<ObjectWithVersion>> {
      const rows = await objects.listObjects(vault.id, kind, { deleted: false, afterNameKey: page.after, limit: page.limit + 1 });
      return pageOf(rows, page.limit, (row) => row.object.name.toLowerCase());
    },

    /** Azure answers an empty list for a name that has no versions, rather than 404. */
    async listVersions(vault: Vault, name: string, page: { after: string | undefined; limit: number }): Promise<Page<ObjectWithVersion>> {
      rules.assertName(name);
      const object = await objects.findObject(vault.id, kind, name);
      if (!object || object.deletedAt !== null) return { items: [], next: undefined };
      const afterSeq = page.after === undefined ? undefined : Number(page.after);
      if (afterSeq !== undefined && !Number.isSafeInteger(afterSeq)) throw errors.badParameter('The $skiptoken is not valid.');
      const versions = await objects.listVersions(vault.id, object.id, { afterSeq, limit: page.limit + 1 });
      return pageOf(versions.map((version) => ({ object, version })), page.limit, (row) => String(row.version.seq));
    },

    async delete(vault: Vault, name: string): Promise<ObjectWithVersion> {
      const now = unixSeconds(clock);
      return objects.transaction(async (tx) => {
        rules.assertName(name);
        const found = await tx.getActiveVersion(vault.id, kind, name, undefined);
        if (!found) throw rules.notFound(name);
        if (isManaged(found.version)) throw rules.managedByKeyVault('delete');
        const scheduledPurgeAt = now + vault.retentionDays * 86_400;
        await tx.markDeleted(vault.id, found.object.id, now, scheduledPurgeAt);
        return { object: { ...found.object, deletedAt: now, scheduledPurgeAt }, version: found.version };
      });
    },

    async listDeleted(vault: Vault, page: { after: string | undefined; limit: number }): Promise<Page<ObjectWithVersion>> {
      const rows = await objects.listObjects(vault.id, kind, { deleted: true, afterNameKey: page.after, limit: page.limit + 1 });
      return pageOf(rows, page.limit, (row) => row.object.name.toLowerCase());
    },

    async recover(vault: Vault, name: string): Promise<ObjectWithVersion> {
      const now = unixSeconds(clock);
      return objects.transaction(async (tx) => {
        rules.assertName(name);
        const found = await tx.getDeleted(vault.id, kind, name);
        if (!found) throw rules.deletedNotFound(name);
        if (isManaged(found.version)) throw rules.managedByKeyVault('recover');
        await tx.markRecovered(vault.id, found.object.id, now);
        return { object: { ...found.object, deletedAt: null, scheduledPurgeAt: null, updatedAt: now }, version: found.version };
      });
    },

    async purge(vault: Vault, name: string): Promise<void> {
      await objects.transaction(async (tx) => {
        rules.assertName(name);
        const found = await tx.getDeleted(vault.id, kind, name);
        if (!found) throw rules.deletedNotFound(name);
        if (isManaged(found.version)) throw rules.managedByKeyVault('purge');
        if (vault.purgeProtection) throw errors.purgeProtected(name);
        await tx.purgeObject(vault.id, found.object.id);
      });
    },

    /** Every version, values opened and sealed again under a server-wide backup key: opaque and tamper-evident. */
    async backup(vault: Vault, name: string): Promise<Buffer> {
      const found = await requireActive(vault, name, undefined);
      const versions = await objects.allVersions(vault.id, found.object.id);
      if (versions.length > rules.maxBackupVersions) throw errors.tooManyVersionsToBackup(rules.maxBackupVersions);
      const payload: BackupPayload = {
        format: BACKUP_FORMAT,
        kind,
        name: found.object.name,
        createdAt: found.object.createdAt,
        versions: versions.map((version) => {
          const { objectId: _objectId, sealedValue: _sealedValue, ...attributes } = version;
          return { ...attributes, value: openValue(vault, version).toString('base64') };
        }),
      };
      return envelope.sealServerValue(backupPurpose, encodeBackupPayload(payload));
    },

    /**
     * Restores every version under a fresh object id; the blob may come from any vault of this server. The
     * certificates service passes its transaction, so a certificate's key and secret are restored with it.
     */
    async restore(vault: Vault, blob: Buffer, opts: { tx?: ObjectStore } = {}): Promise<ObjectWithVersion> {
      let opened: Buffer;
      try {
        opened = envelope.openServerValue(backupPurpose, blob);
      } catch {
        throw errors.malformedBackup();
      }
      const payload = decodeBackupPayload(opened, kind);
      const now = unixSeconds(clock);
      const write = async (tx: ObjectStore): Promise<ObjectWithVersion> => {
        const existing = await tx.findObject(vault.id, kind, payload.name);
        if (existing !== undefined && existing.deletedAt !== null) throw rules.deletedButRecoverable(payload.name);
        if (existing) throw rules.alreadyExists(payload.name);
        const ordered = [...payload.versions].sort((a, b) => a.seq - b.seq);
        const latest = ordered[ordered.length - 1]!;
        const object: StoredObject = {
          id: randomUUID(), vaultId: vault.id, kind, name: payload.name, currentVersion: latest.version,
          createdAt: payload.createdAt, updatedAt: now, deletedAt: null, scheduledPurgeAt: null,
        };
        await tx.insertObject(object);
        let latestStored!: StoredVersion;
        for (const { value, properties, ...attributes } of ordered) {
          latestStored = {
            ...attributes,
            properties: properties ?? null,
            objectId: object.id,
            sealedValue: sealValue(vault, object.id, attributes.version, Buffer.from(value, 'base64')),
          };
          await tx.insertVersion(vault.id, latestStored);
        }
        return { object, version: latestStored };
      };
      return opts.tx ? write(opts.tx) : objects.transaction(write);
    },
  };
}

/** Whether a version backs a certificate (its key or secret), which only the certificates API may change. */
export function isManaged(version: StoredVersion): boolean {
  return version.properties?.managed === true;
}

/** A page of `limit` rows from `limit + 1` read (the extra one says whether there is a next page). */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows, next: undefined };
  const items = rows.slice(0, limit);
  return { items, next: cursorOf(items[items.length - 1]!) };
}
