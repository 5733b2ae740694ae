// Objects and their versions, for every kind. Every function takes the vault id first, so no query crosses
// vaults by accident. Listings page by keyset (name, or version sequence), never by OFFSET.
import type { Selectable } from 'kysely';
import type { ObjectKind, ObjectWithVersion, StoredObject, StoredVersion, VersionAttributes } from '../domain/objects/stored-object.js';
import { nameKey } from '../domain/objects/names.js';
import { isPostgresStore, readRows, type Db } from './open.js';
import { precompile } from './precompiled.js';
import type { ObjectsTable, ObjectVersionsTable } from './schema.js';
import { retryingTransaction } from './transactions.js';

export interface ObjectStore {
  /** The object whatever its state (active or soft-deleted), by case-insensitive name. */
  findObject(vaultId: string, kind: ObjectKind, name: string): Promise<StoredObject | undefined>;
  /** An active object with one version: the given one, or the current one when version is undefined. */
  getActiveVersion(vaultId: string, kind: ObjectKind, name: string, version: string | undefined): Promise<ObjectWithVersion | undefined>;
  /** A soft-deleted object with its current version. */
  getDeleted(vaultId: string, kind: ObjectKind, name: string): Promise<ObjectWithVersion | undefined>;
  listObjects(vaultId: string, kind: ObjectKind, page: { deleted: boolean; afterNameKey: string | undefined; limit: number }): Promise<ObjectWithVersion[]>;
  listVersions(vaultId: string, objectId: string, page: { afterSeq: number | undefined; limit: number }): Promise<StoredVersion[]>;
  allVersions(vaultId: string, objectId: string): Promise<StoredVersion[]>;
  nextSeq(vaultId: string, objectId: string): Promise<number>;

  insertObject(object: StoredObject): Promise<void>;
  insertVersion(vaultId: string, version: StoredVersion): Promise<void>;
  setCurrentVersion(vaultId: string, objectId: string, version: string, updatedAt: number): Promise<void>;
  updateVersionAttributes(vaultId: string, objectId: string, version: string, attributes: VersionAttributes, updatedAt: number): Promise<void>;
  markDeleted(vaultId: string, objectId: string, deletedAt: number, scheduledPurgeAt: number): Promise<void>;
  markRecovered(vaultId: string, objectId: string, updatedAt: number): Promise<void>;
  /** Erases an object and all its versions. */
  purgeObject(vaultId: string, objectId: string): Promise<void>;
  /** Soft-deleted objects whose retention ended at or before `now`, across vaults (for the purge scheduler). */
  findPurgeDue(now: number, limit: number): Promise<StoredObject[]>;

  /**
   * Runs fn inside one transaction; fn receives a store bound to it. Writers of one object take turns: on SQLite
   * every write transaction does; on PostgreSQL the transaction's first read of an object (findObject,
   * getActiveVersion, getDeleted) locks its row until it ends, so what fn read stays true while it writes. Should a
   * concurrent transaction create the same name first, fn runs again from the start and finds it (transactions.ts):
   * fn must have no effect outside the store it is given.
   */
  transaction<T>(fn: (tx: ObjectStore) => Promise<T>): Promise<T>;
}

export function createObjectStore(db: Db): ObjectStore {
  return bindObjectStore(db, compileObjectQueries(db), false);
}

type ObjectQueries = ReturnType<typeof compileObjectQueries>;

/**
 * The queries of the hot paths, compiled once per database (see precompiled.ts) and shared by every store bound
 * to it, transactions included: compiling them per transaction would cost more than the transaction itself.
 */
function compileObjectQueries(db: Db) {
  // Selecting both tables with prefixed aliases keeps one mapping function for every read.
  const joined = () =>
    db
      .selectFrom('objects as o')
      .innerJoin('object_versions as v', 'v.object_id', 'o.id')
      .select([
        'o.id as o_id', 'o.vault_id as o_vault_id', 'o.kind as o_kind', 'o.name as o_name', 'o.current_version as o_current_version',
        'o.created_at as o_created_at', 'o.updated_at as o_updated_at', 'o.deleted_at as o_deleted_at', 'o.scheduled_purge_at as o_scheduled_purge_at',
        'v.object_id', 'v.version', 'v.seq', 'v.enabled', 'v.not_before', 'v.expires', 'v.created_at', 'v.updated_at',
        'v.content_type', 'v.tags', 'v.sealed_value', 'v.properties',
      ]);

  // The secret read is the hottest query Coffer runs: compiled once (see precompiled.ts).
  const activeBase = (vaultId: string, kind: string, key: string) =>
    joined().where('o.vault_id', '=', vaultId).where('o.kind', '=', kind).where('o.name_key', '=', key).where('o.deleted_at', 'is', null);
  const activeCurrent = precompile<JoinedRow, [string, ObjectKind, string]>(3, (vaultId, kind, key) =>
    activeBase(vaultId!, kind!, key!).whereRef('v.version', '=', 'o.current_version'),
  );
  const activeVersion = precompile<JoinedRow, [string, ObjectKind, string, string]>(4, (vaultId, kind, key, version) =>
    activeBase(vaultId!, kind!, key!).where('v.version', '=', version!),
  );

  // Listing pages by keyset: four shapes (active or deleted, first page or later), each compiled once.
  const listBase = (vaultId: string, kind: string, deleted: boolean) =>
    joined()
      .where('o.vault_id', '=', vaultId)
      .where('o.kind', '=', kind)
      .where('o.deleted_at', deleted ? 'is not' : 'is', null)
      .whereRef('v.version', '=', 'o.current_version');
  const listFirstOf = (deleted: boolean) =>
    precompile<JoinedRow, [string, ObjectKind, number]>(3, (vaultId, kind, limit) =>
      listBase(vaultId!, kind!, deleted).orderBy('o.name_key').limit(limit as unknown as number),
    );
  const listAfterOf = (deleted: boolean) =>
    precompile<JoinedRow, [string, ObjectKind, string, number]>(4, (vaultId, kind, after, limit) =>
      listBase(vaultId!, kind!, deleted).where('o.name_key', '>', after!).orderBy('o.name_key').limit(limit as unknown as number),
    );
  const listFirst = { active: listFirstOf(false), deleted: listFirstOf(true) };
  const listAfter = { active: listAfterOf(false), deleted: listAfterOf(true) };


  const deletedCurrent = precompile<JoinedRow, [string, ObjectKind, string]>(3, (vaultId, kind, key) =>
    joined()
      .where('o.vault_id', '=', vaultId!)
      .where('o.kind', '=', kind!)
      .where('o.name_key', '=', key!)
      .where('o.deleted_at', 'is not', null)
      .whereRef('v.version', '=', 'o.current_version'),
  );

  // The write path of SetSecret and friends.
  const findObject = precompile<Selectable<ObjectsTable>, [string, ObjectKind, string]>(3, (vaultId, kind, key) =>
    db.selectFrom('objects').selectAll().where('vault_id', '=', vaultId!).where('kind', '=', kind!).where('name_key', '=', key!),
  );
  const maxSeq = precompile<{ max_seq: number | null }, [string, string]>(2, (vaultId, objectId) =>
    db
      .selectFrom('object_versions as v')
      .innerJoin('objects as o', 'o.id', 'v.object_id')
      .select((eb) => eb.fn.max<number | null>('v.seq').as('max_seq'))
      .where('o.vault_id', '=', vaultId!)
      .where('v.object_id', '=', objectId!),
  );
  const objectInVault = precompile<{ id: string }, [string, string]>(2, (objectId, vaultId) =>
    db.selectFrom('objects').select('id').where('id', '=', objectId!).where('vault_id', '=', vaultId!),
  );
  const setCurrent = precompile<unknown, [string, number, string, string]>(4, (version, updatedAt, vaultId, objectId) =>
    db
      .updateTable('objects')
      .set({ current_version: version!, updated_at: updatedAt as unknown as number })
      .where('vault_id', '=', vaultId!)
      .where('id', '=', objectId!),
  );
  const insertVersionRow = precompile<unknown, [string, string, number, number, number | null, number | null, number, number, string | null, string | null, Buffer, string | null]>(
    12,
    (objectId, version, seq, enabled, notBefore, expires, createdAt, updatedAt, contentType, tags, sealedValue, properties) =>
      db.insertInto('object_versions').values({
        object_id: objectId!,
        version: version!,
        seq: seq as unknown as number,
        enabled: enabled as unknown as number,
        not_before: notBefore as unknown as number,
        expires: expires as unknown as number,
        created_at: createdAt as unknown as number,
        updated_at: updatedAt as unknown as number,
        content_type: contentType!,
        tags: tags!,
        sealed_value: sealedValue as unknown as Buffer,
        properties: properties!,
      }),
  );

  // PostgreSQL runs writers at once (READ COMMITTED): a write transaction locks the object row before it reads it,
  // and a second writer of the object waits here until the first commits, then reads what it wrote. (A row lock is
  // taken on its own: `for update` on the joined reads would re-check the join against the new row after the wait,
  // and find no current version when the first writer changed it.) SQLite has no `for update`, nor needs it.
  const lockObject = isPostgresStore(db)
    ? precompile<{ id: string }, [string, ObjectKind, string]>(3, (vaultId, kind, key) =>
        db.selectFrom('objects').select('id').where('vault_id', '=', vaultId!).where('kind', '=', kind!).where('name_key', '=', key!).forUpdate(),
      )
    : undefined;

  return { activeCurrent, activeVersion, deletedCurrent, listFirst, listAfter, findObject, maxSeq, objectInVault, setCurrent, insertVersionRow, lockObject };
}

function bindObjectStore(db: Db, q: ObjectQueries, inTransaction: boolean): ObjectStore {
  const { activeCurrent, activeVersion, listFirst, listAfter } = q;
  // Inside a transaction `db` is Kysely's transaction object, and its reads go through it.
  const read = readRows(db);
  const { lockObject } = q;
  /** Inside a transaction on PostgreSQL, locks the row of the object (if any) before it is read; see transaction(). */
  const lock = inTransaction && lockObject
    ? async (vaultId: string, kind: ObjectKind, key: string) => void (await db.executeQuery(lockObject(vaultId, kind, key)))
    : async () => undefined;

  /** Version rows carry no vault id; writes to them first check that the object belongs to the vault. */
  async function assertObjectInVault(vaultId: string, objectId: string): Promise<void> {
    const row = (await db.executeQuery(q.objectInVault(objectId, vaultId))).rows[0];
    if (!row) throw new Error(`object ${objectId} is not in vault ${vaultId}`);
  }
  const store: ObjectStore = {
    async findObject(vaultId, kind, name) {
      await lock(vaultId, kind, nameKey(name));
      const row = (await db.executeQuery(q.findObject(vaultId, kind, nameKey(name)))).rows[0];
      return row && toObject(row);
    },

    async getActiveVersion(vaultId, kind, name, version) {
      await lock(vaultId, kind, nameKey(name));
      const query = version === undefined ? activeCurrent(vaultId, kind, nameKey(name)) : activeVersion(vaultId, kind, nameKey(name), version.toLowerCase());
      const row = (await read(query))[0];
      return row && toObjectWithVersion(row);
    },

    async getDeleted(vaultId, kind, name) {
      await lock(vaultId, kind, nameKey(name));
      const row = (await db.executeQuery(q.deletedCurrent(vaultId, kind, nameKey(name)))).rows[0];
      return row && toObjectWithVersion(row);
    },

    async listObjects(vaultId, kind, page) {
      const query = page.afterNameKey === undefined
        ? listFirst[page.deleted ? 'deleted' : 'active'](vaultId, kind, page.limit)
        : listAfter[page.deleted ? 'deleted' : 'active'](vaultId, kind, page.afterNameKey, page.limit);
      return (await read(query)).map(toObjectWithVersion);
    },

    async listVersions(vaultId, objectId, page) {
      let query = db
        .selectFrom('object_versions as v')
        .innerJoin('objects as o', 'o.id', 'v.object_id')
        .selectAll('v')
        .where('o.vault_id', '=', vaultId)
        .where('v.object_id', '=', objectId);
      if (page.afterSeq !== undefined) query = query.where('v.seq', '>', page.afterSeq);
      const rows = await query.orderBy('v.seq').limit(page.limit).execute();
      return rows.map(toVersion);
    },

    async allVersions(vaultId, objectId) {
      return store.listVersions(vaultId, objectId, { afterSeq: undefined, limit: Number.MAX_SAFE_INTEGER });
    },

    async nextSeq(vaultId, objectId) {
      const row = (await db.executeQuery(q.maxSeq(vaultId, objectId))).rows[0];
      return Number(row?.max_seq ?? 0) + 1;
    },

    async insertObject(object) {
      await db
        .insertInto('objects')
        .values({
          id: object.id,
          vault_id: object.vaultId,
          kind: object.kind,
          name: object.name,
          name_key: nameKey(object.name),
          current_version: object.currentVersion,
          created_at: object.createdAt,
          updated_at: object.updatedAt,
          deleted_at: object.deletedAt,
          scheduled_purge_at: object.scheduledPurgeAt,
        })
        .execute();
    },

    async insertVersion(vaultId, version) {
      await assertObjectInVault(vaultId, version.objectId);
      await db.executeQuery(
        q.insertVersionRow(
          version.objectId, version.version, version.seq, version.enabled ? 1 : 0, version.notBefore, version.expires,
          version.createdAt, version.updatedAt, version.contentType, jsonOrNull(version.tags), version.sealedValue, jsonOrNull(version.properties),
        ),
      );
    },

    async setCurrentVersion(vaultId, objectId, version, updatedAt) {
      await db.executeQuery(q.setCurrent(version, updatedAt, vaultId, objectId));
    },

    async updateVersionAttributes(vaultId, objectId, version, attributes, updatedAt) {
      await assertObjectInVault(vaultId, objectId);
      await db
        .updateTable('object_versions')
        .set({
          enabled: attributes.enabled ? 1 : 0,
          not_before: attributes.notBefore,
          expires: attributes.expires,
          content_type: attributes.contentType,
          tags: jsonOrNull(attributes.tags),
          properties: jsonOrNull(attributes.properties),
          updated_at: updatedAt,
        })
        .where('object_id', '=', objectId)
        .where('version', '=', version)
        .execute();
    },

    async markDeleted(vaultId, objectId, deletedAt, scheduledPurgeAt) {
      await db
        .updateTable('objects')
        .set({ deleted_at: deletedAt, scheduled_purge_at: scheduledPurgeAt })
        .where('vault_id', '=', vaultId)
        .where('id', '=', objectId)
        .execute();
    },

    async markRecovered(vaultId, objectId, updatedAt) {
      await db
        .updateTable('objects')
        .set({ deleted_at: null, scheduled_purge_at: null, updated_at: updatedAt })
        .where('vault_id', '=', vaultId)
        .where('id', '=', objectId)
        .execute();
    },

    async purgeObject(vaultId, objectId) {
      const object = await db.selectFrom('objects').select(['kind', 'name_key']).where('vault_id', '=', vaultId).where('id', '=', objectId).executeTakeFirst();
      if (!object) throw new Error(`object ${objectId} is not in vault ${vaultId}`);
      await db.deleteFrom('object_versions').where('object_id', '=', objectId).execute();
      await db.deleteFrom('objects').where('vault_id', '=', vaultId).where('id', '=', objectId).execute();
      if (object.kind === 'certificate') {
        // A certificate's policy and operation are keyed by its name, not its object: they go with it, in the same
        // transaction, whoever purges (the caller or the retention scheduler) — else a new certificate of the same
        // name would inherit the purged one's policy.
        await db.deleteFrom('certificate_policies').where('vault_id', '=', vaultId).where('name_key', '=', object.name_key).execute();
        await db.deleteFrom('certificate_operations').where('vault_id', '=', vaultId).where('name_key', '=', object.name_key).execute();
      }
    },

    async findPurgeDue(now, limit) {
      const rows = await db
        .selectFrom('objects')
        .selectAll()
        .where('scheduled_purge_at', 'is not', null)
        .where('scheduled_purge_at', '<=', now)
        .orderBy('scheduled_purge_at')
        .limit(limit)
        .execute();
      return rows.map(toObject);
    },

    async transaction(fn) {
      return retryingTransaction(db, (trx) => fn(bindObjectStore(trx, q, true)));
    },
  };
  return store;
}

function toObject(row: Selectable<ObjectsTable>): StoredObject {
  return {
    id: row.id,
    vaultId: row.vault_id,
    kind: row.kind as ObjectKind,
    name: row.name,
    currentVersion: row.current_version,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
    scheduledPurgeAt: row.scheduled_purge_at === null ? null : Number(row.scheduled_purge_at),
  };
}

function toVersion(row: Selectable<ObjectVersionsTable>): StoredVersion {
  return {
    objectId: row.object_id,
    version: row.version,
    seq: row.seq,
    enabled: row.enabled === 1,
    notBefore: row.not_before === null ? null : Number(row.not_before),
    expires: row.expires === null ? null : Number(row.expires),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    contentType: row.content_type,
    tags: row.tags === null ? null : (JSON.parse(row.tags) as Record<string, string>),
    sealedValue: row.sealed_value,
    properties: row.properties === null ? null : (JSON.parse(row.properties) as Record<string, unknown>),
  };
}

function jsonOrNull(value: object | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

type JoinedRow = Selectable<ObjectVersionsTable> & {
  o_id: string; o_vault_id: string; o_kind: string; o_name: string; o_current_version: string;
  o_created_at: number; o_updated_at: number; o_deleted_at: number | null; o_scheduled_purge_at: number | null;
};

function toObjectWithVersion(row: JoinedRow): ObjectWithVersion {
  return {
    object: toObject({
      id: row.o_id, vault_id: row.o_vault_id, kind: row.o_kind, name: row.o_name, name_key: row.o_name.toLowerCase(),
      current_version: row.o_current_version, created_at: row.o_created_at, updated_at: row.o_updated_at,
      deleted_at: row.o_deleted_at, scheduled_purge_at: row.o_scheduled_purge_at,
    }),
    version: toVersion(row),
  };
}
