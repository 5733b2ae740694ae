// Key rotation: each key's rotation policy (GetKeyRotationPolicy, UpdateKeyRotationPolicy), on-demand rotation
// (RotateKey) and the scheduler's pass that rotates keys and records near-expiry events when their policy says so.
// Nothing here sees or logs key material; a key deleted or disabled under the scheduler is skipped, never an error.
import type { Logger } from 'pino';
import { unixSeconds, type Clock } from '../../clock.js';
import { CofferError, describeError } from '../../errors.js';
import { outboxEventId, type EventOutbox, type OutboxEvent } from '../../store/event-outbox.js';
import type { RotationPolicyStore } from '../../store/rotation-policies.js';
import type { VaultStore } from '../../store/vaults.js';
import { nameKey } from '../objects/names.js';
import type { Vault } from '../vaults/vault.js';
import type { KeyService, KeyVersionView } from './key-service.js';
import {
  defaultRotationPolicy,
  dueTimes,
  parseRotationPolicy,
  rotatedExpiry,
  type RotationPolicy,
  type RotationPolicyRules,
  type RotationSchedule,
  type StoredRotationPolicy,
} from './rotation-policy.js';

export const KEY_NEW_VERSION_CREATED = 'Microsoft.KeyVault.KeyNewVersionCreated';
export const KEY_NEAR_EXPIRY = 'Microsoft.KeyVault.KeyNearExpiry';

const BATCH = 200;
/** How long the scheduler waits before trying again to rotate a key whose rotation failed. */
const RETRY_SECONDS = 3600;

/** A key's policy, with the key's name as stored (the caller's case at creation), for the policy id. */
export interface KeyRotationPolicyView {
  keyName: string;
  policy: RotationPolicy;
}

/** What one scheduler pass did. */
export interface RotationRunResult {
  rotated: number;
  notified: number;
  /** Due keys found deleted or disabled. */
  skipped: number;
  /** Keys whose rotation failed; retried after RETRY_SECONDS. */
  failed: number;
}

export type KeyRotation = ReturnType<typeof createKeyRotation>;

export function createKeyRotation(deps: {
  keys: Pick<KeyService, 'rotateKey' | 'getKey'>;
  policies: RotationPolicyStore;
  events: Pick<EventOutbox, 'append'>;
  /** The scheduler acts across vaults and finds each policy's vault here. */
  vaults: Pick<VaultStore, 'listVaults'>;
  /** scheme://host[:port] of a vault, for the object ids in events (the scheduler has no request to take it from). */
  vaultUrl: (vault: Vault) => string;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
}) {
  const { keys, policies, events, clock, logger } = deps;

  function scheduleFor(found: KeyVersionView, rules: RotationPolicyRules, notifiedVersion: string | null): RotationSchedule {
    const { version } = found;
    const basis = { version: version.version, expires: version.expires, enabled: version.enabled };
    // A disabled key neither rotates nor notifies; enabling it changes the basis, and the schedule is computed again.
    if (!version.enabled) return { nextRotateAt: null, nextNotifyAt: null, notifiedVersion, basis };
    const due = dueTimes(version, rules);
    return { nextRotateAt: due.rotateAt, nextNotifyAt: notifiedVersion === version.version ? null : due.notifyAt, notifiedVersion, basis };
  }

  function keyEvent(vault: Vault, found: KeyVersionView, eventType: string): Omit<OutboxEvent, 'deliveredAt'> {
    const { object, version } = found;
    return {
      // Derived from what the event is about, so recording it twice (a retried step) keeps one event.
      id: outboxEventId(eventType, vault.id, object.id, version.version),
      vaultId: vault.id,
      eventType,
      subject: object.name,
      data: {
        Id: `${deps.vaultUrl(vault)}/keys/${object.name}/${version.version}`,
        VaultName: vault.name,
        ObjectType: 'Key',
        ObjectName: object.name,
        Version: version.version,
        NBF: version.notBefore,
        EXP: version.expires,
      },
      createdAt: unixSeconds(clock),
    };
  }

  /** The policy stored for this key object, if any (a policy never outlives its key: purge deletes it). */
  async function storedFor(vault: Vault, found: KeyVersionView): Promise<StoredRotationPolicy | undefined> {
    const stored = await policies.get(vault.id, found.object.name);
    return stored?.objectId === found.object.id ? stored : undefined;
  }

  async function vaultLookup(): Promise<(id: string) => Vault | undefined> {
    const byId = new Map((await deps.vaults.listVaults()).map((vault) => [vault.id, vault]));
    return (id) => byId.get(id);
  }

  /** Computes the schedule again for a key that changed under it; acts on nothing. */
  async function refresh(vault: Vault | undefined, stored: StoredRotationPolicy): Promise<void> {
    const found = vault && (await activeKey(vault, stored.nameKey));
    const schedule = found ? scheduleFor(found, stored.rules, stored.schedule.notifiedVersion) : idle(stored);
    await policies.setSchedule(stored.vaultId, stored.nameKey, stored.updated, schedule);
  }

  async function activeKey(vault: Vault, name: string): Promise<KeyVersionView | undefined> {
    try {
      return await keys.getKey(vault, name, undefined);
    } catch (error) {
      if (error instanceof CofferError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** One due key: rotate if its rotation time has come, then record its near-expiry event if that has come. */
  async function runOne(vault: Vault | undefined, stored: StoredRotationPolicy, now: number, result: RotationRunResult): Promise<void> {
    let found = vault && (await activeKey(vault, stored.nameKey));
    if (!vault || !found || found.object.id !== stored.objectId) {
      // Deleted: nothing is due until it is recovered, which makes the schedule stale, so it is computed again.
      result.skipped += 1;
      await policies.setSchedule(stored.vaultId, stored.nameKey, stored.updated, idle(stored));
      return;
    }
    if (!found.version.enabled) {
      // Disabled: scheduleFor leaves nothing due, until enabling makes the schedule stale.
      result.skipped += 1;
      await policies.setSchedule(stored.vaultId, stored.nameKey, stored.updated, scheduleFor(found, stored.rules, stored.schedule.notifiedVersion));
      return;
    }
    // Due times come from the key as it is now, not from the stored schedule: a rotation that happened but was not
    // yet recorded in the schedule (a crash between the two) is not repeated, because the new version is not due.
    const due = dueTimes(found.version, stored.rules);
    if (due.rotateAt !== null && due.rotateAt <= now) {
      try {
        found = await keys.rotateKey(vault, found.object.name, { expiresFor: (created) => rotatedExpiry(created, stored.rules) });
      } catch (error) {
        result.failed += 1;
        logger.warn({ vault: vault.name, key: found.object.name, error: describeError(error) }, 'scheduled key rotation failed; it will be retried');
        const schedule = scheduleFor(found, stored.rules, stored.schedule.notifiedVersion);
        await policies.setSchedule(stored.vaultId, stored.nameKey, stored.updated, { ...schedule, nextRotateAt: now + RETRY_SECONDS });
        return;
      }
      await events.append(keyEvent(vault, found, KEY_NEW_VERSION_CREATED));
      result.rotated += 1;
    }
    let notifiedVersion = stored.schedule.notifiedVersion;
    const notifyAt = dueTimes(found.version, stored.rules).notifyAt;
    if (notifyAt !== null && notifyAt <= now && notifiedVersion !== found.version.version) {
      // False when a pass that crashed before recording the schedule already recorded this event.
      if (await events.append(keyEvent(vault, found, KEY_NEAR_EXPIRY))) result.notified += 1;
      notifiedVersion = found.version.version;
    }
    await policies.setSchedule(stored.vaultId, stored.nameKey, stored.updated, scheduleFor(found, stored.rules, notifiedVersion));
  }

  return {
    /** GetKeyRotationPolicy: the key's policy, or Azure's default for a key that never had one set. */
    async getPolicy(vault: Vault, name: string): Promise<KeyRotationPolicyView> {
      const found = await keys.getKey(vault, name, undefined);
      const stored = await storedFor(vault, found);
      return { keyName: found.object.name, policy: stored ? policyOf(stored) : defaultRotationPolicy() };
    },

    /** UpdateKeyRotationPolicy: replaces the key's policy (keeping when it was first set) and reschedules the key. */
    async setPolicy(vault: Vault, name: string, input: unknown): Promise<KeyRotationPolicyView> {
      const rules = parseRotationPolicy(input);
      const found = await keys.getKey(vault, name, undefined);
      const existing = await storedFor(vault, found);
      const now = unixSeconds(clock);
      const stored: StoredRotationPolicy = {
        vaultId: vault.id,
        nameKey: nameKey(found.object.name),
        objectId: found.object.id,
        rules,
        created: existing?.created ?? now,
        updated: now,
        schedule: scheduleFor(found, rules, existing?.schedule.notifiedVersion ?? null),
      };
      await policies.put(stored);
      return { keyName: found.object.name, policy: policyOf(stored) };
    },

    /**
     * RotateKey: a new version now, whatever the policy's triggers; it expires after the policy's expiryTime, or
     * never when the key has no policy or the policy no expiryTime.
     */
    async rotate(vault: Vault, name: string): Promise<KeyVersionView> {
      const current = await keys.getKey(vault, name, undefined);
      const stored = await storedFor(vault, current);
      const rotated = await keys.rotateKey(vault, name, { expiresFor: (created) => rotatedExpiry(created, stored?.rules ?? defaultRotationPolicy()) });
      await events.append(keyEvent(vault, rotated, KEY_NEW_VERSION_CREATED));
      if (stored) await policies.setSchedule(vault.id, stored.nameKey, stored.updated, scheduleFor(rotated, stored.rules, stored.schedule.notifiedVersion));
      return rotated;
    },

    /**
     * The scheduler's pass: first computes the schedule again for keys changed since it was computed (new versions,
     * expiry or enabled changes), then rotates every key whose rotation time has come and records one near-expiry
     * event per key version whose notification time has come. A second pass at the same time does nothing.
     */
    async runDue(): Promise<RotationRunResult> {
      const result: RotationRunResult = { rotated: 0, notified: 0, skipped: 0, failed: 0 };
      let vaultOf: ((id: string) => Vault | undefined) | undefined;
      const lookup = async (id: string) => (vaultOf ??= await vaultLookup())(id);

      // A step that fails unexpectedly (storage, most likely) is counted and logged; the next pass tries again.
      const guarded = (step: (stored: StoredRotationPolicy) => Promise<void>) => async (stored: StoredRotationPolicy) => {
        try {
          await step(stored);
        } catch (error) {
          result.failed += 1;
          logger.warn({ vaultId: stored.vaultId, key: stored.nameKey, error: describeError(error) }, 'key rotation scheduler step failed');
        }
      };

      await eachBatch(() => policies.findStale(BATCH), guarded(async (stored) => refresh(await lookup(stored.vaultId), stored)));
      const now = unixSeconds(clock);
      await eachBatch(() => policies.findDue(now, BATCH), guarded(async (stored) => runOne(await lookup(stored.vaultId), stored, now, result)));
      return result;
    },
  };
}

/**
 * Runs `each` over the rows `find` returns, batch after batch, until a batch has nothing new. Each row is handled
 * at most once per pass, so a row that stays found (its step failed) cannot keep the pass going.
 */
async function eachBatch(find: () => Promise<StoredRotationPolicy[]>, each: (stored: StoredRotationPolicy) => Promise<void>): Promise<void> {
  const seen = new Set<string>();
  for (;;) {
    const batch = await find();
    const fresh = batch.filter((stored) => !seen.has(`${stored.vaultId}/${stored.nameKey}`));
    if (fresh.length === 0) return;
    for (const stored of fresh) {
      seen.add(`${stored.vaultId}/${stored.nameKey}`);
      await each(stored);
    }
    if (batch.length < BATCH) return;
  }
}

/** Nothing due until the key is back (recovered): its schedule is then computed again. */
function idle(stored: StoredRotationPolicy): RotationSchedule {
  return { nextRotateAt: null, nextNotifyAt: null, notifiedVersion: stored.schedule.notifiedVersion, basis: null };
}

function policyOf(stored: StoredRotationPolicy): RotationPolicy {
  return { ...stored.rules, created: stored.created, updated: stored.updated };
}
