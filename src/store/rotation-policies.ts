// Key rotation policies and the rotation scheduler's schedule. Every function takes the vault id first, so no query
// crosses vaults by accident — except the scheduler's scans, which look across vaults by design.
import type { Selectable } from 'kysely';
import { nameKey } from '../domain/objects/names.js';
import type { RotationPolicyRules, RotationSchedule, StoredRotationPolicy } from '../domain/keys/rotation-policy.js';
import type { Db } from './open.js';
import type { RotationPoliciesTable } from './schema.js';

export interface RotationPolicyStore {
  /** The policy of the key with this (case-insensitive) name, if one was ever set. */
  get(vaultId: string, name: string): Promise<StoredRotationPolicy | undefined>;
  /** Inserts or replaces the policy of `policy.nameKey`. */
  put(policy: StoredRotationPolicy): Promise<void>;
  delete(vaultId: string, name: string): Promise<void>;
  /** Policies with a rotation or a notification due at or before `now`, across vaults (for the scheduler). */
  findDue(now: number, limit: number): Promise<StoredRotationPolicy[]>;
  /**
   * Policies of active keys whose current version, expiry or enabled flag is no longer the one their schedule was
   * computed from — changed by CreateKey, ImportKey, UpdateKey or recovery — across vaults (for the scheduler).
   */
  findStale(limit: number): Promise<StoredRotationPolicy[]>;
  /**
   * Replaces the schedule, unless the policy was replaced since it was read (its `updated` is no longer
   * `readUpdated`): a schedule computed from an older policy must not overwrite the newer one's. True if written.
   */
  setSchedule(vaultId: string, name: string, readUpdated: number, schedule: RotationSchedule): Promise<boolean>;
}

export function createRotationPolicyStore(db: Db): RotationPolicyStore {
  return {
    async get(vaultId, name) {
      const row = await db.selectFrom('rotation_policies').selectAll().where('vault_id', '=', vaultId).where('name_key', '=', nameKey(name)).executeTakeFirst();
      return row && toStoredPolicy(row);
    },

    async put(policy) {
      const row = toRow(policy);
      const { vault_id: _vaultId, name_key: _nameKey, ...changes } = row;
      await db
        .insertInto('rotation_policies')
        .values(row)
        .onConflict((conflict) => conflict.columns(['vault_id', 'name_key']).doUpdateSet(changes))
        .execute();
    },

    async delete(vaultId, name) {
      await db.deleteFrom('rotation_policies').where('vault_id', '=', vaultId).where('name_key', '=', nameKey(name)).execute();
    },

    async findDue(now, limit) {
      const rows = await db
        .selectFrom('rotation_policies')
        .selectAll()
        .where((eb) => eb.or([eb('next_rotate_at', '<=', now), eb('next_notify_at', '<=', now)]))
        .orderBy('vault_id')
        .orderBy('name_key')
        .limit(limit)
        .execute();
      return rows.map(toStoredPolicy);
    },

    async findStale(limit) {
      const rows = await db
        .selectFrom('rotation_policies as rp')
        .innerJoin('objects as o', 'o.id', 'rp.object_id')
        .innerJoin('object_versions as v', (join) => join.onRef('v.object_id', '=', 'o.id').onRef('v.version', '=', 'o.current_version'))
        .selectAll('rp')
        .where('o.deleted_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('rp.basis_version', 'is', null),
            eb('rp.basis_version', '<>', eb.ref('o.current_version')),
            // -1 stands for "never expires" on both sides: no expiry is a Unix time before 1970.
            eb(eb.fn.coalesce('rp.basis_expires', eb.lit(-1)), '<>', eb.fn.coalesce('v.expires', eb.lit(-1))),
            eb('rp.basis_enabled', '<>', eb.ref('v.enabled')),
          ]),
        )
        .orderBy('rp.vault_id')
        .orderBy('rp.name_key')
        .limit(limit)
        .execute();
      return rows.map(toStoredPolicy);
    },

    async setSchedule(vaultId, name, readUpdated, schedule) {
      const result = await db
        .updateTable('rotation_policies')
        .set(scheduleColumns(schedule))
        .where('vault_id', '=', vaultId)
        .where('name_key', '=', nameKey(name))
        .where('updated_at', '=', readUpdated)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

function scheduleColumns(schedule: RotationSchedule) {
  return {
    next_rotate_at: schedule.nextRotateAt,
    next_notify_at: schedule.nextNotifyAt,
    notified_version: schedule.notifiedVersion,
    basis_version: schedule.basis?.version ?? null,
    basis_expires: schedule.basis?.expires ?? null,
    basis_enabled: schedule.basis === null ? null : schedule.basis.enabled ? 1 : 0,
  };
}

function toRow(policy: StoredRotationPolicy): Selectable<RotationPoliciesTable> {
  return {
    vault_id: policy.vaultId,
    name_key: nameKey(policy.nameKey),
    object_id: policy.objectId,
    policy: JSON.stringify(policy.rules),
    created_at: policy.created,
    updated_at: policy.updated,
    ...scheduleColumns(policy.schedule),
  };
}

function toStoredPolicy(row: Selectable<RotationPoliciesTable>): StoredRotationPolicy {
  return {
    vaultId: row.vault_id,
    nameKey: row.name_key,
    objectId: row.object_id,
    // Written only by put(), from rules parseRotationPolicy validated.
    rules: JSON.parse(row.policy) as RotationPolicyRules,
    created: Number(row.created_at),
    updated: Number(row.updated_at),
    schedule: {
      nextRotateAt: row.next_rotate_at === null ? null : Number(row.next_rotate_at),
      nextNotifyAt: row.next_notify_at === null ? null : Number(row.next_notify_at),
      notifiedVersion: row.notified_version,
      basis:
        row.basis_version === null
          ? null
          : { version: row.basis_version, expires: row.basis_expires === null ? null : Number(row.basis_expires), enabled: row.basis_enabled === 1 },
    },
  };
}
