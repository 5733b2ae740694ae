// Purges soft-deleted objects whose retention has ended, as Azure does. Purge protection does not stop
// this: it only forbids purging early.
import { unixSeconds, type Clock } from '../clock.js';
import type { ObjectStore } from '../store/objects.js';
import type { VaultStore } from '../store/vaults.js';

const BATCH = 200;

export function createPurgeDeletedJob(deps: { objects: Pick<ObjectStore, 'findPurgeDue' | 'transaction'>; clock: Clock }) {
  /** Purges every due object; returns how many were purged. */
  return async function purgeDeleted(): Promise<number> {
    let purged = 0;
    for (;;) {
      const due = await deps.objects.findPurgeDue(unixSeconds(deps.clock), BATCH);
      for (const object of due) {
        // Counted once committed: the store may run the transaction again (ObjectStore.transaction).
        const done = await deps.objects.transaction(async (tx) => {
          // Re-read inside the transaction: the object may have been recovered since the scan.
          const current = await tx.findObject(object.vaultId, object.kind, object.name);
          if (current?.id !== object.id || current.scheduledPurgeAt === null || current.scheduledPurgeAt > unixSeconds(deps.clock)) return false;
          await tx.purgeObject(object.vaultId, object.id);
          return true;
        });
        if (done) purged += 1;
      }
      if (due.length < BATCH) return purged;
    }
  };
}

/** Purges soft-deleted vaults whose retention has ended, with everything in them (the store cascades). */
export function createPurgeDeletedVaultsJob(deps: { vaults: Pick<VaultStore, 'findPurgeDueVaults' | 'purgeVault'>; clock: Clock }) {
  return async function purgeDeletedVaults(): Promise<number> {
    const due = await deps.vaults.findPurgeDueVaults(unixSeconds(deps.clock), BATCH);
    for (const vault of due) await deps.vaults.purgeVault(vault.id);
    return due.length;
  };
}
