// Certificate lifetime actions, run by the scheduler: `AutoRenew` issues a new version from the stored policy when
// the current version reaches its trigger, and `EmailContacts` records a near-expiry event for delivery. Each acts
// at most once per current version. A certificate deleted, disabled or still pending is skipped, never an error;
// nothing here sees a private key.
import type { Logger } from 'pino';
import { unixSeconds, type Clock } from '../../clock.js';
import { CofferError, describeError } from '../../errors.js';
import type { CertificateStore } from '../../store/certificates.js';
import { outboxEventId, type EventOutbox, type OutboxEvent } from '../../store/event-outbox.js';
import type { ObjectStore } from '../../store/objects.js';
import type { VaultStore } from '../../store/vaults.js';
import { nameKey } from '../objects/names.js';
import type { ObjectWithVersion, StoredVersion } from '../objects/stored-object.js';
import type { Vault } from '../vaults/vault.js';
import type { LifetimeTrigger } from './certificate-policy.js';
import type { CertificateService } from './certificate-service.js';
import type { StoredCertificatePolicy } from './stored-certificate.js';

export const CERTIFICATE_NEAR_EXPIRY = 'Microsoft.KeyVault.CertificateNearExpiry';

const BATCH = 200;
const DAY_SECONDS = 86_400;
/** How long the scheduler waits before trying again to renew a version whose renewal could not start. */
const RETRY_SECONDS = 3600;

/** What one scheduler pass did. */
export interface RenewalRunResult {
  /** New versions started (issuance completes in the background, as for CreateCertificate). */
  renewed: number;
  /** Near-expiry events recorded. */
  notified: number;
  /** Certificates with lifetime actions passed over: deleted, disabled, or with no issued version yet. */
  skipped: number;
  /** Renewals that could not start, and steps that failed unexpectedly; retried by a later pass. */
  failed: number;
}

/**
 * When a lifetime action of a version is due, in Unix seconds: `lifetimePercentage` of the way from not-before to
 * expiry, or `daysBeforeExpiry` days before expiry. Null for a version without an expiry (nothing to act before).
 */
export function triggerTime(trigger: LifetimeTrigger, validity: Pick<StoredVersion, 'notBefore' | 'expires' | 'createdAt'>): number | null {
  const { expires } = validity;
  if (expires === null) return null;
  if ('daysBeforeExpiry' in trigger) return expires - trigger.daysBeforeExpiry * DAY_SECONDS;
  // Issued and imported certificates always carry not-before; the creation time stands in should one not.
  const notBefore = validity.notBefore ?? validity.createdAt;
  return notBefore + Math.floor(((expires - notBefore) * trigger.lifetimePercentage) / 100);
}

export type CertificateRenewal = ReturnType<typeof createCertificateRenewal>;

export function createCertificateRenewal(deps: {
  certificates: Pick<CertificateService, 'createCertificate'>;
  store: Pick<CertificateStore, 'listPolicies' | 'getOperation'>;
  /** Reads each certificate's current version (its validity and enabled state). */
  objects: Pick<ObjectStore, 'getActiveVersion'>;
  events: Pick<EventOutbox, 'append'>;
  /** The scheduler acts across vaults and finds each policy's vault here. */
  vaults: Pick<VaultStore, 'listVaults'>;
  /** scheme://host[:port] of a vault, for the object ids in events (the scheduler has no request to take it from). */
  vaultUrl: (vault: Vault) => string;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
}) {
  const { certificates, store, objects, events, clock, logger } = deps;
  /** Versions whose renewal could not start, and when to try again. In memory: one process runs the scheduler. */
  const retryAt = new Map<string, number>();

  function nearExpiryEvent(vault: Vault, found: ObjectWithVersion): Omit<OutboxEvent, 'deliveredAt'> {
    const { object, version } = found;
    return {
      // Derived from what the event is about, so a second pass (or a retried one) records nothing new.
      id: outboxEventId(CERTIFICATE_NEAR_EXPIRY, vault.id, nameKey(object.name), version.version),
      vaultId: vault.id,
      eventType: CERTIFICATE_NEAR_EXPIRY,
      subject: object.name,
      data: {
        Id: `${deps.vaultUrl(vault)}/certificates/${object.name}/${version.version}`,
        VaultName: vault.name,
        ObjectType: 'Certificate',
        ObjectName: object.name,
        Version: version.version,
        NBF: version.notBefore,
        EXP: version.expires,
      },
      createdAt: unixSeconds(clock),
    };
  }

  async function notify(vault: Vault, found: ObjectWithVersion, result: RenewalRunResult): Promise<void> {
    if (await events.append(nearExpiryEvent(vault, found))) result.notified += 1;
  }

  /** Starts the new version of a due certificate, unless one was already started for its current version. */
  async function renew(vault: Vault, found: ObjectWithVersion, now: number, result: RenewalRunResult): Promise<void> {
    const { object, version } = found;
    const operation = await store.getOperation(vault.id, object.name);
    // A renewal under way (or a CSR the user is having signed) finishes first; its version then has a later trigger.
    if (operation?.status === 'inProgress') return;
    // An operation started after the current version and not completed (cancelled or failed) was this version's
    // renewal, or the user's own attempt: it is not repeated on every pass.
    if (operation && operation.version !== version.version && operation.createdAt > version.createdAt) return;
    const attempt = `${vault.id}/${nameKey(object.name)}/${version.version}`;
    const retry = retryAt.get(attempt);
    if (retry !== undefined && retry > now) return;
    try {
      // No policy: the stored one is used, as Azure's renewal does. Tags carry over, as key rotation's do.
      await certificates.createCertificate(vault, object.name, { tags: version.tags ?? undefined });
      retryAt.delete(attempt);
      result.renewed += 1;
    } catch (error) {
      if (error instanceof CofferError && (error.status === 404 || error.status === 409)) {
        // Deleted, or another operation started, since it was read: the next pass sees the new state.
        result.skipped += 1;
        return;
      }
      result.failed += 1;
      retryAt.set(attempt, now + RETRY_SECONDS);
      logger.warn({ vault: vault.name, certificate: object.name, error: describeError(error) }, 'certificate auto-renewal could not start; it will be retried');
      // Someone must learn that this certificate is not renewing itself (Azure emails the contacts in this case).
      await notify(vault, found, result);
    }
  }

  async function runOne(vault: Vault | undefined, stored: StoredCertificatePolicy, now: number, result: RenewalRunResult): Promise<void> {
    const { lifetimeActions, issuer } = stored.policy;
    if (lifetimeActions.length === 0) return;
    const found = vault && (await objects.getActiveVersion(vault.id, 'certificate', stored.name, undefined));
    if (!vault || !found || !found.version.enabled) {
      result.skipped += 1;
      return;
    }
    for (const action of lifetimeActions) {
      const due = triggerTime(action.trigger, found.version);
      if (due === null || now < due) continue;
      // Divergence: an expired version is renewed too (Azure does not document what it does); a late renewal is
      // what a server that was stopped past the trigger should still do.
      if (action.action === 'AutoRenew' && issuer.name !== 'Unknown') await renew(vault, found, now, result);
      // An `Unknown` issuer's certificate is signed outside and cannot renew itself: its owner is told instead.
      else await notify(vault, found, result);
    }
  }

  return {
    /**
     * The scheduler's pass over every certificate with a policy: renews those whose AutoRenew trigger has come and
     * records one near-expiry event per version whose EmailContacts trigger has come. A second pass at the same time
     * does nothing.
     */
    async runDue(): Promise<RenewalRunResult> {
      const result: RenewalRunResult = { renewed: 0, notified: 0, skipped: 0, failed: 0 };
      const now = unixSeconds(clock);
      let vaultOf: Map<string, Vault> | undefined;
      let after: { vaultId: string; nameKey: string } | undefined;
      for (;;) {
        const batch = await store.listPolicies(after, BATCH);
        for (const stored of batch) {
          try {
            vaultOf ??= new Map((await deps.vaults.listVaults()).map((vault) => [vault.id, vault]));
            await runOne(vaultOf.get(stored.vaultId), stored, now, result);
          } catch (error) {
            // A step that fails unexpectedly (storage, most likely) is counted and logged; the next pass tries again.
            result.failed += 1;
            logger.warn({ vaultId: stored.vaultId, certificate: stored.name, error: describeError(error) }, 'certificate renewal scheduler step failed');
          }
        }
        const last = batch.at(-1);
        if (!last || batch.length < BATCH) return result;
        after = { vaultId: last.vaultId, nameKey: last.name };
      }
    },
  };
}
