// Finishes certificate operations a stopped server left `inProgress` (CreateCertificate completes `Self` and
// built-in-CA issuance in the background of the process that took the request; if that process stopped first,
// this job does it). Operations waiting for a merge (`Unknown` issuer) are left alone.
import { unixSeconds, type Clock } from '../clock.js';
import type { CertificateService } from '../domain/certificates/certificate-service.js';
import type { CertificateStore } from '../store/certificates.js';
import type { VaultStore } from '../store/vaults.js';

const BATCH = 100;
/** An operation younger than this is still being finished by the process that started it. */
const GRACE_SECONDS = 30;

export function createCompleteCertificateOperationsJob(deps: {
  certificates: Pick<CertificateService, 'completeOperation'>;
  store: Pick<CertificateStore, 'findInProgress'>;
  vaults: Pick<VaultStore, 'listVaults'>;
  clock: Clock;
}) {
  /** Returns how many operations it finished. */
  return async function completeCertificateOperations(): Promise<number> {
    const leftovers = (await deps.store.findInProgress(unixSeconds(deps.clock) - GRACE_SECONDS, BATCH)).filter((op) => op.issuerName !== 'Unknown');
    if (leftovers.length === 0) return 0;
    const vaults = new Map((await deps.vaults.listVaults()).map((vault) => [vault.id, vault]));
    let finished = 0;
    for (const operation of leftovers) {
      const vault = vaults.get(operation.vaultId);
      if (!vault) continue;
      const result = await deps.certificates.completeOperation(vault, operation.name);
      if (result?.status === 'completed') finished += 1;
    }
    return finished;
  };
}
